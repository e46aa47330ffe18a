"""Bad input is reported precisely – which respondent, which item – and never dropped."""

import pytest

from questionnaires.schema import Definition, OptOut
from questionnaires.sectors import Sector
from scoring.engine import score
from scoring.inputs import input_from_data
from scoring.rules import Rules
from scoring.validation import InvalidAnswersError
from tests.support.scoring import person


def problems(definition: Definition, rules: Rules, *people: object) -> list[str]:
    with pytest.raises(InvalidAnswersError) as caught:
        score(definition, list(people), rules)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


def test_unknown_items_and_out_of_range_values_are_named(
    definition: Definition, rules: Rules
) -> None:
    found = problems(
        definition,
        rules,
        person("anna", "Council", Sector.LOCAL_AUTHORITY, {"people-focus.9": 3, "R1": 7}),
    )

    assert found == [
        "respondent 'anna', item 'people-focus.9': there is no item 'people-focus.9' in "
        "trusting-place 1.0.0",
        "respondent 'anna', item 'R1': 7 is out of range: answers are 1 to 5, "
        "'dont_know', 'not_applicable'",
    ]


def test_an_opt_out_the_scale_does_not_allow_is_refused(
    definition: Definition, rules: Rules
) -> None:
    found = problems(
        definition,
        rules,
        person("ben", "ICB", Sector.NHS_ICB, {"people-focus.importance": OptOut.NOT_APPLICABLE}),
    )

    assert found == [
        "respondent 'ben', item 'people-focus.importance': not_applicable is not an answer to "
        "this item (it allows dont_know)"
    ]


def test_an_item_not_asked_of_the_respondents_sector_is_refused(
    definition: Definition, rules: Rules
) -> None:
    found = problems(
        definition,
        rules,
        person(
            "cat",
            "Voluntary Action",
            Sector.VOLUNTARY_AND_COMMUNITY,
            {"shared-outcomes-and-accountability.3": 2},
        ),
    )

    assert found == [
        "respondent 'cat', item 'shared-outcomes-and-accountability.3': this item is not asked "
        "of the respondent's sector or questionnaire version"
    ]


def test_input_without_an_organisation_or_with_a_bad_value_is_reported_per_respondent() -> None:
    data = {
        "questionnaire": {"id": "trusting-place", "version": "1.0.0"},
        "respondents": [
            {"id": "r1", "sector": "police", "answers": {"R1": 2}},
            {"id": "r2", "organisation": "Council", "sector": "council", "answers": {}},
            {"id": "r3", "organisation": "ICB", "sector": "nhs-icb", "answers": {"R1": "maybe"}},
            {"organisation": "ICB", "sector": "nhs-icb", "answers": {}},
        ],
    }

    with pytest.raises(InvalidAnswersError) as caught:
        input_from_data(data)

    messages = [str(problem) for problem in caught.value.problems]
    assert messages[0] == "respondent 'r1': has no \"organisation\""
    assert messages[1].startswith("respondent 'r2': sector 'council' is not one of: ")
    assert messages[2].startswith("respondent 'r3', item 'R1': 'maybe' is not an answer")
    assert messages[3] == "respondent '#4': has no \"id\""
