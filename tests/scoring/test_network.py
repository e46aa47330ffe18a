"""The network's disclosure gate: over random places, comparison groups and sequences of
releases (places joining, withdrawing, sharing a newer round, choosing to be named or not), a
reader who keeps every release and solves the equations it implies never isolates a place that
chose not to be named; no group below the minimum is shown; a place that does not share is in
no group. The reader here is written apart from Placecheck's own solver."""

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.network import (
    EVERY_PLACE,
    Group,
    Release,
    SharedRound,
    band_of,
    distribution,
    hardest_first,
    improvement,
    ranked_asks,
    release,
)

MINIMUM = 5
DIMENSIONS = ("region", "area_type")


def isolated(releases: Sequence[Release]) -> set[str]:
    """The unnamed shared rounds whose own figure some combination of every sum shown gives:
    those whose unit vector lies in the span of the groups' rows, named rounds left out as
    known. Plain Gaussian elimination over fractions."""
    named = frozenset().union(*(r.named for r in releases)) if releases else frozenset()
    rows = [
        {key: Fraction(1) for key in group.members if key not in named}
        for r in releases
        for group in r.shown
    ]
    basis: dict[str, dict[str, Fraction]] = {}
    for original in rows:
        row = dict(original)
        for pivot, vector in basis.items():
            if row.get(pivot):
                factor = row[pivot]
                for key, value in vector.items():
                    row[key] = row.get(key, Fraction(0)) - factor * value
        row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        pivot = min(row)
        row = {k: v / row[pivot] for k, v in row.items()}
        for other in basis.values():
            if other.get(pivot):
                factor = other[pivot]
                for key, value in row.items():
                    other[key] = other.get(key, Fraction(0)) - factor * value
                for key in [k for k, v in other.items() if not v]:
                    del other[key]
        basis[pivot] = row
    return {pivot for pivot, row in basis.items() if len(row) == 1}


places = st.lists(
    st.tuples(
        st.sampled_from(["north-west", "london", "south-west", None]),
        st.sampled_from(["unitary", "county", "district"]),
        st.booleans(),
    ),
    min_size=3,
    max_size=24,
)
# Each step: which places share (and with which round), and which are named.
steps = st.lists(
    st.tuples(
        st.lists(st.integers(0, 3), min_size=24, max_size=24),
        st.lists(st.booleans(), min_size=24, max_size=24),
    ),
    min_size=1,
    max_size=3,
)


def _rounds(
    spec: Sequence[tuple[str | None, str, bool]], sharing: Sequence[int], named: Sequence[bool]
) -> list[SharedRound]:
    """Place n shares round ``sharing[n]`` (0: does not share)."""
    return [
        SharedRound(
            key=f"{n}:{sharing[n]}",
            place=str(n),
            named=named[n],
            name=f"Place {n}" if named[n] else None,
            groups={"region": region, "area_type": area},
            tenths={"c": 10 + (n * 7 + sharing[n]) % 41},
        )
        for n, (region, area, _) in enumerate(spec)
        if sharing[n]
    ]


@settings(max_examples=200, deadline=None)
@given(places, steps)
def test_no_reader_of_every_release_isolates_a_place_that_is_not_named(
    spec: list[tuple[str | None, str, bool]], sequence: list[tuple[list[int], list[bool]]]
) -> None:
    releases: list[Release] = []
    for sharing, named in sequence:
        rounds = _rounds(spec, sharing, named)
        made = release(rounds, DIMENSIONS, MINIMUM, releases)
        releases.append(made)
        sharing_keys = {r.key for r in rounds}
        for group in made.shown:
            assert len(group.members) >= MINIMUM
            assert group.members <= sharing_keys  # a place not sharing is in no group
            assert group.value is not None or group.dimension == EVERY_PLACE
        assert isolated(releases) == set()


def test_a_group_below_the_minimum_and_its_complement_are_held_back() -> None:
    spec = [("north-west", "unitary", False)] * 6 + [("london", "unitary", False)] * 2
    rounds = _rounds(spec, [1] * 8, [False] * 8)

    made = release(rounds, ("region",), MINIMUM)

    shown = {(g.dimension, g.value) for g in made.shown}
    # London (2) is too small, and the North West would give it away by subtraction.
    assert shown == {(EVERY_PLACE, None)}


def test_withdrawing_takes_a_place_out_of_the_next_release_without_giving_it_away() -> None:
    spec = [("north-west", "unitary", False)] * 12
    first = release(_rounds(spec, [1] * 12, [False] * 12), ("region",), MINIMUM)
    assert {g.dimension for g in first.shown} == {EVERY_PLACE, "region"}

    second = release(_rounds(spec, [1] * 11 + [0], [False] * 12), ("region",), MINIMUM, [first])

    assert all("11:1" not in g.members for g in second.shown)
    # Eleven places against twelve would isolate the one that left: nothing new is shown
    # until enough places have changed.
    assert second.shown == ()


def test_named_places_are_known_so_they_are_no_cover() -> None:
    spec = [("north-west", "unitary", False)] * 5
    made = release(_rounds(spec, [1] * 5, [True] * 4 + [False]), ("region",), MINIMUM)

    assert made.shown == ()


def test_the_distribution_counts_every_place_once_and_names_only_the_named() -> None:
    rounds = _rounds([("london", "county", False)] * 6, [1] * 6, [True, False] * 3)
    group = Group(EVERY_PLACE, None, frozenset(r.key for r in rounds))

    made = release(rounds, ("region",), MINIMUM)
    bands, no_score = distribution(group, {r.key: r for r in rounds}, "c", made.named)

    assert sum(b.places for b in bands) + no_score == 6
    named = [name for b in bands for name in b.named]
    assert sorted(named) == ["Place 0", "Place 2", "Place 4"]
    assert [band_of(t) for t in (10, 14, 15, 49, 50)] == [10, 10, 15, 45, 45]


def _unnamed_places(figures: Callable[[int], dict[str, Any]]) -> dict[str, SharedRound]:
    """Three places not named, in no comparison group, place n with ``figures(n)``."""
    return {
        f"{n}:1": SharedRound(
            key=f"{n}:1", place=str(n), named=False, name=None, groups={}, **figures(n)
        )
        for n in range(3)
    }


def test_asks_are_ranked_by_the_mean_of_each_places_own_figure_then_by_taking_part() -> None:
    figures = {  # R16 and R17 tie on the mean; more places would take part in R17
        "R16": ([30, 35, 41], [True, False, None]),
        "R17": ([35, 35, 36], [True, True, False]),
        "R18": ([40, 40, 40], [None, None, None]),
        "R19": ([None, None, None], [None, None, None]),
    }
    rounds = _unnamed_places(
        lambda n: {
            "asks": {r: values[n] for r, (values, _) in figures.items()},
            "takes_part": {r: answers[n] for r, (_, answers) in figures.items()},
        }
    )
    group = Group(EVERY_PLACE, None, frozenset(rounds))

    ranked = ranked_asks(group, rounds, ["R16", "R17", "R18", "R19"])

    # Means by hand: R18 40; R16 (30 + 35 + 41) / 3 = 35.3 -> 35; R17 106 / 3 -> 35.
    assert [(a.recommendation_id, a.mean_tenths) for a in ranked] == [
        ("R18", 40),
        ("R17", 35),
        ("R16", 35),
    ]
    assert (ranked[1].taking_part, ranked[1].answering) == (2, 3)
    assert (ranked[2].taking_part, ranked[2].answering) == (1, 2)
    assert ranked[0].answering is None  # no place answered: not counted as no


def test_the_hardest_conditions_come_first_by_the_mean_of_each_places_score() -> None:
    scores = {"a": [20, 25, 31], "b": [18, 30, 30], "c": [40, None, 44]}
    rounds = _unnamed_places(lambda n: {"tenths": {c: values[n] for c, values in scores.items()}})
    group = Group(EVERY_PLACE, None, frozenset(rounds))

    hardest = hardest_first(group, rounds, ["a", "b", "c"])

    # By hand: a 76 / 3 = 25.3 -> 25; b 78 / 3 = 26; c 84 / 2 = 42 (one place has no score).
    assert [(m.condition_id, m.mean_tenths, m.places) for m in hardest] == [
        ("a", 25, 3),
        ("b", 26, 3),
        ("c", 42, 2),
    ]


def test_improvement_counts_each_compared_place_once_most_improved_first() -> None:
    rounds = {
        f"{n}:1": SharedRound(
            key=f"{n}:1",
            place=str(n),
            named=False,
            name=None,
            groups={},
            change={"a": verdict_a, "b": verdict_b},
        )
        for n, (verdict_a, verdict_b) in enumerate([(1, 1), (0, 1), (-1, 1), (None, 0), (1, -1)])
    }
    group = Group(EVERY_PLACE, None, frozenset(rounds))

    found = improvement(group, rounds, ["a", "b", "c"])

    assert [(c.condition_id, c.improved, c.steady, c.fell, c.compared) for c in found] == [
        ("b", 3, 1, 1, 5),  # three in five improved
        ("a", 2, 1, 1, 4),  # half improved
    ]
