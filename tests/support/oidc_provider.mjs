// A real OpenID Connect provider for the sign-in tests: the npm package oidc-provider
// (OpenID Certified), on loopback, with one client, PKCE required, and its development sign-in
// pages, where any login is an account whose e-mail address is that login.
//
// node oidc_provider.mjs PORT CONFIG_JSON
//   CONFIG_JSON: {"client_id", "client_secret", "redirect_uri", "code_seconds"}
// Prints "ready" once it listens.
import Provider from 'oidc-provider';

const [port, raw] = process.argv.slice(2);
const config = JSON.parse(raw);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: [config.redirect_uri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  // As Microsoft Entra ID and Google do, the ID token carries the e-mail and name claims.
  conformIdTokenClaims: false,
  ttl: { AuthorizationCode: config.code_seconds, IdToken: 300, AccessToken: 300, Session: 600, Grant: 600, Interaction: 600 },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  findAccount: (ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: `subject-of-${id}`, email: id, email_verified: true, name: id.split('@')[0] }),
  }),
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['a-test-cookie-key-for-the-provider'] },
  loadExistingGrant: async (ctx) => {
    // Every client here is trusted: consent is given at once, as an organisation's own does.
    const grant = new provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.on('server_error', (ctx, error) => console.error('server_error', error));
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
