"""The network's open data: a release's aggregates as one CSV anyone may download and reuse,
once its restricted period is over (as LG Inform opens its figures after councils have seen
them first). Only what the release already shows, through the same gate, and no place named:
the CSV is the anonymised version, for reuse beyond the network.

One tidy table: a row per figure, with the group it is of, what it measures and of what.
"""

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.core.csvfile import spreadsheet_row
from app.models import NetworkRelease
from app.network.releases import group_label
from questionnaires.schema import Definition

COLUMNS = [
    "released_on",
    "questionnaire_and_rules_version",
    "group",
    "places_in_group",
    "measure",
    "subject_id",
    "subject",
    "band",
    "value",
]
MEASURES = {
    "places_in_band": "sharing places whose score for the condition is in the band",
    "places_with_no_score": "sharing places whose report shows no score for the condition",
    "mean_score": "mean of each place's score as printed (each place once), one decimal",
    "places_improved": "places that improved since their previous shared round",
    "places_no_real_change": "places with no real change since their previous shared round",
    "places_fell": "places that fell since their previous shared round",
    "places_compared": "places with a previous shared round to compare",
    "ask_mean": "mean of each place's rating of the recommendation, one decimal",
    "ask_places": "places rating the recommendation",
    "places_taking_part": "places that would take part in the LGA's offer",
    "places_answering_taking_part": "places answering whether they would take part",
}
"""What each measure counts, printed in the README beside the CSV's columns."""


def open_release_id(session: Session, restricted_days: int, now: datetime) -> int | None:
    """The newest release whose restricted period is over, if any (its id only: the network
    page asks on every visit, and a release's figures are large)."""
    return session.exec(
        select(NetworkRelease.id)
        .where(col(NetworkRelease.made_at) <= now - timedelta(days=restricted_days))
        .order_by(col(NetworkRelease.id).desc())
        .limit(1)
    ).first()


def open_release(session: Session, restricted_days: int, now: datetime) -> NetworkRelease | None:
    """The newest release whose restricted period is over, if any."""
    release_id = open_release_id(session, restricted_days, now)
    return session.get(NetworkRelease, release_id) if release_id is not None else None


def open_data_csv(release: NetworkRelease, definition: Definition) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in _rows(release, definition):
        writer.writerow(spreadsheet_row(row))
    return out.getvalue()


def _rows(release: NetworkRelease, definition: Definition) -> Iterator[list[Any]]:
    conditions = {c.id: c.title for c in definition.conditions}
    recommendations = {r.id: r.title for r in definition.recommendations}
    released_on = release.made_at.date().isoformat()
    for group in release.figures.get("shown", []):
        head = [released_on, release.version, group_label(group), group["places"]]
        for condition_id, condition in group["conditions"].items():
            title = conditions.get(condition_id, condition_id)
            for band in condition["bands"]:
                band_words = f"{band['low'] / 10:.1f}-{band['high'] / 10:.1f}"
                yield [*head, "places_in_band", condition_id, title, band_words, band["places"]]
            yield [*head, "places_with_no_score", condition_id, title, "", condition["no_score"]]
        for mean in group["hardest"]:
            condition_id = mean["condition"]
            title = conditions.get(condition_id, condition_id)
            yield [*head, "mean_score", condition_id, title, "", f"{mean['mean'] / 10:.1f}"]
        for change in group.get("improvement", []):
            condition_id = change["condition"]
            title = conditions.get(condition_id, condition_id)
            for measure, key in (
                ("places_improved", "improved"),
                ("places_no_real_change", "steady"),
                ("places_fell", "fell"),
                ("places_compared", "compared"),
            ):
                yield [*head, measure, condition_id, title, "", change[key]]
        for asks in group["asks"].values():
            for ask in asks:
                rid = ask["recommendation"]
                title = f"Recommendation {rid[1:]}: {recommendations.get(rid, '')}"
                yield [*head, "ask_mean", rid, title, "", f"{ask['mean'] / 10:.1f}"]
                yield [*head, "ask_places", rid, title, "", ask["places"]]
                if ask["answering"] is not None:
                    yield [*head, "places_taking_part", rid, title, "", ask["taking_part"]]
                    yield [*head, "places_answering_taking_part", rid, title, "", ask["answering"]]
