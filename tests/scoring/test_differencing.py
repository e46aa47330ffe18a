"""Publishing again must not single out fewer than k people by comparison with an earlier
version."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from questionnaires.schema import OptOut
from questionnaires.sectors import Sector
from scoring.differencing import PLACE, contributions, exposed_by_content, exposed_groups
from scoring.types import Respondent

SECTORS = [Sector.LOCAL_AUTHORITY, Sector.NHS_ICB, Sector.POLICE]


def _person(number: int, level: int, sector: Sector = Sector.LOCAL_AUTHORITY) -> Respondent:
    """Each person answers one statement of their own, so no two people's answers are alike."""
    return Respondent(
        id=f"invitation-{number}",
        organisation=f"{sector.label} body",
        sector=sector,
        answers={"people-focus.1": level, "people-focus.2": OptOut.DONT_KNOW, "own": number},
    )


def test_one_more_respondent_is_exposed_in_every_group_they_belong_to() -> None:
    before = contributions([_person(n, 3) for n in range(5)])
    after = contributions([_person(n, 3) for n in range(6)])

    assert exposed_groups(before, after, 3) == {
        PLACE: 1,
        "Local authority (sector)": 1,
        "Local authority body (organisation)": 1,
    }


def test_a_changed_answer_counts_as_a_change_and_nothing_changed_is_safe() -> None:
    before = contributions([_person(n, 3) for n in range(5)])
    changed = contributions([_person(0, 4)] + [_person(n, 3) for n in range(1, 5)])

    assert exposed_groups(before, before, 3) == {}
    assert exposed_groups(before, changed, 3)[PLACE] == 1


def test_k_or_more_changes_in_every_group_are_safe() -> None:
    before = contributions([_person(n, 3) for n in range(5)])
    after = contributions([_person(n, 3) for n in range(8)])

    assert exposed_groups(before, after, 3) == {}


people = st.lists(
    st.tuples(st.integers(0, 12), st.integers(1, 5), st.sampled_from(SECTORS)),
    max_size=12,
    unique_by=lambda p: p[0],
)


@given(people, people, st.integers(2, 5))
def test_whatever_is_allowed_differs_by_none_or_at_least_k_in_every_group(
    first: list[tuple[int, int, Sector]], second: list[tuple[int, int, Sector]], k: int
) -> None:
    before = contributions([_person(*p) for p in first])
    after = contributions([_person(*p) for p in second])
    if exposed_groups(before, after, k):
        return
    changed = {r for r in before.keys() | after.keys() if before.get(r) != after.get(r)}
    groups: dict[str, set[str]] = {}
    for r in changed:
        for version in (before.get(r), after.get(r)):
            if version is not None:
                groups.setdefault(version.sector, set()).add(r)
                groups.setdefault(version.organisation, set()).add(r)
    assert len(changed) == 0 or len(changed) >= k
    assert all(len(members) >= k for members in groups.values())


def test_a_copy_with_one_person_removed_is_exposed_although_it_shares_no_ids() -> None:
    published = contributions([_person(n, 3) for n in range(6)])
    copy = contributions(
        [
            Respondent(f"copy-{n}", r.organisation, r.sector, r.answers)
            for n, r in enumerate([_person(n, 3) for n in range(1, 6)])
        ]
    )

    assert exposed_by_content(published.values(), copy.values(), 3)[PLACE] == 1
    assert exposed_by_content(published.values(), published.values(), 3) == {}


def test_people_whose_answers_are_alike_are_compared_as_many_not_as_one() -> None:
    alike = Respondent("a", "Council", Sector.LOCAL_AUTHORITY, {"people-focus.1": 3})
    before = contributions([alike, replace(alike, id="b")])

    assert exposed_by_content(before.values(), list(before.values())[:1], 3)[PLACE] == 1
