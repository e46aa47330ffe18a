"""Charts and slides for forums that present: the same printed figures as the results page,
through the same gate (live for facilitators, the published snapshot for everyone else)."""

import io
import re

from fastapi.testclient import TestClient
from PIL import Image
from pptx import Presentation
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.enums import AnswerKind
from app.models import Answer, Invitation
from tests.support.pages import main_content
from tests.support.workspace import Workspace


def _summary_scores(page: str) -> dict[str, str]:
    """Each condition's score as the results page's summary table prints it."""
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+?)(?: <strong[^<]*</strong>)?</th>'
        r".*?<strong>(\d\.\d|–)</strong>",
        page,
        flags=re.S,
    )
    return {title.strip(): score for title, score in rows}


def test_a_facilitator_downloads_the_summary_as_slides_and_charts_with_the_pages_figures(
    facilitator: TestClient, workspace: Workspace
) -> None:
    base = f"/rounds/{workspace.current_round}/results"
    page = main_content(facilitator.get(base).text)
    svg = facilitator.get(f"{base}/charts/summary.svg")
    png = facilitator.get(f"{base}/charts/summary.png")
    slides = facilitator.get(f"{base}/slides.pptx")

    assert "slides.pptx" in page and "charts/summary.png" in page
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert 'filename="kestrel-vale-summary.svg"' in svg.headers["content-disposition"]
    printed = re.findall(r">(\d\.\d)</text>", svg.text)
    assert len(printed) == 11  # twelve conditions, one without a score
    for score in printed:
        assert f"<strong>{score}</strong>" in page
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG" and image.width == 1720
    deck = Presentation(io.BytesIO(slides.content))
    texts = [
        " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        for slide in deck.slides
    ]
    assert len(texts) == 5
    assert "Kestrel Vale" in texts[0]
    assert "is a priority: it scores 1.9 out of 5" in texts[2]
    assert "Coordination role is a priority: it scores 1.9" in page.replace("\n", " ")
    picture = next(shape for shape in deck.slides[1].shapes if shape.shape_type == 13)
    assert "People focus: 3.1" in picture._element.nvPicPr.cNvPr.get("descr")


def test_a_condition_chart_draws_each_sector_as_the_comparison_table_prints_it(
    facilitator: TestClient, workspace: Workspace
) -> None:
    base = f"/rounds/{workspace.current_round}/results"
    svg = facilitator.get(f"{base}/charts/shared-outcomes-and-accountability.svg").text

    assert "Local authority (4)" in svg and ">4.6</text>" in svg
    assert ">Combined</text>" in svg  # a small sector is never drawn on its own


def test_an_unknown_or_hostile_chart_name_is_refused_with_a_way_on(
    facilitator: TestClient, workspace: Workspace
) -> None:
    base = f"/rounds/{workspace.current_round}/results/charts"

    unknown = facilitator.get(f"{base}/no-such-condition.png")
    hostile = facilitator.get(f"{base}/%2E%2E%2Fsecrets.svg")
    wrong_format = facilitator.get(f"{base}/summary.gif")

    assert unknown.status_code == 404 and "the summary, or one of" in unknown.text
    assert hostile.status_code in (404, 422)
    assert wrong_format.status_code in (404, 422)


def test_a_forum_members_charts_stay_as_published_whatever_changes_in_the_answers(
    viewer: TestClient, workspace: Workspace, engine: Engine
) -> None:
    """Saved before and after a change to the answers, the two pictures are the same: no one
    can subtract them to learn what one person said."""
    path = f"/rounds/{workspace.previous_round}/results/charts/summary.svg"
    before = viewer.get(path)
    with Session(engine) as session:
        answer = session.exec(
            select(Answer)
            .join(Invitation, col(Invitation.id) == col(Answer.invitation_id))
            .where(Invitation.round_id == workspace.previous_round)
            .where(Answer.kind == AnswerKind.LEVEL)
            .where(col(Answer.item_id).startswith("people-focus."))
        ).first()
        assert answer is not None and answer.level is not None
        answer.level = 1 if answer.level > 1 else 5
        session.add(answer)
        session.commit()
    after = viewer.get(path)

    assert before.status_code == after.status_code == 200
    assert before.content == after.content


def test_a_round_not_yet_published_gives_a_forum_member_no_charts(
    viewer: TestClient, workspace: Workspace
) -> None:
    response = viewer.get(f"/rounds/{workspace.current_round}/results/slides.pptx")

    assert response.status_code == 403
