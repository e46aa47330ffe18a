"""Disagreement inside one organisation: two of the council's people at 4.7 and 1.3 make a
council score of 3.0, which describes neither. The rules flag it to the facilitators, and the
disclosure gate names the organisation (never the range) only where it is shown on its own."""

from hypothesis import given
from hypothesis import strategies as st

from questionnaires.sectors import Sector
from scoring.disclosure import disclosed
from scoring.engine import score
from scoring.rounding import tenths
from scoring.types import Respondent
from tests.support.scoring import DEFINITION, RULES, person, statements_of

CONDITION = "people-focus"
STATEMENTS = statements_of(CONDITION)
LIMIT = tenths(RULES.disagreement.within_organisation_range)


def _council_and_others(council_levels: list[list[int]]) -> list[Respondent]:
    people = [
        person(
            f"council-{n}",
            "Council",
            Sector.LOCAL_AUTHORITY,
            dict(zip(STATEMENTS, levels, strict=True)),
        )
        for n, levels in enumerate(council_levels)
    ]
    people += [
        person(f"police-{n}", "Police", Sector.POLICE, dict.fromkeys(STATEMENTS, 3))
        for n in range(3)
    ]
    return people


def test_two_people_at_opposite_ends_of_one_organisation_are_flagged() -> None:
    people = _council_and_others([[5, 5, 4], [1, 1, 2], [3, 3, 3]])

    condition = score(DEFINITION, people, RULES).conditions[CONDITION]

    assert condition.divided_organisations == {"Council": 3.4}
    assert "Police" not in condition.divided_organisations


@given(
    st.lists(
        st.lists(st.integers(1, 5), min_size=len(STATEMENTS), max_size=len(STATEMENTS)),
        min_size=2,
        max_size=6,
    )
)
def test_an_organisation_is_flagged_exactly_when_its_printed_averages_lie_the_range_apart(
    council_levels: list[list[int]],
) -> None:
    condition = score(DEFINITION, _council_and_others(council_levels), RULES).conditions[CONDITION]
    # By hand: each person's average as printed (half up), then highest minus lowest.
    printed = [tenths(sum(levels) / len(levels)) for levels in council_levels]
    apart = max(printed) - min(printed)

    assert ("Council" in condition.divided_organisations) == (apart >= LIMIT)
    if apart >= LIMIT:
        assert condition.divided_organisations["Council"] == apart / 10


def test_others_see_only_an_organisation_shown_on_its_own_named_and_no_range() -> None:
    shown = _council_and_others([[5, 5, 5], [1, 1, 1], [3, 3, 3]])
    too_small = _council_and_others([[5, 5, 5], [1, 1, 1]])

    gated = disclosed(DEFINITION, score(DEFINITION, shown, RULES), RULES, shown)
    hidden = disclosed(DEFINITION, score(DEFINITION, too_small, RULES), RULES, too_small)

    assert gated.conditions[CONDITION].divided_organisations == {"Council": None}
    assert hidden.conditions[CONDITION].divided_organisations == {}
