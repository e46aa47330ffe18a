// Marks the page as running JavaScript before anything is drawn, as GOV.UK Frontend expects.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
