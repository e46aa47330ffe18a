"""Whether publishing a round's results again would expose people by comparison with an
earlier publication.

Two versions of the same results are two totals; their difference is the answers of whoever
joined, left or changed their answers in between. If that is fewer than k people in any group
the reports show (the place, a sector, an organisation), a reader holding both versions can work
out those few people's ratings, however well each version hides its small groups on its own.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from questionnaires.schema import OptOut
from questionnaires.sectors import Sector
from scoring.types import AnswerValue, Respondent

PLACE = "the whole place"


@dataclass(frozen=True)
class Contribution:
    """One respondent's part in a published result: their groups and a digest of their
    answers, so that changed answers count as a change without keeping the answers twice."""

    sector: str
    organisation: str
    answers: str
    rated: tuple[str, ...] | None = field(default=None, compare=False)
    """The items they rated (a scale answer, not an opt-out), which decide the figures they are
    behind (``scoring.solving``); None in records made before these were kept. Follows from
    the answers, so it takes no part in comparing two versions."""

    def as_json(self) -> dict[str, str | list[str] | None]:
        return {
            "sector": self.sector,
            "organisation": self.organisation,
            "answers": self.answers,
            "rated": None if self.rated is None else list(self.rated),
        }


def _digest(answers: Mapping[str, AnswerValue]) -> str:
    """``item=value`` lines in item order; the publications migration writes the same."""
    lines = (
        f"{item}={value.value if isinstance(value, OptOut) else value}"
        for item, value in sorted(answers.items())
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def contributions(respondents: list[Respondent]) -> dict[str, Contribution]:
    return {
        respondent.id: Contribution(
            sector=respondent.sector.value,
            organisation=respondent.organisation,
            answers=_digest(respondent.answers),
            rated=tuple(sorted(i for i, v in respondent.answers.items() if isinstance(v, int))),
        )
        for respondent in respondents
    }


def exposed_groups(
    before: Mapping[str, Contribution], after: Mapping[str, Contribution], threshold: int
) -> dict[str, int]:
    """Each group in which between 1 and k-1 people's answers differ between the two versions,
    with how many. Someone moved between groups counts as a change in both."""
    changed = {
        respondent
        for respondent in before.keys() | after.keys()
        if before.get(respondent) != after.get(respondent)
    }
    counts: dict[str, set[str]] = defaultdict(set)
    for respondent in changed:
        for version in (before.get(respondent), after.get(respondent)):
            if version is None:
                continue
            for group in _groups_of(version):
                counts[group].add(respondent)
    return _widest_first(
        {group: len(people) for group, people in counts.items() if len(people) < threshold}
    )


def exposed_by_content(
    before: Iterable[Contribution], after: Iterable[Contribution], threshold: int
) -> dict[str, int]:
    """Each group in which between 1 and k-1 people's answers differ between two results that
    share no respondents' records: two rounds of a place, or a round and an exported and
    imported copy of it, compared by content (groups and answer digest).

    Two results with no set of answers in common (two rounds answered afresh) are independent:
    each passed the disclosure gate on its own, and figures about different people cannot be
    combined to single anyone out. Once they share answers (a copy, whole or in part), a figure
    hidden in one can be worked out from the other's shown figures about the people they share,
    so every group counts, hidden or not. With no record to pair an old set of answers with a
    new one, the people who differ in a group are at least as many as the sets found only on
    whichever side has more: that lower bound is what is checked, so the check errs towards
    refusing."""
    earlier, later = Counter(before), Counter(after)
    if not earlier & later:
        return {}
    sides: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for side, only_here in enumerate((earlier - later, later - earlier)):
        for version, count in only_here.items():
            for group in _groups_of(version):
                sides[group][side] += count
    return _widest_first({group: max(n) for group, n in sides.items() if 0 < max(n) < threshold})


def _groups_of(version: Contribution) -> tuple[str, str, str]:
    return (
        PLACE,
        f"{Sector(version.sector).label} (sector)",
        f"{version.organisation} (organisation)",
    )


def _widest_first(exposed: dict[str, int]) -> dict[str, int]:
    """The place first, then sectors, then organisations: from the widest group to the
    narrowest."""
    return dict(
        sorted(exposed.items(), key=lambda g: (g[0] != PLACE, "(sector)" not in g[0], g[0]))
    )
