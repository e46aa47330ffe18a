"""The Trusting Place definition is faithful to the report and complete."""

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from questionnaires.checks import check_definition
from questionnaires.registry import Registry
from questionnaires.schema import Definition, ItemKind
from questionnaires.sectors import Sector
from questionnaires.timing import estimated_minutes

BOX_1_CONDITIONS = [
    "people-focus",
    "strong-leadership",
    "trust-and-relationships",
    "shared-outcomes-and-accountability",
    "risk-appetite-and-experimentation",
    "co-production-with-lived-experience",
    "strengths-and-assets",
    "sufficient-resources",
    "data-and-evidence",
    "coordination-role",
    "embedding-the-approach",
    "staying-true-when-scaling",
]
RECOMMENDATIONS = [f"R{n}" for n in range(1, 23)]


@pytest.fixture(scope="module")
def definition() -> Definition:
    return Registry().get("trusting-place")


def test_it_has_the_twelve_box_1_conditions_in_the_report_order(definition: Definition) -> None:
    assert [condition.id for condition in definition.conditions] == BOX_1_CONDITIONS


def test_recommendations_are_split_into_the_reports_three_groups(definition: Definition) -> None:
    groups = {part.id: part.recommendations for part in definition.parts if part.recommendations}

    assert groups == {
        "places": RECOMMENDATIONS[0:9],
        "government": RECOMMENDATIONS[9:15],
        "lga": RECOMMENDATIONS[15:22],
    }


def test_every_statement_describes_all_five_maturity_levels(definition: Definition) -> None:
    maturity = definition.scale("maturity")
    assert maturity.values == [1, 2, 3, 4, 5]
    for condition in definition.conditions:
        assert 2 <= len(condition.statements) <= 4, condition.id
        for statement in condition.statements:
            assert sorted(statement.levels) == [1, 2, 3, 4, 5], statement.id
            assert all(text.strip() for text in statement.levels.values()), statement.id


def test_item_ids_are_unique(definition: Definition) -> None:
    counts = Counter(item.id for item in definition.items)

    assert [item_id for item_id, count in counts.items() if count > 1] == []


def test_every_cross_reference_resolves(definition: Definition) -> None:
    assert check_definition(definition) == []
    case_studies = {case.id for case in definition.case_studies}
    assert {case.place for case in definition.case_studies} == {
        "Gateshead",
        "Wigan",
        "Camden",
        "Croydon",
        "Leeds",
        "Doncaster",
        "Sheffield",
    }
    for condition in definition.conditions:
        assert set(condition.case_studies) <= case_studies
        for recommendation_id in condition.related_recommendations:
            assert condition.id in definition.recommendation(recommendation_id).related_conditions


def test_every_condition_asks_about_importance(definition: Definition) -> None:
    importance = [item for item in definition.items if item.kind is ItemKind.IMPORTANCE]

    assert [item.subject for item in importance] == BOX_1_CONDITIONS
    assert definition.scale("importance").values == [1, 2, 3, 4]


def test_community_members_get_the_plain_language_conditions_only(
    definition: Definition,
) -> None:
    items = definition.items_for(Sector.COMMUNITY_MEMBER)

    assert definition.variant_for(Sector.COMMUNITY_MEMBER).id == "plain-language"
    assert {item.part for item in items} == {"conditions"}
    assert {item.subject for item in items} == set(BOX_1_CONDITIONS)
    statements = [item for item in items if item.kind is ItemKind.STATEMENT]
    assert all(item.scale == "plain-agreement" and not item.descriptors for item in statements)
    professional = definition.items_by_id
    assert all(item.question != professional[item.id].question for item in statements)


def test_statements_for_statutory_partners_are_not_shown_to_the_voluntary_sector(
    definition: Definition,
) -> None:
    statutory_only = {
        s.id for c in definition.conditions for s in c.statements if s.audience == "statutory"
    }
    voluntary = {item.id for item in definition.items_for(Sector.VOLUNTARY_AND_COMMUNITY)}
    council = {item.id for item in definition.items_for(Sector.LOCAL_AUTHORITY)}

    assert statutory_only
    assert statutory_only.isdisjoint(voluntary)
    assert statutory_only <= council


def test_the_professional_version_takes_25_to_35_minutes(definition: Definition) -> None:
    assert 25 <= estimated_minutes(definition, Sector.LOCAL_AUTHORITY) <= 35


def test_the_plain_language_version_is_much_shorter(definition: Definition) -> None:
    assert estimated_minutes(definition, Sector.COMMUNITY_MEMBER) <= 15


def test_export_lists_every_condition_and_recommendation_exactly_once() -> None:
    result = CliRunner().invoke(
        cli, ["questionnaire", "export", "trusting-place", "--format", "json"]
    )

    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    conditions = [c["id"] for c in exported["definition"]["conditions"]]
    recommendations = [r["id"] for r in exported["definition"]["recommendations"]]
    assert sorted(conditions) == sorted(BOX_1_CONDITIONS) and len(conditions) == 12
    assert sorted(recommendations) == sorted(RECOMMENDATIONS) and len(recommendations) == 22
    statements = [s for c in exported["definition"]["conditions"] for s in c["statements"]]
    assert all(sorted(s["levels"]) == ["1", "2", "3", "4", "5"] for s in statements)
    assert {scale["id"] for scale in exported["definition"]["scales"]} >= {"maturity", "progress"}
    assert len(exported["content_hash"]) == 64
