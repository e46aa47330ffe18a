"""The network's releases: the figures of every sharing place, read from what each round
stored when it was published (never live answers), put through the gate one level up
(``scoring.network``) and stored once, so that a network page reads one row, whatever the
number of places and answers behind it.

Each place counts once, by its latest shared round; a place that withdraws leaves the next
release. Figures of different questionnaire or rules versions are never pooled: each version
has releases of its own.
"""

import hashlib
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from app.accounts.access import may_edit_network
from app.core.db import lock_until_commit
from app.enums import AreaType, PeerVisibility, Region, RoundStatus, RuralUrban
from app.models import (
    AssessmentRound,
    NetworkRelease,
    NetworkShare,
    Place,
    PlaceMembership,
    Publication,
    User,
)
from app.results.rules import load_rules
from app.results.snapshots import current_publication, snapshot_of
from reports.network import WEAK_TENTHS, StrongPlace
from scoring.engine import change_between
from scoring.network import (
    EVERY_PLACE,
    Group,
    Release,
    SharedRound,
    distribution,
    hardest_first,
    improvement,
    ranked_asks,
    release,
)
from scoring.rounding import tenths
from scoring.rules import Rules
from scoring.types import ScoreResult

DIMENSIONS = {
    "region": ("Region", Region),
    "area_type": ("Type of area", AreaType),
    "rural_urban": ("Rural and urban class", RuralUrban),
}
"""The ways places are compared (as LG Inform groups councils), with the words for each."""


@dataclass
class VersionRounds:
    """The shared rounds of one questionnaire and rules version, and which recommendations
    each part of its asks (of government, of the LGA) holds."""

    rounds: list[SharedRound] = field(default_factory=list)
    parts: dict[str, list[str]] = field(default_factory=dict)


def shared_rounds(
    session: Session, place_ids: set[int] | None = None, *, with_change: bool = False
) -> dict[str, VersionRounds]:
    """Each sharing place's latest shared round (of ``place_ids`` only, if given), by
    version, as its published snapshot gives its scores (as printed); ``with_change`` also
    compares each with the place's previous shared round of the same version."""
    query = (
        select(NetworkShare, AssessmentRound, Place)
        .join(AssessmentRound, col(AssessmentRound.id) == col(NetworkShare.round_id))
        .join(Place, col(Place.id) == col(AssessmentRound.place_id))
        .where(AssessmentRound.status == RoundStatus.PUBLISHED)
        .order_by(col(AssessmentRound.created_at).desc(), col(AssessmentRound.id).desc())
    )
    if place_ids is not None:
        query = query.where(col(Place.id).in_(place_ids))
    by_place: dict[int, list[tuple[NetworkShare, AssessmentRound, Place]]] = defaultdict(list)
    for share, assessment_round, place in session.exec(query).all():
        by_place[place.id or 0].append((share, assessment_round, place))
    rules = load_rules() if with_change else None
    by_version: dict[str, VersionRounds] = defaultdict(VersionRounds)
    for shared in by_place.values():
        share, assessment_round, place = shared[0]
        result = _published_result(session, assessment_round)
        if result is None:
            continue
        version_key = f"{assessment_round.questionnaire_hash}/{result.rules_version}"
        previous = None
        if rules is not None:
            previous = next(
                (
                    earlier
                    for _, earlier_round, _ in shared[1:]
                    if earlier_round.questionnaire_hash == assessment_round.questionnaire_hash
                    and (earlier := _published_result(session, earlier_round)) is not None
                    and earlier.rules_version == result.rules_version
                ),
                None,
            )
        named = share.visibility is PeerVisibility.NAMED
        version = by_version[version_key]
        version.rounds.append(
            SharedRound(
                key=f"{place.id}:{assessment_round.id}",
                place=str(place.id),
                named=named,
                name=place.name if named else None,
                groups={
                    "region": place.region.value if place.region else None,
                    "area_type": place.area_type.value if place.area_type else None,
                    "rural_urban": place.rural_urban.value if place.rural_urban else None,
                },
                tenths={
                    c.condition_id: tenths(c.score) if c.score is not None else None
                    for c in result.conditions.values()
                },
                asks={
                    r.recommendation_id: tenths(r.score) if r.score is not None else None
                    for r in result.recommendations.values()
                    if r.part in result.asks
                },
                takes_part={
                    r.recommendation_id: _takes_part(r.follow_up)
                    for r in result.recommendations.values()
                    if r.part in result.asks
                },
                change=_changes(result, previous, rules) if previous and rules else {},
            )
        )
        version.parts = {
            part: sorted(
                (r.recommendation_id for r in result.recommendations.values() if r.part == part),
                key=lambda rid: int(rid[1:]),
            )
            for part in result.asks
        }
    return by_version


def _published_result(session: Session, assessment_round: AssessmentRound) -> ScoreResult | None:
    publication = current_publication(session=session, assessment_round=assessment_round)
    snapshot = snapshot_of(publication) if publication else None
    return snapshot.result if snapshot else None


def _changes(now: ScoreResult, before: ScoreResult, rules: Rules) -> dict[str, int | None]:
    """Each condition's verdict since ``before``, as a place's own report decides a change."""
    verdicts: dict[str, int | None] = {}
    for condition_id, current in now.conditions.items():
        earlier = before.conditions.get(condition_id)
        change = change_between(current, earlier, rules) if earlier else None
        if change is None or change.delta is None:
            verdicts[condition_id] = None
        else:
            verdicts[condition_id] = (1 if change.delta > 0 else -1) if change.called else 0
    return verdicts


def _takes_part(follow_up: dict[int, int]) -> bool | None:
    """``scoring.network.TAKES_PART``: the top of the scale is yes."""
    answered = sum(follow_up.values())
    if not answered:
        return None
    return 2 * follow_up.get(max(follow_up), 0) >= answered


def _earlier(session: Session, version: str) -> list[Release]:
    return [
        Release(
            tuple(
                Group(g["dimension"], g["value"], frozenset(g["members"]))
                for g in stored.members.get("shown", [])
            ),
            (),
            frozenset(stored.members.get("named", [])),
        )
        for stored in session.exec(
            select(NetworkRelease)
            .where(NetworkRelease.version == version)
            .order_by(col(NetworkRelease.id))
        ).all()
    ]


def make_releases(session: Session, minimum: int) -> list[NetworkRelease]:
    """A new release of every version's figures, each checked against that version's earlier
    releases; what each shows and holds back is in its ``figures``."""
    made = _releases(session, minimum, sharing_digest(session))
    session.add_all(made)
    session.flush()
    return made


def _releases(session: Session, minimum: int, digest: str) -> list[NetworkRelease]:
    """The releases, worked out by reading only (the long part: every snapshot, and the
    solver), not yet stored."""
    made = []
    for version, shared in shared_rounds(session, with_change=True).items():
        rounds = shared.rounds
        decided = release(rounds, list(DIMENSIONS), minimum, _earlier(session, version))
        by_key = {r.key: r for r in rounds}
        figures = {
            "places": len(rounds),
            "shown": [
                _figures_of(group, by_key, decided.named, shared.parts) for group in decided.shown
            ],
            "held_back": [{"dimension": g.dimension, "value": g.value} for g in decided.held_back],
        }
        members = {
            "shown": [
                {"dimension": g.dimension, "value": g.value, "members": sorted(g.members)}
                for g in decided.shown
            ],
            "named": sorted(decided.named),
            "digest": digest,
        }
        made.append(
            NetworkRelease(
                version=version, minimum_places=minimum, figures=figures, members=members
            )
        )
    return made


def sharing_digest(session: Session) -> str:
    """What a release depends on besides the snapshots themselves, cheaply: which rounds are
    shared and how, whether they are still published and by which publication, and how their
    places are grouped. A schedule releases again only when this has changed."""
    latest = (
        select(Publication.round_id, func.max(Publication.id).label("publication"))
        .group_by(col(Publication.round_id))
        .subquery()
    )
    rows = session.execute(
        sa_select(
            col(NetworkShare.round_id),
            col(NetworkShare.visibility),
            col(AssessmentRound.status),
            latest.c.publication,
            col(Place.id),
            col(Place.region),
            col(Place.area_type),
            col(Place.rural_urban),
        )
        .join(AssessmentRound, col(AssessmentRound.id) == col(NetworkShare.round_id))
        .join(Place, col(Place.id) == col(AssessmentRound.place_id))
        .outerjoin(latest, latest.c.round_id == col(NetworkShare.round_id))
        .order_by(col(NetworkShare.round_id))
    ).all()
    return hashlib.sha256(repr([tuple(map(str, row)) for row in rows]).encode()).hexdigest()


def release_due(session: Session, every_days: int, now: datetime) -> bool:
    """Whether the schedule should release: the newest release is at least ``every_days`` old
    (or there is none) and sharing has changed since it was made."""
    newest = session.exec(select(NetworkRelease.made_at).order_by(col(NetworkRelease.id).desc()))
    made_at = newest.first()
    if made_at is not None and now - made_at < timedelta(days=every_days):
        return False
    return sharing_changed(session)


def sharing_changed(session: Session) -> bool:
    """Whether a release now would differ from the newest (its places, or how they share)."""
    return _changed_since(session, _newest_id(session), sharing_digest(session))


def _changed_since(session: Session, release_id: int | None, digest: str) -> bool:
    if release_id is None:
        return bool(session.exec(select(NetworkShare.id).limit(1)).first())
    members = session.exec(
        select(NetworkRelease.members).where(NetworkRelease.id == release_id)
    ).one()
    return bool(members.get("digest") != digest)


@dataclass(frozen=True)
class PreparedRelease:
    """A release worked out without the write lock (at national scale, seconds of reading and
    solving that would otherwise stop every save on SQLite), with what it was worked out from."""

    after: int | None
    """The newest release when it was prepared."""
    digest: str
    releases: list[NetworkRelease]


def prepare_release(session: Session, minimum: int) -> PreparedRelease | None:
    """Read only: the next release, or None when sharing has not changed since the newest (a
    second click, or a reload, releases nothing more). The newest is read first and compared
    with itself: read the other way round, a release stored in between was missed and made
    twice."""
    after = _newest_id(session)
    digest = sharing_digest(session)
    if not _changed_since(session, after, digest):
        return None
    return PreparedRelease(after, digest, _releases(session, minimum, digest))


def store_release(
    session: Session, prepared: PreparedRelease, minimum: int
) -> list[NetworkRelease] | None:
    """Under the write lock: store what was prepared, unless another release, or a change in
    sharing, came in meanwhile; then it is worked out again here (rarely), or, when that other
    release already holds the change, nothing is stored."""
    lock_until_commit(session, "network-release")
    newest, digest = _newest_id(session), sharing_digest(session)
    if newest == prepared.after and digest == prepared.digest:
        session.add_all(prepared.releases)
        session.flush()
        return prepared.releases
    return make_releases(session, minimum) if _changed_since(session, newest, digest) else None


def _newest_id(session: Session) -> int | None:
    return session.exec(
        select(NetworkRelease.id).order_by(col(NetworkRelease.id).desc()).limit(1)
    ).first()


def _figures_of(
    group: Group,
    by_key: dict[str, SharedRound],
    named: frozenset[str],
    parts: dict[str, list[str]],
) -> dict[str, Any]:
    """The group's bands for every condition, in the questionnaire's order."""
    order = next(iter(by_key.values())).tenths if by_key else {}
    conditions = {}
    for condition in order:
        bands, no_score = distribution(group, by_key, condition, named)
        conditions[condition] = {
            "bands": [
                {
                    "low": band.low_tenths,
                    "high": band.high_tenths,
                    "places": band.places,
                    "named": list(band.named),
                }
                for band in bands
            ],
            "no_score": no_score,
        }
    return {
        "dimension": group.dimension,
        "value": group.value,
        "places": len(group.members),
        "conditions": conditions,
        "hardest": [
            {"condition": m.condition_id, "mean": m.mean_tenths, "places": m.places}
            for m in hardest_first(group, by_key, list(order))
        ],
        "improvement": [
            {
                "condition": c.condition_id,
                "improved": c.improved,
                "steady": c.steady,
                "fell": c.fell,
                "compared": c.compared,
            }
            for c in improvement(group, by_key, list(order))
        ],
        "asks": {
            part: [
                {
                    "recommendation": ask.recommendation_id,
                    "mean": ask.mean_tenths,
                    "places": ask.places,
                    "taking_part": ask.taking_part,
                    "answering": ask.answering,
                }
                for ask in ranked_asks(group, by_key, ids)
            ]
            for part, ids in parts.items()
        },
    }


@dataclass(frozen=True)
class Released:
    """A release as a page reads it: its figures and members, parsed once per process (a
    release never changes once made), so a page pays for the chosen group only."""

    id: int
    made_at: datetime
    minimum_places: int
    figures: dict[str, Any]
    members: dict[str, Any]


_parsed: dict[tuple[str, int], tuple[dict[str, Any], dict[str, Any]]] = {}
_parsed_lock = threading.Lock()
KEEP_PARSED = 8


def latest_release(session: Session) -> Released | None:
    """The newest release (of the newest version released): what every network page shows."""
    newest = session.exec(
        select(NetworkRelease.id, NetworkRelease.made_at, NetworkRelease.minimum_places)
        .order_by(col(NetworkRelease.id).desc())
        .limit(1)
    ).first()
    if newest is None:
        return None
    release_id, made_at, minimum = newest
    key = (str(session.get_bind().engine.url), release_id or 0)
    with _parsed_lock:
        parsed = _parsed.get(key)
    if parsed is None:
        figures, members = session.exec(
            select(NetworkRelease.figures, NetworkRelease.members).where(
                NetworkRelease.id == release_id
            )
        ).one()
        parsed = (dict(figures), dict(members))
        with _parsed_lock:
            while len(_parsed) >= KEEP_PARSED:
                _parsed.pop(next(iter(_parsed)))
            _parsed[key] = parsed
    return Released(release_id or 0, made_at, minimum, parsed[0], parsed[1])


@dataclass(frozen=True)
class OwnPlace:
    """A place the reader belongs to that shares: its own scores, to mark on the bands."""

    name: str
    key: str
    tenths: dict[str, int | None]


def own_places(session: Session, place_ids: set[int]) -> list[OwnPlace]:
    found = []
    for shared in shared_rounds(session, place_ids).values():
        found += [
            OwnPlace(_name(session, int(r.place)), r.key, dict(r.tenths))
            for r in shared.rounds
            if int(r.place) in place_ids
        ]
    return found


def _name(session: Session, place_id: int) -> str:
    place = session.get(Place, place_id)
    return place.name if place else ""


def named_now(session: Session) -> dict[str, str | None]:
    """The places that share and may be named now, with whom to contact: a release names only
    these, so a place that withdraws, or stops being named, loses its name at once, before the
    next release takes its figures out."""
    return dict(
        session.exec(
            select(Place.name, NetworkShare.contact)
            .join(AssessmentRound, col(AssessmentRound.place_id) == col(Place.id))
            .join(NetworkShare, col(NetworkShare.round_id) == col(AssessmentRound.id))
            .where(
                NetworkShare.visibility == PeerVisibility.NAMED,
                AssessmentRound.status == RoundStatus.PUBLISHED,
            )
        ).all()
    )


@dataclass(frozen=True)
class Weakness:
    place: str
    condition_id: str
    tenths: int
    peers: list[str]


def weaknesses(own: list[OwnPlace], strong: dict[str, list[StrongPlace]]) -> list[Weakness]:
    """Each condition where one of the reader's places scores below 3.0, with the named places
    strong on it (Recommendation 18)."""
    return [
        Weakness(
            place.name,
            condition_id,
            tenths,
            [s.name for s in strong.get(condition_id, []) if s.name != place.name],
        )
        for place in own
        for condition_id, tenths in place.tenths.items()
        if tenths is not None and tenths < WEAK_TENTHS
    ]


def group_label(group: dict[str, Any]) -> str:
    """A released group in words: "Region: North West"."""
    if group["dimension"] == EVERY_PLACE:
        return "All sharing places"
    words, kind = DIMENSIONS[group["dimension"]]
    return f"{words}: {kind(group['value']).label}"


def network_audience(session: Session, user: User) -> tuple[bool, list[OwnPlace]]:
    """Whether ``user`` sees the network (a network reader or editor, an administrator, or a
    member of a place that shares: give to get), and their own sharing places, to mark."""
    place_ids = set(
        session.exec(select(PlaceMembership.place_id).where(PlaceMembership.user_id == user.id))
    )
    own = own_places(session, place_ids) if place_ids else []
    return user.reads_network or may_edit_network(user) or bool(own), own
