"""Which sectors and organisations to hide, so that no group under the anonymity threshold can
be read directly or worked out by subtraction.

The breakdowns by sector and by organisation are planned together: hiding a group in one is
useless if the other shows the same people (a sector with a single organisation), or if the
hidden group is the difference between a total that is shown and the groups that are shown.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from scoring.rules import Anonymity

TOO_FEW = "fewer than {k} respondents"
COMPLEMENT = "hidden so that a smaller group's score cannot be worked out from the others"


@dataclass(frozen=True)
class SuppressionPlan:
    sectors: dict[str, str]
    """Hidden sectors, each with the reason."""
    organisations: dict[str, str]
    """Hidden organisations, each with the reason."""


def plan_suppression(
    organisation_sizes: Mapping[str, int],
    sector_of: Mapping[str, str],
    anonymity: Anonymity,
) -> SuppressionPlan:
    """Hide every group under the threshold; then, with complementary suppression, keep hiding
    until, within every total that is shown (the place, each shown sector), the hidden groups
    together have at least k respondents, and no organisation of a hidden sector is shown."""
    k = anonymity.threshold
    sector_sizes: dict[str, int] = defaultdict(int)
    for organisation, size in organisation_sizes.items():
        sector_sizes[sector_of[organisation]] += size
    too_few = TOO_FEW.format(k=k)
    sectors = {name: too_few for name, size in sector_sizes.items() if size < k}
    organisations = {name: too_few for name, size in organisation_sizes.items() if size < k}
    if not anonymity.complementary_suppression:
        return SuppressionPlan(dict(sorted(sectors.items())), dict(sorted(organisations.items())))

    changed = True
    while changed:
        changed = _hide_until_safe(sector_sizes, sectors, k)
        for organisation in sorted(organisation_sizes):
            if sector_of[organisation] in sectors and organisation not in organisations:
                organisations[organisation] = COMPLEMENT
                changed = True
        for sector in sorted(sector_sizes):
            if sector in sectors:
                continue
            members = {o: n for o, n in organisation_sizes.items() if sector_of[o] == sector}
            if all(member in organisations for member in members):
                sectors[sector] = COMPLEMENT  # it would show its hidden organisations' score
                changed = True
            else:
                changed |= _hide_until_safe(members, organisations, k)
        changed |= _hide_until_safe(organisation_sizes, organisations, k)
    return SuppressionPlan(dict(sorted(sectors.items())), dict(sorted(organisations.items())))


def _hide_until_safe(sizes: Mapping[str, int], hidden: dict[str, str], k: int) -> bool:
    """Within one shown total: if the hidden groups add up to fewer than k respondents, hide the
    smallest shown group too, and repeat. Returns whether anything was hidden."""
    changed = False
    while True:
        hidden_total = sum(size for name, size in sizes.items() if name in hidden)
        shown = [name for name in sizes if name not in hidden]
        if hidden_total == 0 or hidden_total >= k or not shown:
            return changed
        hidden[min(shown, key=lambda name: (sizes[name], name))] = COMPLEMENT
        changed = True
