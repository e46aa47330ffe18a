"""Rounds made directly in the database, for tests that need a few known invitations rather
than the demo: a place with an open round and invitations whose tokens the test knows."""

from dataclasses import dataclass

from sqlalchemy import Engine

from app.core.db import write_session
from app.enums import RoundStatus
from app.invitations.service import invite
from app.models import AssessmentRound, InvitationBase, Organisation, Place
from app.rounds.definitions import snapshot_definition
from questionnaires.registry import Registry
from questionnaires.sectors import Sector


@dataclass(frozen=True)
class Invited:
    round_id: int
    council: str
    community: str
    voluntary: str


def make_round(engine: Engine, status: RoundStatus = RoundStatus.OPEN) -> Invited:
    with write_session(engine) as session:
        place = Place(name="Testford", slug="testford")
        session.add(place)
        session.flush()
        assert place.id is not None
        snapshot = snapshot_definition(session=session, definition=Registry().get("trusting-place"))
        assessment_round = AssessmentRound(
            place_id=place.id,
            title="Testford round 1",
            questionnaire_hash=snapshot.content_hash,
            status=status,
        )
        organisations = {
            sector: Organisation(place_id=place.id, name=name, sector=sector)
            for name, sector in (
                ("Testford Council", Sector.LOCAL_AUTHORITY),
                ("Testford Voices", Sector.COMMUNITY_MEMBER),
                ("Testford CVS", Sector.VOLUNTARY_AND_COMMUNITY),
            )
        }
        session.add(assessment_round)
        session.add_all(organisations.values())
        session.flush()
        assert assessment_round.id is not None
        tokens = {
            sector: invite(
                session=session,
                assessment_round=assessment_round,
                organisation=organisation,
                invitee=InvitationBase(role_title="Director"),
                secret="test-secret",
            )[1]
            for sector, organisation in organisations.items()
        }
        session.commit()
        return Invited(
            assessment_round.id,
            tokens[Sector.LOCAL_AUTHORITY],
            tokens[Sector.COMMUNITY_MEMBER],
            tokens[Sector.VOLUNTARY_AND_COMMUNITY],
        )


def set_status(engine: Engine, round_id: int, status: RoundStatus) -> None:
    with write_session(engine) as session:
        assessment_round = session.get(AssessmentRound, round_id)
        assert assessment_round is not None
        assessment_round.status = status
        session.add(assessment_round)
        session.commit()
