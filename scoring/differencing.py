"""Whether publishing a round's results again would expose people by comparison with an
earlier publication.

Two versions of the same results are two totals; their difference is the answers of whoever
joined, left or changed their answers in between. If that is fewer than k people in any group
the reports show (the place, a sector, an organisation), a reader holding both versions can work
out those few people's ratings, however well each version hides its small groups on its own.
"""

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

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

    def as_json(self) -> dict[str, str]:
        return {"sector": self.sector, "organisation": self.organisation, "answers": self.answers}


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
            counts[PLACE].add(respondent)
            counts[f"{Sector(version.sector).label} (sector)"].add(respondent)
            counts[f"{version.organisation} (organisation)"].add(respondent)
    exposed = {group: len(people) for group, people in counts.items() if len(people) < threshold}
    # The place first, then sectors, then organisations: from the widest group to the narrowest.
    return dict(
        sorted(exposed.items(), key=lambda g: (g[0] != PLACE, "(sector)" not in g[0], g[0]))
    )
