"""A place shares a published round's results with other places only by its facilitator's
choice, named or not; the choice is shown, recorded, changed and withdrawn, and withdrawing the
publication withdraws it too."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.enums import PeerVisibility
from app.models import NetworkShare
from tests.support.audit import audited
from tests.support.pages import post_form
from tests.support.workspace import Workspace


def _share(engine: Engine, round_id: int) -> NetworkShare | None:
    with Session(engine) as session:
        return session.exec(select(NetworkShare).where(NetworkShare.round_id == round_id)).first()


def _audited(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return audited(session, "network")


def test_a_facilitator_shares_published_results_changes_how_and_withdraws_them(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    page = f"/rounds/{workspace.previous_round}/network"
    assert _share(engine, workspace.previous_round) is not None  # the demo's baseline is shared
    assert "Kestrel Vale place forum team" in facilitator.get(page).text

    withdrawn = post_form(facilitator, page, f"{page}/withdraw", {}, follow_redirects=False)
    again = post_form(facilitator, page, f"{page}/withdraw", {}, follow_redirects=False)

    assert withdrawn.status_code == again.status_code == 303
    assert _share(engine, workspace.previous_round) is None
    assert "have left the network" in facilitator.get(withdrawn.headers["location"]).text
    assert _audited(engine) == ["network-withdrawn"]  # the second withdrawal did nothing

    shared = post_form(facilitator, page, page, {"visibility": "unnamed", "contact": "Ignored"})
    assert shared.status_code == 200 and "have joined the network" in shared.text
    share = _share(engine, workspace.previous_round)
    assert share is not None and share.visibility is PeerVisibility.UNNAMED
    assert share.contact is None  # no one can contact a place they cannot see

    unnamed_contact = post_form(facilitator, page, page, {"visibility": "named", "contact": ""})
    assert unnamed_contact.status_code == 400
    assert 'href="#contact">Enter whom other places contact' in unnamed_contact.text
    assert 'value="named" checked' in unnamed_contact.text  # what was chosen is kept

    named = post_form(
        facilitator, page, page, {"visibility": "named", "contact": "Forum team, f@kv.example"}
    )
    assert "How other places see your place was changed" in named.text
    assert "Forum team, f@kv.example" in named.text
    assert _audited(engine) == ["network-withdrawn", "network-shared", "network-share-changed"]


def test_only_published_results_can_be_shared(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    page = f"/rounds/{workspace.current_round}/network"
    assert "Only published results can be shared" in facilitator.get(page).text

    refused = post_form(facilitator, page, page, {"visibility": "unnamed"})

    assert refused.status_code == 400
    assert "publish the round first" in refused.text
    assert _share(engine, workspace.current_round) is None


def test_withdrawing_the_publication_stops_sharing_until_chosen_again(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    overview = f"/rounds/{workspace.previous_round}"
    closed = post_form(facilitator, overview, f"{overview}/status", {"to": "closed"})
    assert "not shared with other places" in closed.text
    assert _share(engine, workspace.previous_round) is None

    post_form(facilitator, overview, f"{overview}/status", {"to": "published"})

    assert _share(engine, workspace.previous_round) is None  # publishing again shares nothing


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({}, "visibility", "Choose whether other places may see your place"),
        ({"visibility": "=HYPERLINK(1)"}, "visibility", "Choose whether other places"),
        ({"visibility": "ñamed" * 1000}, "visibility", "Choose whether other places"),
        ({"visibility": "named", "contact": "x" * 301}, "contact", "300 characters or fewer"),
        ({"visibility": "named", "contact": "Two\nlines"}, "contact", "must be on one line"),
    ],
)
def test_a_sharing_choice_that_is_not_one_is_refused_and_changes_nothing(
    form: dict[str, str],
    field: str,
    message: str,
    facilitator: TestClient,
    workspace: Workspace,
    engine: Engine,
) -> None:
    page = f"/rounds/{workspace.previous_round}/network"
    before = _share(engine, workspace.previous_round)

    refused = post_form(facilitator, page, page, form)

    assert refused.status_code == 400
    assert f'href="#{field}' in refused.text and message in refused.text
    after = _share(engine, workspace.previous_round)
    assert before is not None and after is not None
    assert after.model_dump() == before.model_dump()


def test_forum_members_cannot_see_or_change_the_choice(
    viewer: TestClient, workspace: Workspace
) -> None:
    assert viewer.get(f"/rounds/{workspace.previous_round}/network").status_code == 403
    assert "Sharing" not in viewer.get(f"/rounds/{workspace.previous_round}").text.split("<main")[1]
