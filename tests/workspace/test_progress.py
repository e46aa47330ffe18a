"""The progress page warns, while there is still time to chase, about every sector and
organisation that has fewer people submitted than the anonymity threshold."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.enums import InvitationStatus, RoundStatus
from app.models import Invitation, Organisation
from tests.support.pages import main_content
from tests.support.records import set_status
from tests.support.workspace import Workspace, round_of


def _submitted(engine: Engine, round_id: int) -> dict[tuple[str, str], int]:
    with Session(engine) as session:
        rows = session.exec(
            select(Organisation, Invitation.status)
            .join(Invitation, col(Invitation.organisation_id) == col(Organisation.id))
            .where(Invitation.round_id == round_id)
        ).all()
    counts: dict[tuple[str, str], int] = {}
    for organisation, status in rows:
        for key in (("sector", organisation.sector.label), ("organisation", organisation.name)):
            counts[key] = counts.get(key, 0) + (status == InvitationStatus.SUBMITTED)
    return counts


def test_the_progress_page_names_every_group_below_the_threshold_while_the_round_is_open(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    current = round_of(engine, workspace.current_round)
    k = current.anonymity_threshold
    below = {key: n for key, n in _submitted(engine, current.id or 0).items() if n < k}
    assert any(kind == "sector" for kind, _ in below), "the demo has a sector below k"

    page = main_content(facilitator.get(f"/rounds/{current.id}/progress").text)

    assert f"{len(below)} groups have fewer than {k} people submitted" in page
    for (kind, label), submitted in below.items():
        assert f"{label}: {submitted} of {k} needed" in page, (kind, label)
    above = [label for (_, label), n in _submitted(engine, current.id or 0).items() if n >= k]
    assert not any(f"{label}: " in page for label in above)


def test_the_warning_is_gone_once_the_round_has_closed(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    set_status(engine, workspace.current_round, RoundStatus.CLOSED)

    page = facilitator.get(f"/rounds/{workspace.current_round}/progress").text

    assert "below-threshold" not in page


def test_forum_members_are_not_shown_which_groups_are_small(
    viewer: TestClient, workspace: Workspace
) -> None:
    response = viewer.get(f"/rounds/{workspace.current_round}/progress")

    assert response.status_code == 200
    assert "below-threshold" not in response.text
