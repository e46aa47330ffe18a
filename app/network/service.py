"""A place's choice to share a published round's results with the network of places.

Sharing is the place's to give and to take back: nothing joins the network unless its
facilitator says so, per published round, and separately whether other places may see its name
and contact it. The choice is a row (``NetworkShare``); withdrawing it, or withdrawing the
round's publication, deletes the row, so the round's figures leave every network view at once.
"""

from sqlmodel import Session, col, delete, select

from app.core.db import lock_until_commit
from app.core.exceptions import ChangeRefusedError
from app.enums import PeerVisibility, RoundStatus
from app.models import AssessmentRound, NetworkShare, NetworkShareBase


def share_of(session: Session, assessment_round: AssessmentRound) -> NetworkShare | None:
    return session.exec(
        select(NetworkShare).where(NetworkShare.round_id == assessment_round.id)
    ).first()


def share_round(
    *, session: Session, assessment_round: AssessmentRound, choice: NetworkShareBase
) -> tuple[NetworkShare, bool]:
    """Join the network with this round's published results, or change how the place is
    shown; True when the round was not shared before. A contact is kept only for a named place
    (nobody can contact a place they cannot see)."""
    if assessment_round.status is not RoundStatus.PUBLISHED:
        raise ChangeRefusedError(
            "Only published results can join the network: publish the round first",
            field="visibility",
        )
    # Twenty clicks at once make one share, not a unique violation shown as an error.
    lock_until_commit(session, f"network-share-{assessment_round.id}")
    share = share_of(session, assessment_round)
    new = share is None
    if share is None:
        share = NetworkShare(round_id=assessment_round.id or 0, visibility=choice.visibility)
    share.visibility = choice.visibility
    share.contact = choice.contact if choice.visibility is PeerVisibility.NAMED else None
    session.add(share)
    return share, new


def withdraw_from_network(*, session: Session, assessment_round: AssessmentRound) -> bool:
    """Take the round's results out of the network; False if they were not in it."""
    removed = session.exec(
        delete(NetworkShare).where(col(NetworkShare.round_id) == assessment_round.id)
    )
    return bool(removed.rowcount)
