"""Results checked by hand against small, readable inputs."""

import math

import pytest

from questionnaires.schema import Definition, OptOut
from questionnaires.sectors import Sector
from scoring.anonymity import COMBINED
from scoring.engine import score
from scoring.rules import Rules, SmallGroups
from scoring.serialise import result_to_json
from scoring.stats import consensus
from scoring.types import Respondent
from tests.support.scoring import person, rating_everything_in, statements_of

LA, ICB, POLICE, FIRE = (
    Sector.LOCAL_AUTHORITY,
    Sector.NHS_ICB,
    Sector.POLICE,
    Sector.FIRE_AND_RESCUE,
)


def test_consensus_of_unanimous_ratings_is_1() -> None:
    assert consensus([3, 3, 3, 3], 1, 5) == 1.0


def test_consensus_of_an_even_split_between_the_extremes_is_0() -> None:
    assert consensus([1, 1, 5, 5], 1, 5) == 0.0


def test_consensus_matches_tastle_and_wierman_by_hand() -> None:
    # ratings 2, 3, 3, 4 on 1–5: mean 3; 1 + ¼·log₂(0.75) + ½·log₂(1) + ¼·log₂(0.75)
    expected = 1 + 0.5 * math.log2(0.75)

    assert consensus([2, 3, 3, 4], 1, 5) == pytest.approx(expected)


def test_unanimous_answers_give_consensus_1_and_no_split(
    definition: Definition, rules: Rules
) -> None:
    people = [
        person(f"r{n}", f"Org {n}", LA, rating_everything_in("people-focus", 3)) for n in range(6)
    ]

    result = score(definition, people, rules)

    condition = result.conditions["people-focus"]
    assert condition.spread.consensus == 1.0
    assert not condition.spread.split
    assert condition.score == 3.0
    assert all(f.rule != "split-view" for f in result.findings)


def test_half_at_1_and_half_at_5_gives_consensus_0_and_a_split(
    definition: Definition, rules: Rules
) -> None:
    people = [
        person(f"r{n}", f"Org {n}", LA, rating_everything_in("people-focus", 1 if n < 3 else 5))
        for n in range(6)
    ]

    result = score(definition, people, rules)

    condition = result.conditions["people-focus"]
    assert condition.spread.consensus == 0.0
    assert condition.spread.split
    assert result.items["people-focus.1"].spread.consensus == 0.0
    assert result.items["people-focus.1"].spread.split
    assert [f.subjects[0] for f in result.findings if f.rule == "split-view"] == ["people-focus"]


def test_a_sector_with_2_respondents_is_suppressed_at_k_3(
    definition: Definition, rules: Rules
) -> None:
    people = [
        *(
            person(f"la{n}", "Council", LA, rating_everything_in("people-focus", 4))
            for n in range(3)
        ),
        *(person(f"icb{n}", "ICB", ICB, rating_everything_in("people-focus", 2)) for n in range(3)),
        *(
            person(f"f{n}", "Fire service", FIRE, rating_everything_in("people-focus", 1))
            for n in range(2)
        ),
    ]

    result = score(definition, people, rules)

    by_sector = result.conditions["people-focus"].by_sector
    assert by_sector["fire-and-rescue"].suppressed
    assert by_sector["fire-and-rescue"].score is None
    assert by_sector["fire-and-rescue"].reason == "fewer than 3 respondents"
    assert result_to_json(result)["conditions"]["people-focus"]["by_sector"]["fire-and-rescue"] == {
        "suppressed": True,
        "reason": "fewer than 3 respondents",
    }


def test_one_hidden_group_hides_the_next_smallest_so_it_cannot_be_worked_out(
    definition: Definition, rules: Rules
) -> None:
    people = [
        *(
            person(f"la{n}", "Council", LA, rating_everything_in("people-focus", 4))
            for n in range(5)
        ),
        *(
            person(f"p{n}", "Police", POLICE, rating_everything_in("people-focus", 3))
            for n in range(3)
        ),
        *(
            person(f"f{n}", "Fire service", FIRE, rating_everything_in("people-focus", 1))
            for n in range(2)
        ),
    ]

    by_sector = score(definition, people, rules).conditions["people-focus"].by_sector

    assert by_sector["fire-and-rescue"].suppressed
    assert by_sector["police"].suppressed
    assert "cannot be worked out" in (by_sector["police"].reason or "")
    assert by_sector["local-authority"].score == 4.0


def test_a_sector_and_its_only_organisation_are_hidden_or_shown_together(
    definition: Definition, rules: Rules
) -> None:
    people = [
        *(
            person(f"la{n}", "Council", LA, rating_everything_in("people-focus", 4))
            for n in range(4)
        ),
        *(
            person(f"p{n}", "Police", POLICE, rating_everything_in("people-focus", 3))
            for n in range(3)
        ),
        *(person(f"i{n}", "ICB", ICB, rating_everything_in("people-focus", 2)) for n in range(3)),
        *(
            person(f"f{n}", "Fire service", FIRE, rating_everything_in("people-focus", 1))
            for n in range(2)
        ),
    ]

    condition = score(definition, people, rules).conditions["people-focus"]

    for sector, organisation in (
        ("police", "Police"),
        ("nhs-icb", "ICB"),
        ("fire-and-rescue", "Fire service"),
    ):
        assert (
            condition.by_sector[sector].suppressed
            == condition.by_organisation[organisation].suppressed
        )
    assert [s for s, g in condition.by_sector.items() if g.suppressed] == [
        "fire-and-rescue",
        "nhs-icb",
    ]


def test_the_headline_is_organisation_weighted_so_a_big_delegation_does_not_outvote(
    definition: Definition, rules: Rules
) -> None:
    people = [
        *(
            person(f"la{n}", "Council", LA, rating_everything_in("people-focus", 5))
            for n in range(8)
        ),
        *(
            person(f"police{n}", "Police", POLICE, rating_everything_in("people-focus", 1))
            for n in range(3)
        ),
    ]

    condition = score(definition, people, rules).conditions["people-focus"]

    assert condition.score == 3.0
    assert condition.score_headcount == pytest.approx((8 * 5 + 3 * 1) / 11)
    assert condition.band == "borderline"


def test_organisations_too_small_to_show_count_together_as_one(
    definition: Definition, rules: Rules
) -> None:
    """Counted one by one, the fire service (2) and the ICB (3), both hidden, would weigh their
    people differently here than in the headcount score, and the two scores together would give
    each of them away (rules 1.3)."""
    people = [
        *(
            person(f"la{n}", "Council", LA, rating_everything_in("people-focus", 5))
            for n in range(4)
        ),
        *(person(f"icb{n}", "ICB", ICB, rating_everything_in("people-focus", 2)) for n in range(3)),
        *(person(f"f{n}", "Fire", FIRE, rating_everything_in("people-focus", 1)) for n in range(2)),
    ]

    condition = score(definition, people, rules).conditions["people-focus"]

    assert condition.counted_together == ("Fire", "ICB")
    assert condition.score == pytest.approx((5 + (3 * 2 + 2 * 1) / 5) / 2)


def test_mostly_dont_know_gives_no_score_but_a_finding(
    definition: Definition, rules: Rules
) -> None:
    people = [
        person(f"r{n}", f"Org {n}", LA, rating_everything_in("coordination-role", OptOut.DONT_KNOW))
        for n in range(5)
    ] + [
        person(f"s{n}", f"Other {n}", ICB, rating_everything_in("coordination-role", 2))
        for n in range(3)
    ]

    result = score(definition, people, rules)

    condition = result.conditions["coordination-role"]
    assert condition.score is None and condition.band is None
    assert condition.counts.dont_know == 10
    [finding] = [f for f in result.findings if f.rule == "mostly-dont-know"]
    assert finding.subjects == ("coordination-role",)
    assert "10 of 16 answers" in finding.sentence


def test_low_importance_and_high_maturity_is_not_a_priority_but_the_reverse_is(
    definition: Definition, rules: Rules
) -> None:
    def answers(level: int, importance: int) -> dict[str, int | OptOut]:
        return {
            **rating_everything_in("people-focus", level),
            "people-focus.importance": importance,
            **rating_everything_in("coordination-role", 6 - level),
            "coordination-role.importance": 5 - importance,
        }

    people = [person(f"r{n}", f"Org {n}", LA, answers(5, 1)) for n in range(4)]

    result = score(definition, people, rules)

    assert result.conditions["people-focus"].priority == 0.0
    # coordination-role: score 1, importance 4 → gap 1 × need 1
    assert result.conditions["coordination-role"].priority == 1.0
    assert [f.subjects[0] for f in result.findings if f.rule == "priority"] == ["coordination-role"]


def test_a_sector_gap_names_both_sectors(definition: Definition, rules: Rules) -> None:
    people = [
        *(
            person(f"la{n}", "Council", LA, rating_everything_in("people-focus", 4))
            for n in range(3)
        ),
        *(person(f"icb{n}", "ICB", ICB, rating_everything_in("people-focus", 2)) for n in range(3)),
    ]

    [gap] = [f for f in score(definition, people, rules).findings if f.rule == "sector-gap"]

    assert gap.subjects == ("people-focus", "local-authority", "nhs-icb")
    assert gap.numbers["gap"] == 2.0
    assert "Local authority respondents score 4.0" in gap.sentence


def test_a_recommendation_not_started_with_weak_conditions_is_flagged(
    definition: Definition, rules: Rules
) -> None:
    related = definition.recommendation("R9").related_conditions  # coordination, resources
    answers: dict[str, int | OptOut] = {"R9": 1}
    for condition_id in related:
        answers.update(rating_everything_in(condition_id, 2))
    people = [person(f"r{n}", f"Org {n}", LA, answers) for n in range(4)]

    result = score(definition, people, rules)

    [finding] = [f for f in result.findings if f.rule == "not-started-weak-foundations"]
    assert finding.subjects == ("R9", *related)
    assert result.recommendations["R9"].typical_label == "Not started"


def test_change_since_the_previous_round_is_called_only_with_enough_respondents(
    definition: Definition, rules: Rules
) -> None:
    def round_of(level: int, count: int) -> list[Respondent]:
        return [
            person(f"r{n}", f"Org {n}", LA, rating_everything_in("people-focus", level))
            for n in range(count)
        ]

    before = score(definition, round_of(2, 6), rules)
    after = score(definition, round_of(3, 6), rules, previous=before)
    few_before = score(definition, round_of(2, 3), rules)
    few_after = score(definition, round_of(3, 3), rules, previous=few_before)

    assert after.conditions["people-focus"].change is not None
    assert after.conditions["people-focus"].change.delta == 1.0
    assert [f.rule for f in after.findings if f.subjects == ("people-focus",)] == ["improved"]
    [caution] = [f for f in few_after.findings if f.rule == "change-uncertain"]
    assert "may not be a real change" in caution.sentence


def test_asks_of_government_are_ranked_by_how_much_they_would_help(
    definition: Definition, rules: Rules
) -> None:
    wants = {"R10": 2, "R11": 1, "R12": 4, "R13": 3, "R14": 2, "R15": 1}
    people = [person(f"r{n}", f"Org {n}", LA, wants) for n in range(3)]

    result = score(definition, people, rules)

    assert result.asks["government"] == ["R12", "R13", "R10", "R14", "R11", "R15"]
    assert result.asks["lga"] == ["R16", "R17", "R18", "R19", "R20", "R21", "R22"]


def test_every_result_carries_the_rules_version(definition: Definition, rules: Rules) -> None:
    result = score(definition, [], rules)

    assert result.rules_version == rules.version == "1.4"
    assert result_to_json(result)["rules_version"] == "1.4"
    assert all(c.score is None for c in result.conditions.values())


def test_statement_scores_use_only_the_statements_of_the_condition(
    definition: Definition, rules: Rules
) -> None:
    first, second, *_ = statements_of("people-focus")
    people = [person(f"r{n}", f"Org {n}", LA, {first: 2, second: 4}) for n in range(3)]

    assert score(definition, people, rules).conditions["people-focus"].score == 3.0


def _five_sectors(definition: Definition) -> list[Respondent]:
    """Council 4, ICB 3, police 3, fire 2 (under k = 3) and a community panel of 3."""
    return [
        *(
            person(f"la{n}", "Council", LA, rating_everything_in("people-focus", 4))
            for n in range(4)
        ),
        *(person(f"i{n}", "ICB", ICB, rating_everything_in("people-focus", 2)) for n in range(3)),
        *(
            person(f"p{n}", "Police", POLICE, rating_everything_in("people-focus", 3))
            for n in range(3)
        ),
        *(
            person(f"f{n}", "Fire service", FIRE, rating_everything_in("people-focus", 1))
            for n in range(2)
        ),
        *(
            person(
                f"c{n}", "Panel", Sector.COMMUNITY_MEMBER, rating_everything_in("people-focus", 5)
            )
            for n in range(3)
        ),
    ]


def test_a_small_sector_is_shown_in_a_combined_column_and_the_lived_experience_voice_kept(
    definition: Definition, rules: Rules
) -> None:
    condition = score(definition, _five_sectors(definition), rules).conditions["people-focus"]

    # Fire (2) joins the smallest other sector that is not the community panel: the ICB (3).
    assert condition.combined_sectors == ("fire-and-rescue", "nhs-icb")
    # Both organisations in it are hidden, so they count together: (2 × 1 + 3 × 2) / 5.
    assert condition.combined is not None and condition.combined.score == (2 * 1 + 3 * 2) / 5
    assert condition.by_sector["community-member"].score == 5.0
    assert condition.by_sector["fire-and-rescue"].reason == COMBINED
    assert condition.by_sector["nhs-icb"].reason == COMBINED
    # The ICB alone would let the combined column give away the fire service's score.
    assert condition.by_organisation["ICB"].suppressed
    assert condition.by_organisation["Fire service"].suppressed
    assert condition.by_organisation["Police"].score == 3.0


def test_with_small_groups_hidden_the_community_panel_is_the_complement(
    definition: Definition, rules: Rules
) -> None:
    hiding = rules.model_copy(
        update={"anonymity": rules.anonymity.model_copy(update={"small_groups": SmallGroups.HIDE})}
    )
    condition = score(definition, _five_sectors(definition), hiding).conditions["people-focus"]

    assert condition.combined is None
    assert condition.by_sector["community-member"].suppressed
    assert condition.by_sector["fire-and-rescue"].suppressed


def test_the_band_is_that_of_the_score_as_printed(definition: Definition, rules: Rules) -> None:
    # Organisation means 4.0, 4.0 and 3.875 average 3.958..., printed 4.0: a Strength.
    people = [
        *(
            person(f"a{n}", "Council", LA, rating_everything_in("people-focus", 4))
            for n in range(3)
        ),
        *(person(f"b{n}", "ICB", ICB, rating_everything_in("people-focus", 4)) for n in range(3)),
        *(
            person(f"p{n}", "Police", POLICE, rating_everything_in("people-focus", level))
            for n, level in enumerate([4] * 7 + [3])
        ),
    ]
    condition = score(definition, people, rules).conditions["people-focus"]

    assert condition.score is not None and f"{condition.score:.1f}" == "4.0"
    assert condition.score < 4.0
    assert condition.band == "strength"
