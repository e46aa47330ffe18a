"""Properties of the scoring rules that must hold for any answers at all."""

import dataclasses
import math
import random
import statistics

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from questionnaires.schema import ItemKind, OptOut
from questionnaires.sectors import Sector
from scoring.engine import score
from scoring.rules import SmallGroups
from scoring.serialise import result_to_json
from scoring.stats import is_split, split_sides
from scoring.types import AnswerValue, Respondent, ScoreResult
from tests.support.scoring import DEFINITION, RULES

# Three conditions keep examples small while still crossing sectors and organisations.
CONDITIONS = ["people-focus", "shared-outcomes-and-accountability", "coordination-role"]
ORGANISATIONS = {
    "Council": Sector.LOCAL_AUTHORITY,
    "ICB": Sector.NHS_ICB,
    "Trust": Sector.NHS_PROVIDER,
    "Police": Sector.POLICE,
    "Fire": Sector.FIRE_AND_RESCUE,
    "CVS": Sector.VOLUNTARY_AND_COMMUNITY,
    "Housing trust": Sector.HOUSING,
    "Panel": Sector.COMMUNITY_MEMBER,
}
K = RULES.anonymity.threshold


def _asked(sector: Sector) -> list[str]:
    return [
        item.id
        for item in DEFINITION.items_for(sector)
        if item.subject in CONDITIONS and item.kind in {ItemKind.STATEMENT, ItemKind.IMPORTANCE}
    ]


answer_values = st.one_of(
    st.integers(min_value=1, max_value=5),
    st.sampled_from([OptOut.DONT_KNOW, OptOut.NOT_APPLICABLE]),
)


@st.composite
def respondent(draw: st.DrawFn, rid: str) -> Respondent:
    organisation = draw(st.sampled_from(sorted(ORGANISATIONS)))
    sector = ORGANISATIONS[organisation]
    answers: dict[str, AnswerValue] = {}
    for item_id in _asked(sector):
        if not draw(st.booleans()):
            continue
        value = draw(answer_values)
        if item_id.endswith(".importance"):
            value = (
                value
                if value == OptOut.DONT_KNOW
                else min(int(value), 4)
                if isinstance(value, int)
                else OptOut.DONT_KNOW
            )
        answers[item_id] = value
    return Respondent(id=rid, organisation=organisation, sector=sector, answers=answers)


@st.composite
def rounds(draw: st.DrawFn) -> list[Respondent]:
    size = draw(st.integers(min_value=0, max_value=18))
    return [draw(respondent(f"r{n:02d}")) for n in range(size)]


def condition_scores(result: ScoreResult) -> list[float]:
    values: list[float | None] = []
    for condition in result.conditions.values():
        values += [condition.score, condition.score_headcount]
        for group in [*condition.by_sector.values(), *condition.by_organisation.values()]:
            values += [group.score, group.score_headcount]
    return [v for v in values if v is not None]


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEAK_SETTINGS = settings(SETTINGS, max_examples=250)


@SETTINGS
@given(rounds())
def test_scores_stay_within_the_scale(people: list[Respondent]) -> None:
    """A score outside 1–5 would put a condition off the chart and in no band."""
    result = score(DEFINITION, people, RULES)

    assert all(1.0 <= value <= 5.0 for value in condition_scores(result))
    assert all(
        0.0 <= c.priority <= 1.0 for c in result.conditions.values() if c.priority is not None
    )


@SETTINGS
@given(rounds(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_respondents_or_answers(
    people: list[Respondent], shuffler: random.Random
) -> None:
    """The same answers must always give the same report, however they were stored."""
    shuffled = [
        dataclasses.replace(
            r, answers=dict(shuffler.sample(list(r.answers.items()), len(r.answers)))
        )
        for r in shuffler.sample(people, len(people))
    ]

    assert result_to_json(score(DEFINITION, shuffled, RULES)) == result_to_json(
        score(DEFINITION, people, RULES)
    )


@SETTINGS
@given(rounds(), st.data())
def test_raising_one_answer_never_lowers_that_conditions_score(
    people: list[Respondent], data: st.DataObject
) -> None:
    """A partner who sees more progress must never make the place look worse."""
    raisable = [
        (index, item_id)
        for index, r in enumerate(people)
        for item_id, value in r.answers.items()
        if isinstance(value, int) and value < 5 and not item_id.endswith(".importance")
    ]
    if not raisable:
        return
    index, item_id = data.draw(st.sampled_from(raisable))
    raised = list(people)
    answers = dict(raised[index].answers)
    answers[item_id] = int(answers[item_id]) + 1
    raised[index] = dataclasses.replace(raised[index], answers=answers)
    condition = DEFINITION.items_by_id[item_id].subject

    before = score(DEFINITION, people, RULES).conditions[condition]
    after = score(DEFINITION, raised, RULES).conditions[condition]

    for old, new in ((before.score, after.score), (before.score_headcount, after.score_headcount)):
        assert (old is None) == (new is None)
        if old is not None and new is not None:
            assert new >= old - 1e-12


@SETTINGS
@given(rounds(), st.data())
def test_adding_dont_know_answers_changes_no_score(
    people: list[Respondent], data: st.DataObject
) -> None:
    """'Don't know' is counted, never averaged: it can withhold a score when it becomes the
    majority answer, but it never moves one."""
    more_unknowns = []
    for r in people:
        unanswered = [i for i in _asked(r.sector) if i not in r.answers]
        chosen = data.draw(st.lists(st.sampled_from(unanswered), unique=True)) if unanswered else []
        more_unknowns.append(
            dataclasses.replace(r, answers={**r.answers, **dict.fromkeys(chosen, OptOut.DONT_KNOW)})
        )

    before = score(DEFINITION, people, RULES)
    after = score(DEFINITION, more_unknowns, RULES)

    for condition_id, old in before.conditions.items():
        new = after.conditions[condition_id]
        if new.score is None and old.score is not None:
            assert new.no_score_reason and "don't know" in new.no_score_reason
            continue
        assert new.score == old.score
        assert new.score_headcount == old.score_headcount
        assert new.importance == old.importance
        for name, group in old.by_sector.items():
            assert new.by_sector[name].score == group.score


@SETTINGS
@given(rounds(), st.sampled_from(sorted(ORGANISATIONS)))
def test_duplicating_one_organisations_respondents_leaves_the_headline_unchanged(
    people: list[Respondent], organisation: str
) -> None:
    """Sending more people must not give an organisation more weight (an organisation shown on
    its own, while the ones counted together, being too small to show, stay the same)."""
    copies = [
        dataclasses.replace(r, id=f"{r.id}-copy") for r in people if r.organisation == organisation
    ]

    before = score(DEFINITION, people, RULES)
    after = score(DEFINITION, people + copies, RULES)

    for condition_id, old in before.conditions.items():
        new = after.conditions[condition_id]
        if (
            old.score is not None
            and new.counted_together == old.counted_together
            and organisation not in old.counted_together
        ):
            assert new.score is not None and math.isclose(new.score, old.score, abs_tol=1e-9)


def _sizes(people: list[Respondent], condition_id: str) -> tuple[dict[str, int], dict[str, str]]:
    statements = {
        item.id
        for item in DEFINITION.items
        if item.subject == condition_id and item.kind is ItemKind.STATEMENT
    }
    sizes: dict[str, int] = {}
    sector_of: dict[str, str] = {}
    for r in people:
        if any(isinstance(r.answers.get(i), int) for i in statements):
            sizes[r.organisation] = sizes.get(r.organisation, 0) + 1
            sector_of[r.organisation] = r.sector.value
    return sizes, sector_of


def _hidden_total_is_safe(sizes: dict[str, int], hidden: set[str]) -> bool:
    """Within a shown total, the hidden groups together must have 0 or at least k people, or
    there must be nothing shown to subtract."""
    total = sum(sizes[name] for name in hidden)
    return total == 0 or total >= K or hidden == set(sizes)


@LEAK_SETTINGS
@given(rounds(), st.sampled_from([SmallGroups.MERGE, SmallGroups.HIDE]))
def test_suppressed_groups_never_leak_a_score(
    people: list[Respondent], small_groups: SmallGroups
) -> None:
    """A group under the threshold must not be readable directly, by subtraction from a total
    (the place, a sector, the combined column) or from the other breakdown, or through a
    finding that names it; a combined column has at least k people and is the sum of the
    sectors it names."""
    rules = RULES.model_copy(
        update={"anonymity": RULES.anonymity.model_copy(update={"small_groups": small_groups})}
    )
    result = score(DEFINITION, people, rules)
    as_json = result_to_json(result)

    for condition_id, condition in result.conditions.items():
        sizes, sector_of = _sizes(people, condition_id)
        sector_sizes: dict[str, int] = {}
        for organisation, size in sizes.items():
            sector = sector_of[organisation]
            sector_sizes[sector] = sector_sizes.get(sector, 0) + size
        hidden_orgs = {n for n, g in condition.by_organisation.items() if g.suppressed}
        hidden_sectors = {n for n, g in condition.by_sector.items() if g.suppressed}
        combined = set(condition.combined_sectors)

        for breakdown, hidden in (("by_sector", hidden_sectors), ("by_organisation", hidden_orgs)):
            for name in hidden:
                group = getattr(condition, breakdown)[name]
                assert group.score is None and group.score_headcount is None
                assert as_json["conditions"][condition_id][breakdown][name] == {
                    "suppressed": True,
                    "reason": group.reason,
                }
        assert {n for n, size in sizes.items() if size < K} <= hidden_orgs
        assert {n for n, size in sector_sizes.items() if size < K} <= hidden_sectors
        # A combined column stands for its sectors: it is shown as one group of at least k, and
        # every sector in it is hidden on its own.
        shown_totals = {s: n for s, n in sector_sizes.items() if s not in combined}
        assert bool(combined) == (condition.combined is not None)
        if condition.combined is not None:
            event("a combined column is shown")
            assert condition.combined.score is not None
            assert small_groups is SmallGroups.MERGE
            assert combined <= hidden_sectors
            assert sum(sector_sizes[s] for s in combined) >= K
            shown_totals["combined"] = sum(sector_sizes[s] for s in combined)
            members = {o: n for o, n in sizes.items() if sector_of[o] in combined}
            assert _hidden_total_is_safe(members, hidden_orgs & set(members))
        hidden_alone = hidden_sectors - combined
        assert {o for o in sizes if sector_of[o] in hidden_alone} <= hidden_orgs
        assert _hidden_total_is_safe(shown_totals, {s for s in shown_totals if s in hidden_alone})
        assert _hidden_total_is_safe(sizes, hidden_orgs)
        for sector in set(sector_sizes) - hidden_sectors:
            members = {o: n for o, n in sizes.items() if sector_of[o] == sector}
            assert not set(members) <= hidden_orgs
            assert _hidden_total_is_safe(members, hidden_orgs & set(members))

        for finding in result.findings:
            if finding.subjects[0] == condition_id:
                assert not set(finding.subjects[1:]) & hidden_sectors


@given(
    st.lists(
        st.integers(min_value=3, max_value=15).map(lambda thirds: thirds / 3),
        min_size=RULES.disagreement.minimum_ratings,
        max_size=40,
    )
)
def test_a_split_is_exactly_when_its_two_sides_hold_more_than_the_rules_share(
    averages: list[float],
) -> None:
    """People's averages in thirds, as three statements give them: the sides count everyone
    once, and the split rule's verdict is the printed count's (outside of people above the
    share), so the sentence on the page agrees with the band."""
    sides = split_sides(averages, RULES.disagreement)
    middle, band = statistics.median(averages), RULES.disagreement.band
    below = sum(1 for a in averages if abs(a - middle) > band and a < middle)
    above = sum(1 for a in averages if abs(a - middle) > band and a > middle)

    assert (sides.below, sides.above, sides.people) == (below, above, len(averages))
    assert is_split(averages, RULES.disagreement) is (
        (below + above) / len(averages) > RULES.disagreement.maximum_share_outside
    )
