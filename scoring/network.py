"""The view across places, and the disclosure gate one level up: which comparison groups of
sharing places may be shown, release after release, without picking out a place that chose not
to be named.

Each sharing place's published round is one figure per condition (its score as printed, from
its published snapshot). A group of places is shown as how many places fall in each half-point
band, which tells a reader, for every band, the sum over the group's places of "this place is
in the band". A reader who keeps every release holds a system of such sums, as a forum member
holds sums of answers (``scoring.solving``): the same solver is asked whether any combination of
the sums shown, now and in every earlier release, rests on fewer than the minimum of places
that were not named. Named places are taken as known (they are shown by name), so a group of
five with four named is no cover for the fifth.

Groups are shown only with at least the minimum of places (a setting, 5 by default), with
complementary suppression inside each way of grouping (the hidden groups of one kind together
hold none or at least the minimum, or they could be had by subtracting the rest from all
places), and then only as far as the solver allows, the smallest group held back first.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from scoring.differencing import Contribution
from scoring.solving import Equation, Person, few_singled_out

EVERY_PLACE = "all"
BAND_TENTHS = 5
"""Half-point bands: 1.0 to 1.4, 1.5 to 1.9, and so on to 4.5 to 5.0."""
LOWEST_TENTHS, HIGHEST_TENTHS = 10, 50
SETS_TRIED = 2_000
"""How many small sets of places the solver tries before it gives up and the group is held
back (it cannot then rule out that a place is picked out). A place's own results try far more,
once; the network tries again for each group it might hold back, and places' many overlapping
groups make the sets to try grow fast, so it gives up sooner and shows less rather than take
minutes."""


@dataclass(frozen=True)
class SharedRound:
    """A place's published round as the network holds it."""

    key: str
    """The place and round ("12:3"): one unknown figure for a reader, never shown itself."""
    place: str
    named: bool
    name: str | None
    """Shown only where the place agreed to be named."""
    groups: Mapping[str, str | None]
    """The place's value for each way of grouping (region, type of area, rural or urban);
    None where it has not said."""
    tenths: Mapping[str, int | None] = field(default_factory=dict)
    """Each condition's score as printed, in tenths; None where the round shows none."""
    asks: Mapping[str, int | None] = field(default_factory=dict)
    """Each recommendation's organisation-weighted rating as printed, in tenths."""
    takes_part: Mapping[str, bool | None] = field(default_factory=dict)
    """Whether the place would take part in each LGA offer (see ``TAKES_PART``); None where
    its report shows no answer."""
    change: Mapping[str, int | None] = field(default_factory=dict)
    """Each condition since the place's previous shared round of the same version: 1 better,
    -1 worse, 0 no real change (by the rules' change rule, on the scores as printed); None
    where there is no such round or no score to compare. Only rounds the place shared are
    compared, so nothing is learned of a round it kept to itself."""


@dataclass(frozen=True)
class Group:
    dimension: str
    value: str | None
    members: frozenset[str]
    """The keys of the shared rounds in it."""


@dataclass(frozen=True)
class Band:
    low_tenths: int
    high_tenths: int
    places: int
    named: tuple[str, ...]


@dataclass(frozen=True)
class Release:
    """What one release shows: the groups that passed, and every group's fate."""

    shown: tuple[Group, ...]
    held_back: tuple[Group, ...]
    named: frozenset[str]
    """The shared rounds whose places this release names. A reader keeps every release, so
    what any release named stays known: a place that stops being named is not named again,
    but its figure is never taken as unknown."""


def band_of(tenths: int) -> int:
    """The band's lowest score in tenths: 5.0 belongs with 4.5 to 4.9."""
    clipped = min(max(tenths, LOWEST_TENTHS), HIGHEST_TENTHS)
    return min(clipped - (clipped - LOWEST_TENTHS) % BAND_TENTHS, HIGHEST_TENTHS - BAND_TENTHS)


def comparison_groups(rounds: Sequence[SharedRound], dimensions: Iterable[str]) -> list[Group]:
    """Every place together, then one group per value of each way of grouping (places that
    have not said are a group of their own, never shown by name but counted)."""
    groups = [Group(EVERY_PLACE, None, frozenset(r.key for r in rounds))]
    for dimension in dimensions:
        by_value: dict[str | None, set[str]] = defaultdict(set)
        for shared in rounds:
            by_value[shared.groups.get(dimension)].add(shared.key)
        groups += [
            Group(dimension, value, frozenset(members))
            for value, members in sorted(by_value.items(), key=lambda kv: (kv[0] is None, kv[0]))
        ]
    return groups


def _equations(groups: Iterable[Group], named: frozenset[str]) -> list[Equation]:
    """One sum per group: each of its places not named counts once (the same sum stands for
    every band, so one is enough)."""
    return [
        {(_as_person(key), "band"): Fraction(1) for key in group.members if key not in named}
        for group in groups
    ]


def _as_person(key: str) -> Person:
    """A shared round as the solver's unknown: one figure, told apart by its key."""
    return (Contribution(sector="place", organisation=key, answers=""), 0)


def picked_out(
    shown: Sequence[Group], named: frozenset[str], minimum: int
) -> frozenset[str] | None:
    """Shared rounds of places not named, fewer than ``minimum``, that some combination of
    the groups shown rests on alone; None if there are none."""
    distinct = list({group.members: group for group in shown}.values())  # the same sum twice
    found = few_singled_out(_equations(distinct, named), minimum, SETS_TRIED)
    if found is None:
        return None
    if not found:  # too many sets to try: nothing can be ruled out
        return frozenset(k for g in shown for k in g.members if k not in named)
    return frozenset(person[0].organisation for person in found)


def release(
    rounds: Sequence[SharedRound],
    dimensions: Sequence[str],
    minimum: int,
    earlier: Sequence[Release] = (),
) -> Release:
    """The groups this release may show, checked with every earlier release's. ``rounds``
    are of one questionnaire and rules version: figures of different versions are never
    pooled, so each version has releases of its own."""
    before = [g for r in earlier for g in r.shown]
    known = _names_that_may_be_shown(rounds, before, earlier, minimum)
    candidates = comparison_groups(rounds, dimensions)

    def hiding(group: Group) -> int:
        """What a group holds back if hidden: its places that are not named."""
        return len(group.members - known)

    held = [
        g
        for g in candidates
        if len(g.members) < minimum
        or 0 < hiding(g) < minimum  # on its own it would rest on too few
        or (g.value is None and g.dimension != EVERY_PLACE)
    ]
    shown = [g for g in candidates if g not in held]
    shown, held = _complement(shown, held, minimum, hiding)
    while shown and (found := picked_out(before + shown, known, minimum)) is not None:
        # The smallest group holding a place picked out goes first: a group it is not in
        # gives nothing of it away.
        holding = [g for g in shown if g.members & found] or shown
        smallest = min(holding, key=lambda g: (len(g.members), g.dimension != EVERY_PLACE))
        shown.remove(smallest)
        held.append(smallest)
        shown, held = _complement(shown, held, minimum, hiding)
    shown, held = _restored(shown, held, minimum, hiding, lambda groups: before + groups, known)
    named_now = frozenset(r.key for r in rounds if r.named)
    return Release(tuple(shown), tuple(held), known & named_now)


def _names_that_may_be_shown(
    rounds: Sequence[SharedRound],
    before: Sequence[Group],
    earlier: Sequence[Release],
    minimum: int,
) -> frozenset[str]:
    """The shared rounds whose places may be named in this release: those named before, and
    each newly named one unless knowing its figure would let an earlier release give away a
    place that is not named (its name then waits for a later release)."""
    known = frozenset(k for r in earlier for k in r.named)
    for key in sorted(r.key for r in rounds if r.named and r.key not in known):
        if picked_out(before, known | {key}, minimum) is None:
            known |= {key}
    return known


def _restored(
    shown: list[Group],
    held: list[Group],
    minimum: int,
    hiding: Callable[[Group], int],
    with_earlier: Callable[[list[Group]], list[Group]],
    known: frozenset[str],
) -> tuple[list[Group], list[Group]]:
    """Holding groups back one at a time can hold back more than it must (a group held only
    to cover one that was later held for its own reason): each group held back that is big
    enough is tried again, largest first, and kept if everything still passes."""
    for group in sorted(held, key=lambda g: -len(g.members)):
        if len(group.members) < minimum or 0 < hiding(group) < minimum:
            continue
        if group.value is None and group.dimension != EVERY_PLACE:
            continue
        trial_shown = [*shown, group]
        trial_held = [g for g in held if g != group]
        after, _ = _complement(list(trial_shown), list(trial_held), minimum, hiding)
        if len(after) != len(trial_shown):
            continue
        if picked_out(with_earlier(trial_shown), known, minimum) is None:
            shown, held = trial_shown, trial_held
    return shown, held


def _complement(
    shown: list[Group], held: list[Group], minimum: int, hiding: Callable[[Group], int]
) -> tuple[list[Group], list[Group]]:
    """Inside each way of grouping, the held-back groups together hold back none or at least
    the minimum of places not named, while every place together is shown (or they are every
    place less the rest): otherwise the smallest shown group of that kind is held back too.
    The solver decides in the end (other subtractions are its to find); checking the counts
    first spares it a try for each group it would hold back."""
    changed = True
    while changed and any(g.dimension == EVERY_PLACE for g in shown):
        changed = False
        for dimension in {g.dimension for g in shown if g.dimension != EVERY_PLACE}:
            hidden = sum(hiding(g) for g in held if g.dimension == dimension)
            if 0 < hidden < minimum:
                smallest = min(
                    (g for g in shown if g.dimension == dimension), key=lambda g: len(g.members)
                )
                shown.remove(smallest)
                held.append(smallest)
                changed = True
    return shown, held


def distribution(
    group: Group, rounds: Mapping[str, SharedRound], condition: str, named: frozenset[str]
) -> tuple[list[Band], int]:
    """How many of the group's places fall in each band for ``condition``, with the names of
    those the release names (``Release.named``), and how many have no score for it."""
    counts: dict[int, list[SharedRound]] = defaultdict(list)
    no_score = 0
    for key in group.members:
        shared = rounds[key]
        tenths = shared.tenths.get(condition)
        if tenths is None:
            no_score += 1
        else:
            counts[band_of(tenths)].append(shared)
    bands = [
        Band(
            low,
            low + BAND_TENTHS - 1 if low + BAND_TENTHS < HIGHEST_TENTHS else HIGHEST_TENTHS,
            len(counts[low]),
            tuple(sorted(r.name for r in counts[low] if r.key in named and r.name)),
        )
        for low in range(LOWEST_TENTHS, HIGHEST_TENTHS, BAND_TENTHS)
    ]
    return bands, no_score


TAKES_PART = (
    "A place would take part when at least half of its people who answered the follow-up "
    "question said yes."
)


@dataclass(frozen=True)
class RankedAsk:
    recommendation_id: str
    mean_tenths: int
    """The mean of the places' own figures (each place once), as printed, in tenths."""
    places: int
    taking_part: int | None
    """Of the places with an answer, how many would take part (LGA offers only)."""
    answering: int | None


def ranked_asks(
    group: Group, rounds: Mapping[str, SharedRound], recommendation_ids: Sequence[str]
) -> list[RankedAsk]:
    """The asks, most wanted first: by the mean of each place's own organisation-weighted
    figure (one place, one figure), then by the share of places that would take part, then by
    number. Shown only for a group the release shows, so the same gate covers them."""
    asks = []
    for recommendation_id in recommendation_ids:
        figures = [
            t for key in group.members if (t := rounds[key].asks.get(recommendation_id)) is not None
        ]
        if not figures:
            continue
        answers = [
            yes
            for key in group.members
            if (yes := rounds[key].takes_part.get(recommendation_id)) is not None
        ]
        asks.append(
            RankedAsk(
                recommendation_id,
                _mean_tenths(figures),
                len(figures),
                sum(answers) if answers else None,
                len(answers) if answers else None,
            )
        )
    return sorted(
        asks,
        key=lambda a: (
            -a.mean_tenths,
            -(Fraction(a.taking_part or 0, a.answering) if a.answering else Fraction(0)),
            int(a.recommendation_id[1:]),
        ),
    )


def _mean_tenths(figures: Sequence[int]) -> int:
    """The mean in tenths, half up, from the printed figures (so a reader's sum agrees)."""
    total, count = sum(figures), len(figures)
    return (2 * total + count) // (2 * count)


@dataclass(frozen=True)
class ConditionMean:
    condition_id: str
    mean_tenths: int
    places: int


def hardest_first(
    group: Group, rounds: Mapping[str, SharedRound], condition_ids: Sequence[str]
) -> list[ConditionMean]:
    """The conditions the group's places find hardest first: by the mean of each place's own
    score as printed (each place once), lowest first, then in the questionnaire's order."""
    means = []
    for order, condition_id in enumerate(condition_ids):
        figures = [
            t for key in group.members if (t := rounds[key].tenths.get(condition_id)) is not None
        ]
        if figures:
            means.append((ConditionMean(condition_id, _mean_tenths(figures), len(figures)), order))
    return [mean for mean, _ in sorted(means, key=lambda m: (m[0].mean_tenths, m[1]))]


@dataclass(frozen=True)
class ConditionChange:
    condition_id: str
    improved: int
    steady: int
    fell: int
    compared: int
    """Places with a previous shared round to compare (improved + steady + fell)."""


def improvement(
    group: Group, rounds: Mapping[str, SharedRound], condition_ids: Sequence[str]
) -> list[ConditionChange]:
    """Where the group's places improved since their previous shared round: by condition,
    how many improved, did not really change, or fell, most improved first. Each count is a
    sum over the group's places, as a band's is, so the gate that shows the group covers it;
    conditions no place can be compared on are left out."""
    changes = []
    for order, condition_id in enumerate(condition_ids):
        verdicts = [
            v for key in group.members if (v := rounds[key].change.get(condition_id)) is not None
        ]
        if verdicts:
            improved, fell = verdicts.count(1), verdicts.count(-1)
            changes.append(
                (
                    ConditionChange(
                        condition_id, improved, len(verdicts) - improved - fell, fell, len(verdicts)
                    ),
                    order,
                )
            )
    return [
        change
        for change, _ in sorted(
            changes,
            key=lambda c: (
                -Fraction(c[0].improved, c[0].compared),
                Fraction(c[0].fell, c[0].compared),
                c[1],
            ),
        )
    ]
