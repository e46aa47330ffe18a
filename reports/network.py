"""The national report, "The state of place-based working": the network's latest release as a
document the LGA, a region or an integrated care system can circulate (Recommendations 16, 18
and 22). It is built from the release's figures alone, which the network's gate has already
passed, and from the names places allow now, so it can show nothing the network page does not.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reports import charts
from reports.wording import long_date
from scoring.network import EVERY_PLACE
from scoring.rounding import one_decimal

WEAK_TENTHS = 30
"""A place scoring below 3.0 on a condition is shown who is strong on it, and its forum report
cites the library's stories about it."""
STRONG_TENTHS = 35
"""A place scoring 3.5 or more on a condition is listed as strong on it, if it agreed to be
named."""


@dataclass(frozen=True)
class StrongPlace:
    name: str
    low_tenths: int
    high_tenths: int


def strong_places(
    group: Mapping[str, Any], named: Mapping[str, str | None]
) -> dict[str, list[StrongPlace]]:
    """By condition, the places of a released group in the bands from 3.5 up that may be
    named now (``named_now``), the strongest first; conditions with none are left out."""
    strong: dict[str, list[StrongPlace]] = {}
    for condition_id, condition in group["conditions"].items():
        listed = [
            StrongPlace(name, band["low"], band["high"])
            for band in reversed(condition["bands"])
            if band["low"] >= STRONG_TENTHS
            for name in band["named"]
            if name in named
        ]
        if listed:
            strong[condition_id] = listed
    return strong


@dataclass(frozen=True)
class BandRow:
    number: int
    title: str
    counts: list[int]
    no_score: int
    chart: str
    alt: str


@dataclass(frozen=True)
class GroupRow:
    label: str
    places: int
    means: list[str]
    """Each condition's mean of the group's places as printed, in the questionnaire's order;
    a dash where no place in the group has a score for it."""


@dataclass(frozen=True)
class ChangeRow:
    number: int
    title: str
    improved: int
    steady: int
    fell: int
    compared: int


@dataclass(frozen=True)
class AskRow:
    rank: int
    number: int
    title: str
    mean: str
    places: int
    taking_part: str | None


@dataclass(frozen=True)
class AskList:
    part_id: str
    title: str
    rule: str
    rows: list[AskRow]
    asks_taking_part: bool


@dataclass(frozen=True)
class Story:
    """A story published in the network's library (the editor has read it)."""

    place: str
    title: str
    condition_id: str
    what_they_did: str
    what_changed: str
    contact: str


@dataclass(frozen=True)
class NetworkReport:
    released_on: str
    produced_on: str
    places: int
    minimum: int
    band_headings: list[str]
    bands: list[BandRow]
    hardest: list[tuple[int, str, str, int]]
    groups: list[GroupRow]
    held_back: list[str]
    improvement: list[ChangeRow]
    asks: list[AskList]
    strong: list[tuple[str, list[str], int]]
    """By condition: the strongest named places, and how many more the network page lists."""
    stories: list[tuple[str, Story]]
    """Each with its condition's title, in the questionnaire's order of conditions."""
    change_rule: str


def network_report(
    figures: Mapping[str, Any],
    *,
    released_on: date,
    produced_on: date,
    minimum: int,
    labels: Mapping[str, str],
    conditions: Sequence[tuple[str, str]],
    recommendations: Mapping[str, str],
    parts: Mapping[str, str],
    named: Mapping[str, str | None],
    stories: Sequence[Story],
    change_rule: str,
    takes_part: str,
) -> NetworkReport | None:
    """The report of every sharing place together (the release's "all places" group), with
    each comparison group the release shows; None when the release holds every sharing place
    together back (too few places). ``labels`` names the release's groups by key; ``named`` is
    who may be named now."""
    shown = list(figures.get("shown", []))
    every = next((g for g in shown if g["dimension"] == EVERY_PLACE), None)
    if every is None:
        return None
    number_of = {condition_id: n for n, (condition_id, _) in enumerate(conditions, 1)}
    title_of = dict(conditions)
    first_bands = next(iter(every["conditions"].values()))["bands"]
    return NetworkReport(
        released_on=long_date(released_on),
        produced_on=long_date(produced_on),
        places=every["places"],
        minimum=minimum,
        band_headings=[
            f"{one_decimal(b['low'] / 10)}–{one_decimal(b['high'] / 10)}" for b in first_bands
        ],
        bands=[
            _band_row(number_of[c], title_of[c], every["conditions"][c])
            for c, _ in conditions
            if c in every["conditions"]
        ],
        hardest=[
            (
                number_of[m["condition"]],
                title_of[m["condition"]],
                one_decimal(m["mean"] / 10),
                m["places"],
            )
            for m in every["hardest"][:5]
        ],
        groups=sorted(
            (_group_row(g, labels, conditions) for g in shown),
            key=lambda row: (row.label != labels[EVERY_PLACE], row.label),
        ),
        held_back=[
            labels.get(group_key(g), group_key(g))
            for g in figures.get("held_back", [])
            if g["value"]
        ],
        improvement=[
            ChangeRow(
                number_of[c["condition"]],
                title_of[c["condition"]],
                c["improved"],
                c["steady"],
                c["fell"],
                c["compared"],
            )
            for c in every.get("improvement", [])
        ],
        asks=[
            _ask_list(part_id, parts.get(part_id, part_id), asks, recommendations, takes_part)
            for part_id, asks in every["asks"].items()
            if asks
        ],
        strong=_strong(every, named, conditions),
        stories=[
            (title, story)
            for condition_id, title in conditions
            for story in stories
            if story.condition_id == condition_id
        ],
        change_rule=change_rule,
    )


def group_key(group: Mapping[str, Any]) -> str:
    """How a page's address and a report name a released group (\"region:north-west\")."""
    return (
        group["dimension"]
        if group["dimension"] == EVERY_PLACE
        else f"{group['dimension']}:{group['value']}"
    )


def _band_row(number: int, title: str, condition: Mapping[str, Any]) -> BandRow:
    counts = [band["places"] for band in condition["bands"]]
    in_words = "; ".join(
        f"{band['places']} from {one_decimal(band['low'] / 10)} to {one_decimal(band['high'] / 10)}"
        for band in condition["bands"]
        if band["places"]
    )
    return BandRow(
        number,
        title,
        counts,
        condition["no_score"],
        charts.data_uri(
            charts.stacked_distribution(dict(enumerate(counts, 1)), len(counts), width=170)
        ),
        f"Places in each band: {in_words or 'none'}.",
    )


def _group_row(
    group: Mapping[str, Any], labels: Mapping[str, str], conditions: Sequence[tuple[str, str]]
) -> GroupRow:
    means = {m["condition"]: one_decimal(m["mean"] / 10) for m in group["hardest"]}
    return GroupRow(
        labels[group_key(group)],
        group["places"],
        [means.get(condition_id, "–") for condition_id, _ in conditions],
    )


def _ask_list(
    part_id: str,
    title: str,
    asks: Sequence[Mapping[str, Any]],
    recommendations: Mapping[str, str],
    takes_part: str,
) -> AskList:
    asking = asks[0]["answering"] is not None
    rule = (
        "Ranked by the mean of each place's own figure, each place counted once as its own "
        "report prints it (the mean of its partners' organisation means)"
        + (f", then by the share of places that would take part. {takes_part}" if asking else ".")
    )
    return AskList(
        part_id,
        title,
        rule,
        [
            AskRow(
                rank,
                int(ask["recommendation"][1:]),
                recommendations.get(ask["recommendation"], ""),
                one_decimal(ask["mean"] / 10),
                ask["places"],
                f"{ask['taking_part']} of {ask['answering']}" if ask["answering"] else None,
            )
            for rank, ask in enumerate(asks, 1)
        ],
        asking,
    )


STRONG_NAMED_IN_PRINT = 8
"""A printed page names the strongest few on each condition; the network page lists all."""


def _strong(
    every: Mapping[str, Any], named: Mapping[str, str | None], conditions: Sequence[tuple[str, str]]
) -> list[tuple[str, list[str], int]]:
    """By condition, the strongest named places (at most ``STRONG_NAMED_IN_PRINT``) and how
    many more there are."""
    strong = strong_places(every, named)
    return [
        (
            title,
            [p.name for p in strong[c][:STRONG_NAMED_IN_PRINT]],
            max(len(strong[c]) - STRONG_NAMED_IN_PRINT, 0),
        )
        for c, title in conditions
        if c in strong
    ]
