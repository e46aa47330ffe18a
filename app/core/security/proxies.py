"""Which address a request really came from, when a reverse proxy stands in front.

Only proxies the operator names are believed: the ``X-Forwarded-For`` chain is walked from the
right (the hop nearest us) past trusted proxies, and the first address that is not one is the
client. A chain that does not parse is ignored rather than guessed at.
"""

from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Protocol

Network = IPv4Network | IPv6Network


class ProxySettings(Protocol):
    @property
    def trusted_proxies(self) -> list[Network]: ...


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def forwarded_client(peer: str, forwarded_for: list[str], settings: ProxySettings) -> str:
    networks = settings.trusted_proxies
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        try:
            ip_address(hop)
        except ValueError:
            return peer
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer
