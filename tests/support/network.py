"""Places that share with the network, made quickly for tests: each has one published round
whose stored snapshot is the demo baseline's (the network reads only snapshots), with the
region, type and naming each test asks for."""

import copy
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from app.core.db import write_session
from app.enums import AreaType, PeerVisibility, Region, RoundStatus
from app.models import AssessmentRound, NetworkShare, Place, Publication


def sharing_places(
    engine: Engine,
    regions: Sequence[Region],
    named: Sequence[bool],
    prefix: str = "Shire",
    scores: Mapping[int, Mapping[str, float]] | None = None,
    earlier: Mapping[int, Mapping[str, float]] | None = None,
) -> list[str]:
    """One place per region given, named to others where ``named`` says, with the baseline's
    scores but for ``scores`` (by place number, condition: score); their names. A place in
    ``earlier`` also shared a round a year before, with the baseline's scores but for those."""
    with write_session(engine) as session:
        baseline = session.exec(
            select(Publication, AssessmentRound)
            .join(AssessmentRound)
            .where(AssessmentRound.status == RoundStatus.PUBLISHED)
            .order_by(Publication.id)
        ).first()
        assert baseline is not None, "the demo's published rounds are there"
        publication, demo_round = baseline
        names = []
        for number, (region, is_named) in enumerate(zip(regions, named, strict=True)):
            place = Place(
                name=f"{prefix} {number:02d}",
                slug=f"{prefix.lower()}-{number:02d}",
                region=region,
                area_type=AreaType.DISTRICT,
            )
            session.add(place)
            session.flush()
            rounds = [(None, (scores or {}).get(number, {}))]
            if earlier is not None and number in earlier:
                rounds.append((datetime.now(UTC) - timedelta(days=365), earlier[number]))
            for created_at, changed in rounds:
                shared = AssessmentRound(
                    place_id=place.id or 0,
                    title="Shared round" if created_at is None else "Earlier shared round",
                    questionnaire_hash=demo_round.questionnaire_hash,
                    status=RoundStatus.PUBLISHED,
                    **({"created_at": created_at} if created_at else {}),
                )
                session.add(shared)
                session.flush()
                snapshot = copy.deepcopy(publication.snapshot)
                assert snapshot is not None
                for condition, score in changed.items():
                    snapshot["result"]["conditions"][condition]["score"] = score
                session.add(
                    Publication(
                        round_id=shared.id or 0,
                        contributions=publication.contributions,
                        snapshot=snapshot,
                    )
                )
                session.add(
                    NetworkShare(
                        round_id=shared.id or 0,
                        visibility=PeerVisibility.NAMED if is_named else PeerVisibility.UNNAMED,
                        contact=f"Forum team, forum@{place.slug}.example" if is_named else None,
                    )
                )
            names.append(place.name)
        session.commit()
        return names
