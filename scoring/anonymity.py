"""Which sectors and organisations to hide, so that no group under the anonymity threshold can
be read directly or worked out by subtraction.

The breakdowns by sector and by organisation are planned together: hiding a group in one is
useless if the other shows the same people (a sector with a single organisation), or if the
hidden group is the difference between a total that is shown and the groups that are shown.
"""

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from scoring.rules import Anonymity, SmallGroups

TOO_FEW = "fewer than {k} respondents"
COMPLEMENT = "hidden so that a smaller group's score cannot be worked out from the others"
COMBINED = "shown with other small groups in the combined column"
_COMBINED_KEY = "\x00combined"  # never a sector id


@dataclass(frozen=True)
class SuppressionPlan:
    sectors: dict[str, str]
    """Hidden sectors, each with the reason."""
    organisations: dict[str, str]
    """Hidden organisations, each with the reason."""
    combined: tuple[str, ...] = ()
    """Sectors shown together in one combined column instead of on their own."""


def plan_suppression(
    organisation_sizes: Mapping[str, int],
    sector_of: Mapping[str, str],
    anonymity: Anonymity,
) -> SuppressionPlan:
    """With ``small_groups: merge``, the sectors under the threshold (and, if they are still too
    few together, the smallest other sectors, ``merge_last`` ones last) become one combined
    group; the plan below then treats that group as one sector, so every rule that protects a
    sector protects it too."""
    sector_sizes: dict[str, int] = defaultdict(int)
    for organisation, size in organisation_sizes.items():
        sector_sizes[sector_of[organisation]] += size
    combined = (
        _combine(sector_sizes, anonymity.threshold, set(anonymity.merge_last))
        if anonymity.small_groups is SmallGroups.MERGE and anonymity.complementary_suppression
        else ()
    )
    if not combined:
        return _plan(organisation_sizes, sector_of, anonymity)
    grouped = {o: _COMBINED_KEY if s in combined else s for o, s in sector_of.items()}
    plan = _plan(organisation_sizes, grouped, anonymity, whole=_COMBINED_KEY)
    if _COMBINED_KEY in plan.sectors:
        # The combined column itself would have to be hidden: combining gains nothing.
        return _plan(organisation_sizes, sector_of, anonymity)
    sectors = dict(plan.sectors)
    sectors.update(dict.fromkeys(combined, COMBINED))
    return SuppressionPlan(dict(sorted(sectors.items())), plan.organisations, combined=combined)


def _combine(sizes: Mapping[str, int], k: int, merge_last: set[str]) -> tuple[str, ...]:
    """The sectors to show together: all those under k, then the smallest others until the
    group reaches k. None when there is nothing small, or when the group would be the place."""
    chosen = {name for name, size in sizes.items() if size < k}
    while chosen and sum(sizes[name] for name in chosen) < k:
        rest = [name for name in sizes if name not in chosen]
        if not rest:
            return ()
        chosen.add(min(rest, key=lambda name: (name in merge_last, sizes[name], name)))
    if len(chosen) >= len(sizes) - 1:
        return ()  # the combined column would be the place, or the place minus one sector
    return tuple(sorted(chosen))


def _plan(
    organisation_sizes: Mapping[str, int],
    sector_of: Mapping[str, str],
    anonymity: Anonymity,
    whole: str | None = None,
) -> SuppressionPlan:
    """Hide every group under the threshold; then, with complementary suppression, keep hiding
    until, within every total that is shown (the place, each shown sector), the hidden groups
    together have at least k respondents, and no organisation of a hidden sector is shown.
    The ``whole`` sector (a combined group, at least k people) stays shown when all its
    organisations are hidden: its score is no one's but the group's."""
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
            if sector != whole and all(member in organisations for member in members):
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


TOGETHER = "organisations too small to show, together"


def weighting_unit(organisation: str, together: Collection[str]) -> str:
    """What an organisation counts as in an average that counts each organisation once: itself,
    or, when it is one of those counted ``together``, one with all of them."""
    return TOGETHER if organisation in together else organisation


def counted_together(sizes: Mapping[str, int], k: int) -> set[str]:
    """The organisations that count as one in an average that counts each organisation once,
    beside a table that counts each person: those with fewer than k people, joined by the
    smallest other one while they are still fewer than k together. Counted one by one, two
    small organisations of different sizes would weigh their people differently in the two
    figures, and the two together would give each organisation's answers away."""
    small = {name for name, size in sizes.items() if size < k}
    while small and sum(sizes[name] for name in small) < k and len(small) < len(sizes):
        small.add(min(set(sizes) - small, key=lambda name: (sizes[name], name)))
    return small
