"""The priority index is decided on the score and the importance as printed, so the published
(gated, rounded) figures and the live ones always agree on what is a priority."""

from hypothesis import given
from hypothesis import strategies as st

from questionnaires.sectors import Sector
from scoring.disclosure import disclosed
from scoring.engine import score
from scoring.rounding import tenths
from scoring.types import Finding, Respondent
from tests.support.scoring import DEFINITION, RULES, person, statements_of

CONDITION = "people-focus"
STATEMENTS = statements_of(CONDITION)


SECTORS = [Sector.LOCAL_AUTHORITY, Sector.POLICE, Sector.VOLUNTARY_AND_COMMUNITY, Sector.HOUSING]


def _three_to_an_organisation(levels: list[int], importance: list[int]) -> list[Respondent]:
    """Person n rates every statement ``levels[n]`` and the importance ``importance[n]``; each
    three people in turn are one organisation of its own sector."""
    return [
        person(
            f"p{n}",
            SECTORS[n // 3].label,
            SECTORS[n // 3],
            {**dict.fromkeys(STATEMENTS, level), f"{CONDITION}.importance": importance[n]},
        )
        for n, level in enumerate(levels)
    ]


@given(
    st.lists(st.integers(1, 5), min_size=9, max_size=9),
    st.lists(st.integers(1, 4), min_size=9, max_size=9),
)
def test_a_priority_is_the_same_in_the_published_figures_as_in_the_live_ones(
    levels: list[int], importance: list[int]
) -> None:
    """Both decide on the score and the importance as printed, so rounding the published
    figures can never turn a condition into a priority, or out of one."""
    people = _three_to_an_organisation(levels, importance)
    live = score(DEFINITION, people, RULES)
    published = disclosed(DEFINITION, live, RULES, people)

    def priorities(findings: list[Finding]) -> set[str]:
        return {f.subjects[0] for f in findings if f.rule == "priority"}

    if published.conditions[CONDITION].importance is not None:
        assert priorities(live.findings) == priorities(published.findings)


def test_a_score_of_2_5_with_importance_2_9_is_no_priority_live_or_published() -> None:
    """(5 − 2.5) ÷ 4 × (2.9 − 1) ÷ 3 = 0.396: below 0.40 however the index is rounded after."""
    levels = [2, 2, 2, 3, 3, 3, 2, 3, 2, 3, 2, 3]  # twelve people, 30 in all: 2.5
    importance = [3] * 11 + [2]  # 35 in all: 2.9166…, printed 2.9
    people = _three_to_an_organisation(levels, importance)
    live = score(DEFINITION, people, RULES)
    published = disclosed(DEFINITION, live, RULES, people)

    assert tenths(live.conditions[CONDITION].score or 0) == 25
    assert tenths(live.conditions[CONDITION].importance or 0) == 29
    assert published.conditions[CONDITION].importance is not None
    assert not [f for f in live.findings + published.findings if f.rule == "priority"]
