"""Issue 23's six findings, replayed as a hostile forum member against a real server
(``placecheck serve``) on SQLite and PostgreSQL: save what a viewer can read, let the
facilitator change something, save it again and subtract. Each must recover nothing.

The viewer is the demo's forum member; the facilitator's part (erasing, revoking, withdrawing,
exporting and importing) is done through the same pages a facilitator uses. In the demo's
published baseline the fire and rescue service answered with two people (k = 3)."""

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pypdf
import pytest
from sqlmodel import Session, col, select

from app.core.db import create_db_engine, write_session
from app.demo.accounts import DEMO_PASSWORD
from app.enums import InvitationStatus
from app.models import Answer, AssessmentRound, Invitation, Organisation
from tests.support.databases import submitted_invitations
from tests.support.demo import Prepared, prepare
from tests.support.pages import csrf_of, download_report, main_content, signed_in
from tests.support.servers import Server, server

from .test_anonymity import (
    FIRE_SECTOR,
    FIRE_SERVICE,
    _assert_fire_has_no_score,
    _assert_fire_has_no_score_in_tables,
)

FACILITATOR = "facilitator@kestrel-vale.example"
VIEWER = "viewer@kestrel-vale.example"
PARTS = ("", "/sectors", "/tables", "/recommendations", "/agreed")


class Attack:
    """A running server on a fresh copy of the demo, a signed-in viewer and facilitator."""

    def __init__(self, prepared: Prepared, running: Server) -> None:
        self.prepared = prepared
        self.engine = create_db_engine(prepared.url)
        self.baseline = prepared.published_round
        self.viewer = signed_in(running.url, VIEWER, DEMO_PASSWORD)
        self.facilitator = signed_in(running.url, FACILITATOR, DEMO_PASSWORD)

    def close(self) -> None:
        self.viewer.close()
        self.facilitator.close()
        self.engine.dispose()

    def submit(self, page: str, action: str, fields: dict[str, str]) -> httpx.Response:
        """A facilitator's form: its page read for the token, then posted, as a browser does."""
        token = csrf_of(self.facilitator.get(page).text)
        return self.facilitator.post(action, data={**fields, "csrf_token": token})

    def saved(self, round_id: int) -> dict[str, str]:
        """Everything a viewer can read of a round's results: every page and the forum PDF."""
        pages = {}
        for part in PARTS:
            response = self.viewer.get(f"/rounds/{round_id}/results{part}")
            assert response.status_code == 200, (part, response.text[:300])
            pages[part] = main_content(response.text)
        pdf = download_report(self.viewer, f"/rounds/{round_id}/reports/forum.pdf")
        assert pdf.status_code == 200, pdf.text[:300]
        pages["forum.pdf"] = _pdf_text(pdf.content)
        return pages

    def database(self) -> Session:
        return Session(self.engine)

    def submitted(self, round_id: int) -> list[int]:
        return submitted_invitations(self.engine, round_id)


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def attack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Attack]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'attack.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    prepared = prepare(url, respondents=0)
    with server(url, tmp_path) as running:
        attack = Attack(prepared, running)
        try:
            yield attack
        finally:
            attack.close()


@pytest.mark.parametrize("change", ["erase", "revoke"])
def test_saving_every_viewer_output_before_and_after_an_erasure_or_revocation_recovers_nothing(
    attack: Attack, change: str
) -> None:
    """Findings 1 and 2: the pages (tables and charts alike) and the forum PDF stay byte for
    byte as published, so there is nothing to subtract, at any precision."""
    round_id = attack.baseline
    before = attack.saved(round_id)
    invitation_id = attack.submitted(round_id)[0]
    if change == "erase":
        action = f"/rounds/{round_id}/respondents/{invitation_id}/erase"
        done = attack.submit(action, action, {})
    else:
        page = f"/rounds/{round_id}"
        done = attack.submit(page, f"{page}/invitations/{invitation_id}/revoke", {})
    assert done.status_code in (200, 303), done.text[:300]
    assert invitation_id not in attack.submitted(round_id)

    after = attack.saved(round_id)

    assert after == before


def test_a_withdrawn_round_is_not_readable_through_another(attack: Attack) -> None:
    """Finding 3: after the pilot is withdrawn, neither the baseline's pages, its comparison
    choices nor its forum PDF show the pilot."""
    with attack.database() as session:
        pilot = session.exec(
            select(AssessmentRound)
            .where(
                AssessmentRound.place_id == session.get(AssessmentRound, attack.baseline).place_id
            )  # type: ignore[union-attr]
            .where(col(AssessmentRound.id) != attack.baseline)
            .where(col(AssessmentRound.title).startswith("Pilot"))
        ).one()
        pilot_id, pilot_title = pilot.id or 0, pilot.title
    assert any(pilot_title in text for text in attack.saved(attack.baseline).values())

    page = f"/rounds/{pilot_id}"
    withdrawn = attack.submit(page, f"{page}/status", {"to": "closed"})
    assert withdrawn.status_code in (200, 303), withdrawn.text[:300]

    for where, text in attack.saved(attack.baseline).items():
        assert pilot_title not in text, where
    for query in (f"/results?compare={pilot_id}", f"/results/agreed?with={pilot_id}"):
        response = attack.viewer.get(f"/rounds/{attack.baseline}{query}")
        assert pilot_title not in main_content(response.text), query
    assert attack.viewer.get(f"/rounds/{pilot_id}/results").status_code == 403


def test_no_viewer_output_gives_a_group_below_k_a_figure(attack: Attack) -> None:
    """Finding 4: the fire and rescue service's two people have no figure of their own in any
    table, chart label or the forum PDF a viewer can read."""
    saved = attack.saved(attack.baseline)
    for part in ("/sectors", "/tables"):
        _assert_fire_has_no_score_in_tables(saved[part], part)
    for where, text in saved.items():
        plain = text if where == "forum.pdf" else " ".join(re.sub(r"<[^>]+>", " ", text).split())
        _assert_fire_has_no_score(plain, where)


def _leave_two_raters(attack: Attack, round_id: int, items: tuple[str, ...]) -> None:
    """Before the round is first published, only two people keep a rating of each item."""
    with write_session(attack.engine) as session:
        for item in items:
            rated = session.exec(
                select(Answer)
                .join(Invitation, col(Invitation.id) == col(Answer.invitation_id))
                .where(
                    Invitation.round_id == round_id,
                    Invitation.status == InvitationStatus.SUBMITTED,
                    Answer.item_id == item,
                    Answer.kind == "level",
                )
                .order_by(col(Answer.id))
            ).all()
            assert len(rated) >= 3, (item, len(rated))
            for answer in rated[2:]:
                session.delete(answer)
        session.commit()


def test_a_statement_or_recommendation_two_people_rated_shows_no_figure(attack: Attack) -> None:
    """Finding 4: a statement and a recommendation rated by two people in a newly published
    round: no distribution, mean or typical answer of theirs on the viewer's pages or PDF."""
    round_id = attack.prepared.open_round
    _leave_two_raters(attack, round_id, ("people-focus.1", "R1"))
    page = f"/rounds/{round_id}"
    for status in ("closed", "published"):
        changed = attack.submit(page, f"{page}/status", {"to": status})
        assert changed.status_code in (200, 303), changed.text[:400]

    saved = attack.saved(round_id)

    tracker = re.search(
        r"<tr[^>]*><th[^>]*>1\. (?:(?!</tr>).)*</tr>", saved["/recommendations"], re.S
    )
    assert tracker, "the viewer should see recommendation 1's row"
    assert "Not shown: fewer than 3 people rated it" in tracker.group(0)
    assert "Spread not shown: fewer than 3 people rated it" in saved["forum.pdf"]


def test_an_imported_copy_one_person_short_lands_closed_and_cannot_be_published(
    attack: Attack,
) -> None:
    """Finding 5: export, drop one person, import. The copy is closed, publishing it is refused,
    and the viewer cannot read it."""
    exported = attack.facilitator.get(f"/rounds/{attack.baseline}/export.json").json()
    dropped = next(i for i in exported["invitations"] if i["status"] == "submitted")
    exported["invitations"].remove(dropped)
    token = csrf_of(attack.facilitator.get("/places/kestrel-vale/import").text)
    imported = attack.facilitator.post(
        "/places/kestrel-vale/import",
        data={"csrf_token": token},
        files={"round_file": ("round.json", json.dumps(exported).encode(), "application/json")},
        follow_redirects=False,
    )
    assert imported.status_code == 303, imported.text[:300]
    copy_id = int(imported.headers["location"].rsplit("/", 1)[1])

    assert attack.viewer.get(f"/rounds/{copy_id}/results").status_code == 403
    page = f"/rounds/{copy_id}"
    refused = attack.submit(page, f"{page}/status", {"to": "published"})
    assert refused.status_code == 409
    assert "cannot be published" in refused.text
    assert attack.viewer.get(f"/rounds/{copy_id}/results").status_code == 403


def test_the_shared_workbook_holds_no_answers_no_hidden_group_and_no_formula(
    attack: Attack,
) -> None:
    """Finding 6: the workbook facilitators share with partners' analysts has no sheet of
    answers, no figure for the fire and rescue service, and an organisation named like a
    formula stays words, headers included."""
    with attack.database() as session:
        police = session.exec(
            select(Organisation).where(col(Organisation.name).startswith("Fenmoor Police"))
        ).one()
        police_id, police_sector = police.id, police.sector.value
    formula = '=HYPERLINK("http://attacker.example","Police")'
    page = f"/places/kestrel-vale/organisations/{police_id}"
    renamed = attack.submit(page, page, {"name": formula, "sector": police_sector})
    assert renamed.status_code in (200, 303), renamed.text[:300]

    response = attack.facilitator.get(f"/rounds/{attack.baseline}/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))

    assert not [name for name in book.sheetnames if "answer" in name.lower()]
    texts = []
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows()]
        for row in rows:
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                texts.append(str(cell.value) if cell.value is not None else "")
        header = [str(cell.value or "") for cell in rows[0]] if rows else []
        fire = [i for i, name in enumerate(header) if name.startswith((FIRE_SECTOR, FIRE_SERVICE))]
        for row in rows[1:]:
            for index in fire:
                assert not isinstance(row[index].value, int | float), (
                    sheet.title,
                    header[index],
                    row[index].value,
                )
    assert any("HYPERLINK" in text for text in texts), "the renamed partner should be listed"
