"""Every difference printed is the difference of the numbers printed beside it, and consensus
is given in one unit (a percentage) wherever it appears."""

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.cli.database import find_round
from app.results.reports import report_html
from app.results.rules import load_rules
from questionnaires.sectors import in_sentence
from reports.kinds import ReportKind
from reports.wording import difference
from scoring.rounding import one_decimal
from scoring.rules import Priority
from tests.support.reports import TODAY, Rendered

scores = st.floats(min_value=1, max_value=5, allow_nan=False)


def test_a_change_that_crosses_a_rounding_boundary_prints_as_the_subtraction_a_reader_does() -> (
    None
):
    assert (one_decimal(3.149), one_decimal(3.151)) == ("3.1", "3.2")
    assert difference(3.151, 3.149) == "+0.1"
    assert difference(3.64, 3.66) == "-0.1"
    assert difference(3.2, 3.2) == "0.0"


@given(scores, scores)
def test_every_difference_equals_the_printed_numbers_subtracted(
    later: float, earlier: float
) -> None:
    printed = difference(later, earlier)
    expected = Decimal(one_decimal(later)) - Decimal(one_decimal(earlier))
    assert Decimal(printed) == expected
    assert printed == "0.0" or printed[0] in "+-"


def test_the_forum_report_subtracts_as_its_reader_would(render) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(render(ReportKind.FORUM).text.split())
    sentences = re.findall(r"Previous round (\d\.\d), now (\d\.\d) \(([+-]\d\.\d|0\.0)\)", text)
    rows = re.findall(
        r"(\d\.\d) (\d\.\d) ([+-]\d\.\d|0\.0) (?:Improved|Declined|No real change|Possible change)",
        text,
    )
    assert sentences and rows
    for previous, current, printed in sentences + rows:
        assert Decimal(current) - Decimal(previous) == Decimal(printed), (
            previous,
            current,
            printed,
        )


def test_consensus_is_a_percentage_everywhere(render) -> None:  # type: ignore[no-untyped-def]
    for kind in (ReportKind.FORUM, ReportKind.WORKSHOP):
        rendered: Rendered = render(kind)
        text = " ".join(rendered.text.split())
        assert re.search(r"consensus \d+%", text, re.IGNORECASE) or "Consensus" in text
        assert not re.search(r"consensus 0\.\d", text, re.IGNORECASE), kind


def test_sector_labels_keep_their_capitals_mid_sentence(render, demo_place) -> None:  # type: ignore[no-untyped-def]
    nhs = demo_place.organisation_id("Integrated Care Board")
    texts = [
        render(ReportKind.FORUM).text,
        render(ReportKind.WORKSHOP).text,
        render(ReportKind.PARTNER, organisation_id=nhs).text,
        render(ReportKind.QUESTIONNAIRE).text,
    ]
    for text in texts:
        flat = " ".join(text.split())
        assert "nhs integrated care board" not in flat
        assert "dwp and employment" not in flat
    assert "(NHS integrated care board)" in " ".join(texts[2].split())
    assert in_sentence("Fire and rescue") == "fire and rescue"


def test_the_method_page_states_every_rule_with_its_numbers(render) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(render(ReportKind.FORUM).text.split())

    assert (
        "Strength: 4.0 or more; Borderline: 3.0 up to, not including, 4.0; Concern: under 3.0"
        in text
    )
    assert (
        "A score of 3.0 out of 5 is halfway up the scale (which runs from 1 to 5), in the "
        "Borderline band." in text
    )
    assert (
        "more than 30% of the people who rated a condition rate it, on average across its "
        "statements, more than 1 level from the middle view" in text
    )
    assert "no more than 50% of its answers were “don't know”" in text
    assert "0.40 or more" in text
    assert "(5 − 2.0) ÷ 4 = 0.75 and a need of (3.5 − 1) ÷ 3 = about 0.83" in text
    assert "multiplied, 0.625, so it is a priority" in text
    assert "1.0 or more apart" in text
    assert "split, and those whose consensus is below 70%" in text
    assert "at least 0.5 and at least 5 people rated the condition in both rounds" in text


def test_the_method_page_follows_the_rules_file_not_the_template(demo_place) -> None:  # type: ignore[no-untyped-def]
    rules = load_rules()
    stricter = rules.model_copy(update={"priority": Priority(threshold=0.7)})
    assessment_round = find_round(session=demo_place.session, reference="demo")

    html = report_html(
        session=demo_place.session,
        assessment_round=assessment_round,
        kind=ReportKind.FORUM,
        rules=stricter,
        today=TODAY,
    ).html

    assert "0.70 or more" in html
    assert "so it is not a priority" in html


def test_a_share_printed_beside_a_count_says_how_it_was_counted(render) -> None:  # type: ignore[no-untyped-def]
    """The don't-know share weights partners equally, so it differs from the raw count; the
    page says so instead of printing two numbers that seem to disagree."""
    text = " ".join(render(ReportKind.FORUM).text.split())
    found = re.search(r"\((\d+) of (\d+) answers; (\d+)% with each partner counted once\)", text)
    assert found, "the mostly-don't-know finding gives both the count and the weighted share"
    assert "Don't know, each partner counted once" in text


def test_the_workshop_agenda_says_what_each_disagreement_is(render) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(render(ReportKind.WORKSHOP).text.split())
    gap = re.search(
        r"Views split \(consensus \d+%\); Local authority (\d\.\d), NHS provider (\d\.\d): "
        r"a gap of (\d\.\d)\.",
        text,
    )
    assert gap, "the agenda names the widest gap between sectors, with its numbers"
    assert Decimal(gap[1]) - Decimal(gap[2]) == Decimal(gap[3])
    assert "No score: most answers were 'don't know'" in text
    assert "rate sufficient resources highly" not in text


def test_the_workshop_pack_contains_the_pages_its_agenda_names(render) -> None:  # type: ignore[no-untyped-def]
    pages = [" ".join(page.split()) for page in render(ReportKind.WORKSHOP).pages]
    agenda = next(page for page in pages if "Suggested agenda" in page)
    assert "The Summary and How each sector sees the conditions" in agenda
    assert any("Summary The 12 conditions for successful place-based working" in p for p in pages)
    assert any("How each sector sees the conditions Organisation-weighted" in p for p in pages)


def test_answers_to_the_plain_language_version_are_never_pooled_without_saying_so(render) -> None:  # type: ignore[no-untyped-def]
    """Community members answer other words on an agreement scale: every output that pools
    them says so, and a gap between them and a professional sector is marked as comparing
    different questions."""
    text = " ".join(render(ReportKind.FORUM).text.split()).replace(
        "plain- language", "plain-language"
    )

    assert "Two versions of the questions" in text
    assert "counts each of their levels as the same level of the maturity scale" in text
    assert "answers to the plain-language version are counted level for level" in text
    gaps = [
        text[found.start() : found.end() + 200]
        for found in re.finditer(
            r"community member or lived experience (?:respondents )?\d\.\d: a gap of \d\.\d",
            text,
        )
    ]
    assert gaps, "the demo's widest gaps include the community members'"
    # The caution follows in the same sentence or the next one.
    assert all("different questions" in gap for gap in gaps), gaps
