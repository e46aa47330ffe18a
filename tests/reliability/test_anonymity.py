"""Anonymity: the demo's fire and rescue service answered with two people (k = 3). No output a
forum member or facilitator can open gives that group a score, a round imported from a file is
held to the same rule, and no two published versions of a round differ by fewer than k people
in any group, so no one can be recovered by comparing them."""

import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.core.db import write_session
from app.enums import InvitationStatus, RoundStatus
from app.invitations.service import invite
from app.main import create_app
from app.models import Answer, AssessmentRound, InvitationBase, Organisation, Publication
from app.results.snapshots import snapshot_of
from app.rounds.definitions import definition_of_round
from scoring.differencing import Contribution, exposed_groups
from scoring.solving import Version, singled_out
from tests.support.pages import csrf_of, download_report, post_form, sign_in
from tests.support.workspace import Workspace

FIRE_SECTOR = "Fire and rescue"
FIRE_SERVICE = "Fenmoor Fire and Rescue Service"
NUMBER_AFTER = r"\s*(?:\(\d+\)\s*)?\d\.\d"


class _Tables(HTMLParser):
    """Every table of a page as rows of cell texts, header rows included."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _scores_by_group(html: str) -> dict[str, list[str]]:
    """For each column or row named after a group, the cells that belong to it."""
    parser = _Tables()
    parser.feed(html)
    cells: dict[str, list[str]] = {}
    for table in parser.tables:
        if not table:
            continue
        header = table[0]
        for row in table[1:]:
            for index, cell in enumerate(row):
                if index < len(header) and index > 0:
                    cells.setdefault(header[index], []).append(cell)
            if row:
                cells.setdefault(row[0], []).extend(row[1:])
    return cells


def _assert_fire_has_no_score_in_tables(html: str, where: str) -> None:
    score = re.compile(r"\d\.\d")
    groups = _scores_by_group(html)
    fire = [name for name in groups if name.startswith((FIRE_SECTOR, FIRE_SERVICE))]
    assert fire, f"{where} should show the group, hidden"
    for name in fire:
        assert not any(score.search(cell) for cell in groups[name]), (where, name, groups[name])
    shown = [name for name in groups if name.startswith(("Police", "Local authority", "Housing"))]
    assert any(score.search(cell) for name in shown for cell in groups[name]), where


def _text(response_content: bytes, content_type: str) -> str:
    if content_type.startswith("application/pdf"):
        reader = pypdf.PdfReader(io.BytesIO(response_content))
        return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    html = response_content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _assert_fire_has_no_score(text: str, where: str) -> None:
    for name in (FIRE_SECTOR, FIRE_SERVICE):
        found = re.search(re.escape(name) + NUMBER_AFTER, text)
        assert found is None, f"{where}: {found.group(0) if found else ''}"


@pytest.fixture
def viewer(settings: Settings, engine: Engine, workspace: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        yield sign_in(client, "vic@example.org")


def test_no_output_gives_the_two_person_group_a_score(
    facilitator: TestClient, viewer: TestClient, workspace: Workspace
) -> None:
    published, current = workspace.previous_round, workspace.current_round
    outputs = [
        (viewer, f"/rounds/{published}/results/tables"),
        (viewer, f"/rounds/{published}/results/sectors"),
        (viewer, f"/rounds/{published}/reports/forum.pdf"),
        (facilitator, f"/rounds/{current}/results/tables"),
        (facilitator, f"/rounds/{current}/results/sectors"),
        (facilitator, f"/rounds/{current}/reports/forum.pdf"),
        (facilitator, f"/rounds/{current}/reports/workshop.pdf"),
    ]
    for client, path in outputs:
        response = download_report(client, path) if path.endswith(".pdf") else client.get(path)
        assert response.status_code == 200, path
        text = _text(response.content, response.headers["content-type"])
        assert FIRE_SECTOR in text or FIRE_SERVICE in text, f"{path} should name the group"
        _assert_fire_has_no_score(text, path)
        if response.headers["content-type"].startswith("text/html"):
            _assert_fire_has_no_score_in_tables(response.text, path)

    with Session(facilitator.app.state.engine) as session:  # type: ignore[attr-defined]
        fire = session.exec(select(Organisation).where(Organisation.name == FIRE_SERVICE)).one()
    partner = download_report(
        facilitator, f"/rounds/{current}/reports/partner.pdf?organisation={fire.id}"
    )
    assert partner.status_code == 409
    assert "a partner report needs at least 3" in partner.text


def test_a_round_imported_from_a_file_hides_the_same_group(
    facilitator: TestClient, viewer: TestClient, workspace: Workspace, engine: Engine
) -> None:
    exported = facilitator.get(f"/rounds/{workspace.previous_round}/export.json").json()
    exported["round"]["title"] = "Imported copy"
    page = facilitator.get("/places/kestrel-vale/import")
    response = facilitator.post(
        "/places/kestrel-vale/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"round_file": ("round.json", json.dumps(exported).encode(), "application/json")},
    )
    assert response.status_code in (200, 303), response.text[-2000:]
    with Session(engine) as session:
        imported = session.exec(
            select(AssessmentRound).where(AssessmentRound.title == "Imported copy")
        ).one()
        assert imported.status is RoundStatus.CLOSED  # a copy never arrives published
    path = f"/rounds/{imported.id}"
    published = post_form(facilitator, path, f"{path}/status", {"to": "published"})
    assert published.status_code == 200, published.text[-2000:]
    with Session(engine) as session:
        assert (
            session.exec(select(Publication).where(Publication.round_id == imported.id)).first()
            is not None
        )

    for path in (
        f"/rounds/{imported.id}/results/tables",
        f"/rounds/{imported.id}/reports/forum.pdf",
    ):
        shown = download_report(viewer, path) if path.endswith(".pdf") else viewer.get(path)
        assert shown.status_code == 200, path
        _assert_fire_has_no_score(_text(shown.content, shown.headers["content-type"]), path)


def _add_people(engine: Engine, round_id: int, organisation: str, count: int) -> None:
    with write_session(engine) as session:
        assessment_round = session.get(AssessmentRound, round_id)
        target = session.exec(select(Organisation).where(Organisation.name == organisation)).one()
        assert assessment_round is not None
        for number in range(count):
            invitation, _ = invite(
                session=session,
                assessment_round=assessment_round,
                organisation=target,
                invitee=InvitationBase(role_title=f"Late {number}"),
                secret="test-secret",
            )
            invitation.status = InvitationStatus.SUBMITTED
            session.add(invitation)
            session.flush()
            session.add(
                Answer(
                    invitation_id=invitation.id or 0,
                    item_id="people-focus.1",
                    kind="level",
                    level=1,
                )
            )
        session.commit()


def test_no_two_published_versions_differ_by_fewer_than_k_people_in_any_group(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    path = f"/rounds/{workspace.previous_round}"
    attempts = []
    for added in (1, 1, 1):  # one more person each time: refused, refused, then allowed
        post_form(facilitator, path, f"{path}/status", {"to": "closed"})
        _add_people(engine, workspace.previous_round, "Fenmoor Police", added)
        attempts.append(
            post_form(facilitator, path, f"{path}/status", {"to": "published"}).status_code
        )

    assert attempts == [409, 409, 200]
    with Session(engine) as session:
        versions = [
            {r: Contribution(**c) for r, c in p.contributions.items()}
            for p in session.exec(
                select(Publication).where(Publication.round_id == workspace.previous_round)
            ).all()
        ]
    assert len(versions) == 2
    for earlier in versions:
        for later in versions:
            assert exposed_groups(earlier, later, 3) == {}


def test_a_hidden_organisation_grown_past_k_stays_hidden_while_its_first_members_would_follow(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    """The fire service's two people were hidden; three more join. The place's total less the
    earlier one is the newcomers' sum, and the fire service shown, less that, would be what the
    first two said. So the version published again keeps it hidden, and nothing in the two
    versions together singles anyone out."""
    path = f"/rounds/{workspace.previous_round}"
    post_form(facilitator, path, f"{path}/status", {"to": "closed"})
    _add_people(engine, workspace.previous_round, FIRE_SERVICE, 3)
    published = post_form(facilitator, path, f"{path}/status", {"to": "published"})

    assert published.status_code == 200, published.text[:500]
    with Session(engine) as session:
        publications = session.exec(
            select(Publication)
            .where(Publication.round_id == workspace.previous_round)
            .order_by(col(Publication.id))
        ).all()
        assessment_round = session.get(AssessmentRound, workspace.previous_round)
        assert assessment_round is not None
        definition = definition_of_round(session=session, assessment_round=assessment_round)
        versions = [
            Version(
                definition,
                [
                    Contribution(**{**part, "rated": tuple(part["rated"])})
                    for part in publication.contributions.values()
                ],
                snapshot.result,
            )
            for publication in publications
            if (snapshot := snapshot_of(publication)) is not None
        ]
    assert len(versions) == 2
    people_focus = versions[-1].result.conditions["people-focus"]
    assert people_focus.by_organisation[FIRE_SERVICE].suppressed
    assert singled_out(versions, 3) == []
