"""The workshop pack, partner reports and the printable questionnaire of the demo place."""

import re
from collections.abc import Callable

import pytest
from markupsafe import escape
from sqlmodel import col, select

from app.cli.database import find_round
from app.enums import InvitationStatus
from app.models import Answer, Invitation
from app.results.reports import ReportUnavailableError
from questionnaires.registry import Registry
from questionnaires.sectors import Sector
from reports.kinds import ReportKind
from tests.support.reports import Rendered, ReportsDemo

DEFINITION = Registry().get("trusting-place")
Render = Callable[..., Rendered]


def test_the_workshop_pack_puts_the_most_divided_condition_first(render: Render) -> None:
    rendered = render(ReportKind.WORKSHOP)
    flat = " ".join(rendered.text.split())
    for heading in ["Agenda", "Recording sheet", "Action plan", "Questions for the forum"]:
        assert heading in flat
    agenda = flat[flat.index("Suggested agenda") : flat.index("Close")]
    # Shared outcomes is the demo's split condition: first on the agenda and first discussed.
    assert agenda.index("Discuss:") == agenda.index("Discuss: Shared outcomes")
    assert agenda.count("Discuss:") == 4  # a split, an unknown and two priorities
    assert flat.index("Discuss: Shared outcomes and mutual accountability") < flat.index(
        "Recording sheet"
    )
    sheet = flat[flat.index("Agreed levels Condition") : flat.rindex("Action plan")]
    assert sheet.count("Could not agree") == 12  # a box for every condition on the sheet


def test_a_partner_report_sets_the_organisation_against_the_place(
    render: Render, demo_place: ReportsDemo
) -> None:
    council = demo_place.organisation_id("Borough Council")
    flat = " ".join(render(ReportKind.PARTNER, organisation_id=council).text.split())
    flat = flat.replace("place- based", "place-based")  # a title may wrap at its hyphen
    assert "Kestrel Vale Borough Council" in flat
    assert "Statement by statement" in flat
    for condition in DEFINITION.conditions:
        assert condition.title in flat


def test_a_partner_report_says_where_its_own_people_disagree_without_a_figure(
    render: Render, demo_place: ReportsDemo
) -> None:
    """In the demo the council's chief executive and its head of policy see strengths-based
    working two or more levels apart; the council's report says so, the forum's does not."""
    council = demo_place.organisation_id("Borough Council")
    partner = " ".join(render(ReportKind.PARTNER, organisation_id=council).text.split())
    forum = render(ReportKind.FORUM).html

    assert "Where your own people disagree" in partner
    assert (
        "People in Kestrel Vale Borough Council see Strengths and asset-based working very "
        "differently from each other" in partner
    )
    assert "divided-within" not in forum and "own people" not in forum


def test_a_partner_report_lists_only_differences_worth_a_conversation(
    render: Render, demo_place: ReportsDemo
) -> None:
    nhs = demo_place.organisation_id("Integrated Care Board")
    html = render(ReportKind.PARTNER, organisation_id=nhs).html
    listed = html.split("differs most from the place</h2>")[1].split("<h3>")[0]

    differences = re.findall(r"(?:higher|lower) by (\d\.\d)", listed)
    assert differences, "the NHS sees shared outcomes far lower than the place"
    assert all(float(d) >= 1.0 for d in differences)


def test_an_organisation_below_the_threshold_gets_no_partner_report(
    demo_place: ReportsDemo,
) -> None:
    fire = demo_place.organisation_id("Fire and Rescue")
    with pytest.raises(ReportUnavailableError, match="has 2 respondents.*at least 3"):
        demo_place.html(ReportKind.PARTNER, organisation_id=fire)


def test_a_partner_report_needs_an_organisation_of_the_place(demo_place: ReportsDemo) -> None:
    with pytest.raises(ReportUnavailableError, match="--organisation"):
        demo_place.html(ReportKind.PARTNER, organisation_id=999_999)


def test_the_printable_questionnaire_matches_the_online_wording(
    demo_place: ReportsDemo, render: Render
) -> None:
    html = demo_place.html(ReportKind.QUESTIONNAIRE).html
    for item in DEFINITION.items:
        assert escape(item.question) in html, item.id
        for descriptor in item.descriptors.values():
            assert escape(descriptor) in html
    flat = " ".join(render(ReportKind.QUESTIONNAIRE).text.split())
    assert "people-focus.1" in flat and "R22" in flat
    assert "Placecheck · questionnaire version 1.0.0" in flat


def test_the_plain_language_questionnaire_is_the_community_version(
    demo_place: ReportsDemo,
) -> None:
    html = demo_place.html(ReportKind.QUESTIONNAIRE, variant="plain-language").html
    for item in DEFINITION.items_for(Sector.COMMUNITY_MEMBER):
        assert escape(item.question) in html
    assert "Recommendation 12" not in html


def test_a_paper_questionnaire_says_where_to_send_it_and_asks_a_resident_nothing_they_lack(
    demo_place: ReportsDemo,
) -> None:
    """A resident has no organisation and only one 'sector'; everyone needs a date and an
    address to send the paper back to."""
    plain = demo_place.html(ReportKind.QUESTIONNAIRE, variant="plain-language").html
    professional = demo_place.html(ReportKind.QUESTIONNAIRE).html

    assert "Organisation</th>" not in plain and "(tick one)" not in plain
    assert "Organisation</th>" in professional and "(tick one)" in professional
    for html in (plain, professional):
        assert re.search(
            r"Please return it by \d+ \w+ \d{4} to Kestrel Vale place forum team", html
        )


def test_every_ask_of_the_lga_prints_its_own_follow_up_question(render: Render) -> None:
    flat = " ".join(render(ReportKind.FORUM).text.split())
    questions = {
        item.question
        for item in DEFINITION.items
        if item.kind.value == "follow-up" and item.part == "lga"
    }

    assert len(questions) > 1, "the recommendations to the LGA ask different follow-ups"
    for question in questions:
        assert question in flat


def test_an_unknown_questionnaire_variant_is_refused(demo_place: ReportsDemo) -> None:
    with pytest.raises(ReportUnavailableError, match="no variant 'braille'"):
        demo_place.html(ReportKind.QUESTIONNAIRE, variant="braille")


def test_the_plain_language_questionnaire_numbers_its_questions_and_keeps_ids_for_the_facilitator(
    demo_place: ReportsDemo,
) -> None:
    html = demo_place.html(ReportKind.QUESTIONNAIRE, variant="plain-language").html
    questions, key = html.split('id="codes"')

    assert "<strong>people-focus." not in questions
    assert "<strong>1.</strong>" in questions
    assert "nine things" not in questions and "central government" not in questions
    assert "Chatham House" not in questions
    assert '<td class="num">1</td><td>people-focus.1</td>' in key


def test_a_partner_report_shows_no_figure_that_fewer_than_k_of_its_people_rated(
    demo_place: ReportsDemo,
) -> None:
    """All but one of the council's people answered only the first two statements: the report
    is still offered (enough people submitted), but only those have figures; the third of
    their condition is counted as not shown (the other conditions, which only one of them
    rated, are hidden for the council altogether), and the council's typical answer to each
    recommendation is not shown."""
    session = demo_place.session
    council = demo_place.organisation_id("Borough Council")
    assessment_round = find_round(session=session, reference="demo")
    assert assessment_round is not None
    invitations = session.exec(
        select(Invitation)
        .where(
            Invitation.round_id == assessment_round.id,
            Invitation.organisation_id == council,
            Invitation.status == InvitationStatus.SUBMITTED,
        )
        .order_by(col(Invitation.id))
    ).all()
    assert len(invitations) >= 3
    try:
        for invitation in invitations[1:]:
            for answer in session.exec(
                select(Answer).where(Answer.invitation_id == invitation.id)
            ).all():
                if answer.item_id not in ("people-focus.1", "people-focus.2"):
                    session.delete(answer)
        session.flush()
        html = demo_place.html(ReportKind.PARTNER, organisation_id=council).html
    finally:
        session.rollback()

    statements = html[html.index('id="statements"') : html.index('id="recommendations"')]
    assert str(escape(DEFINITION.items_by_id["people-focus.1"].question)) in statements
    assert str(escape(DEFINITION.items_by_id["people-focus.3"].question)) not in statements
    assert "1 statement is not shown: fewer than 3 of your organisation" in statements
    recommendations = html[html.index('id="recommendations"') :]
    assert recommendations.count("Not shown: fewer than 3 people rated it") == 9


def test_the_workshop_pack_checks_the_action_plan_against_the_priorities(render: Render) -> None:
    flat = " ".join(render(ReportKind.WORKSHOP).text.split())
    missing = re.search(r"Priorities with no action yet: (.*?)\. Agree at least one", flat)

    assert missing, "the demo has a priority nobody has acted on yet"
    for title in missing[1].split("; "):
        assert f"{title} is a priority:" in flat, title


def test_each_discussion_asks_about_a_gap_once_and_shows_the_next_level_up(
    render: Render,
) -> None:
    pages = render(ReportKind.WORKSHOP).pages
    for page in pages:
        flat = " ".join(page.split())
        if "Questions for the forum" in flat:
            questions = flat.split("Questions for the forum")[1]
            assert questions.count("a gap of") <= 1, questions
        if "What the next level looks like" in flat:
            for now, level in re.findall(r" (\d\.\d) (\d) [A-Z][a-z]+:", flat):
                assert int(level) == int(float(now)) + 1, (now, level)
