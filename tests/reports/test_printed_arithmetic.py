"""Every report read back from its PDF and checked by hand, as a sceptical reader would: each
printed gap, change, band and list is worked out again from the numbers printed beside it and
the thresholds in ``rules.yaml``, read here as plain YAML. No Placecheck rule code is called, so
a rule that decides on unrounded figures while the page prints rounded ones is caught."""

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml
from sqlmodel import Session, SQLModel, select

from app.cli.database import find_round
from app.core.db import create_db_engine, write_session
from app.models import AssessmentRound, Organisation
from app.results.reports import report_html
from app.results.rules import load_rules
from app.results.service import previous_round, score_round
from reports.kinds import ReportKind
from reports.pdf.renderer import html_to_pdf
from tests.support.edge_place import build_edge_place
from tests.support.reports import TODAY, Rendered, ReportsDemo

RULES: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parents[2] / "scoring" / "rules.yaml").read_text(encoding="utf-8")
)
SCORE = r"(\d\.\d)"
SIGNED = r"([+-]\d\.\d|0\.0)"
BANDS = sorted(RULES["bands"], key=lambda band: -band["minimum"])


def _text(pdf: bytes) -> str:
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    return " ".join(" ".join(pages).split())


def _band(score: str) -> str:
    value = Decimal(score)
    return next(
        (band["label"] for band in BANDS if value >= Decimal(str(band["minimum"]))),
        BANDS[-1]["label"],
    )


def _threshold(*path: str) -> Decimal:
    value: Any = RULES
    for key in path:
        value = value[key]
    return Decimal(str(value))


def check_gaps(text: str) -> int:
    """Every 'a gap of g' is the first printed score minus the second; a gap the rules found
    (a sector-gap finding) reaches the threshold."""
    found = 0
    threshold = _threshold("sector_gap", "threshold")
    for match in re.finditer(r"a gap of (\d\.\d)", text):
        before = text[max(0, match.start() - 160) : match.start()]
        finding = re.search(rf"score {SCORE} and [^:]{{1,80}}? respondents {SCORE}: $", before)
        listed = re.search(rf"{SCORE}, [^:,]{{1,80}}? {SCORE}: $", before)
        pair = finding or listed
        assert pair, f"a printed gap without its two scores: …{before[-100:]}{match.group(0)}"
        higher, lower, gap = Decimal(pair[1]), Decimal(pair[2]), Decimal(match[1])
        assert higher - lower == gap, f"{pair[0]}{match[0]}: {higher} − {lower} is not {gap}"
        if finding:
            assert gap >= threshold, f"{pair[0]}{match[0]} is called a gap below {threshold}"
        found += 1
    return found


def check_widest_gaps_list(text: str) -> None:
    """The summary's widest gaps all reach the threshold, widest first."""
    section = re.search(r"Widest gaps between sectors (.*?) Least agreement", text)
    assert section, "the report has its list of the widest gaps"
    gaps = [Decimal(g) for g in re.findall(r"a gap of (\d\.\d)", section[1])]
    assert all(gap >= _threshold("sector_gap", "threshold") for gap in gaps)
    assert gaps == sorted(gaps, reverse=True)


def check_changes(text: str) -> int:
    """Each change is 'now' minus 'before', and it is called a change exactly when the rules'
    minimum is reached (or it is flagged as uncertain for want of people)."""
    minimum = _threshold("change", "minimum_delta")
    checked = 0
    for match in re.finditer(rf"Previous round {SCORE}, now {SCORE} \({SIGNED}\): ([^.]*)\.", text):
        before, now, delta = (Decimal(match[i]) for i in (1, 2, 3))
        assert now - before == delta, match[0]
        if abs(delta) >= minimum:
            assert "too small" not in match[4], match[0]
        else:
            assert "too small" in match[4], match[0]
        checked += 1
    table = re.search(
        r"Condition scores then and now Condition Before Now Change Reading (.*)", text
    )
    if table:
        for row in re.finditer(
            rf"{SCORE} {SCORE} {SIGNED} (Improved|Declined|No real change|Uncertain)", table[1]
        ):
            before, now, delta = (Decimal(row[i]) for i in (1, 2, 3))
            assert now - before == delta, row[0]
            called = row[4] in ("Improved", "Declined")
            if called:
                assert abs(delta) >= minimum, row[0]
                assert (delta > 0) == (row[4] == "Improved"), row[0]
            elif row[4] == "No real change":
                assert abs(delta) < minimum, row[0]
            checked += 1
    return checked


def check_bands(text: str) -> int:
    checked = 0
    for match in re.finditer(rf"{SCORE} Score out of 5 · (Strength|Borderline|Concern)", text):
        assert _band(match[1]) == match[2], match[0]
        checked += 1
    summary = re.search(r"Condition 1 2 3 4 5 Score (?:Before )?Band (.*?) Strengths ", text)
    assert summary, "the summary table is printed"
    for match in re.finditer(
        rf"(?<![\d.]){SCORE}(?: {SCORE}| –)? (Strength|Borderline|Concern)", summary[1]
    ):
        assert _band(match[1]) == match[3], match[0]
        checked += 1
    return checked


def check_priorities(text: str) -> int:
    threshold = Fraction(str(RULES["priority"]["threshold"]))
    checked = 0
    for match in re.finditer(
        rf"is a priority: it scores {SCORE} out of 5 but partners rate its importance "
        rf"{SCORE} out of 4",
        text,
    ):
        score, importance = Fraction(match[1]), Fraction(match[2])
        assert (5 - score) / 4 * (importance - 1) / 3 >= threshold, match[0]
        checked += 1
    return checked


def check_least_agreement(text: str) -> None:
    section = re.search(r"Least agreement among all partners (.*?)(?: Kestrel| Edgeford|$)", text)
    assert section
    low = Decimal(str(RULES["disagreement"]["low_consensus"])) * 100
    sides = r" \((\d+) people well below the middle view, (\d+) well above\)"
    for match in re.finditer(rf"Consensus (\d+)%(; views are split(?:{sides})?)?;", section[1]):
        assert match[2] or Decimal(match[1]) < low, f"{match[0]} is not low agreement"


def check_split_sides(text: str) -> int:
    """Each split condition's two sides add up, and lie outside more often than the rule's
    share allows."""
    band = RULES["disagreement"]["band"]
    share = Fraction(str(RULES["disagreement"]["maximum_share_outside"]))
    levels = f"{band:g} level{'' if band == 1 else 's'}"
    checked = 0
    for match in re.finditer(
        rf"of the (\d+) people who rated it, (\d+) rates? it more than {levels} below the middle "
        rf"view and (\d+) more than {levels} above it \(each by their own average across its "
        rf"statements\); (\d+) (?:is|are) within {levels} of it\. (\d+) \+ (\d+) = (\d+) of "
        rf"(\d+) lie outside, more than the (\d+)% the split rule allows",
        text,
    ):
        people, below, above, within = (int(match[i]) for i in range(1, 5))
        assert (int(match[5]), int(match[6])) == (below, above), match[0]
        assert int(match[7]) == below + above and int(match[8]) == people, match[0]
        assert below + above + within == people, match[0]
        assert Fraction(below + above, people) > share, match[0]
        assert Fraction(int(match[9]), 100) == share, match[0]
        checked += 1
    return checked


def check_foundations(text: str) -> None:
    weak = _threshold("recommendations", "weak_below")
    strong = _threshold("recommendations", "strong_from")
    for match in re.finditer(r"are weak \(average (\d\.\d) out of 5\)", text):
        assert Decimal(match[1]) < weak, match[0]
    for match in re.finditer(r"are strong \(average (\d\.\d) out of 5\)", text):
        assert Decimal(match[1]) >= strong, match[0]


def check_against_all_partners(text: str) -> int:
    """In each comparison picture, a sector's 'against all partners' is its printed score
    minus the place's."""
    checked = 0
    for picture in re.finditer(
        rf"Against all partners All partners \d+ {SCORE} (.*?)"
        r"(?: Findings| Condition \d| In partners)",
        text,
    ):
        place = Decimal(picture[1])
        for row in re.finditer(rf"(?<![\d.]){SCORE} {SIGNED}(?![\d.])", picture[2]):
            assert Decimal(row[1]) - place == Decimal(row[2]), f"{row[0]} against {place}"
            checked += 1
    return checked


def check_everything(text: str) -> dict[str, int]:
    counts = {
        "gaps": check_gaps(text),
        "changes": check_changes(text),
        "bands": check_bands(text),
        "priorities": check_priorities(text),
        "against all partners": check_against_all_partners(text),
        "split sides": check_split_sides(text),
    }
    check_widest_gaps_list(text)
    check_least_agreement(text)
    check_foundations(text)
    return counts


@dataclass(frozen=True)
class EdgeReports:
    forum: str
    partners: dict[str, str]
    """Partner reports' text by organisation name."""


@pytest.fixture(scope="module")
def edge_reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeReports]:
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('edge') / 'edge.db'}")
    SQLModel.metadata.create_all(engine)
    with write_session(engine) as session:
        place = build_edge_place(session)
        second_id = place.second.id
    with Session(engine) as session:
        second = session.get(AssessmentRound, second_id)
        assert second is not None

        def text_of(kind: ReportKind, organisation_id: int | None = None) -> str:
            assert second is not None
            html = report_html(
                session=session,
                assessment_round=second,
                kind=kind,
                rules=load_rules(),
                today=TODAY,
                organisation_id=organisation_id,
            ).html
            return _text(html_to_pdf(html))

        partners = {
            name: text_of(ReportKind.PARTNER, organisation_id)
            for name, organisation_id in session.exec(
                select(Organisation.name, Organisation.id).where(
                    Organisation.name.in_(["Edgeford CVS", "Edgeford Council"])  # type: ignore[attr-defined]
                )
            )
        }
        yield EdgeReports(text_of(ReportKind.FORUM), partners)
    engine.dispose()


@pytest.fixture
def edge_place(edge_reports: EdgeReports) -> Callable[[], str]:
    return lambda: edge_reports.forum


def test_every_number_in_the_demo_forum_report_agrees_with_the_numbers_beside_it(
    render: Callable[..., Rendered],
) -> None:
    counts = check_everything(_text(render(ReportKind.FORUM).pdf))

    assert counts["gaps"] >= 4 and counts["changes"] >= 12 and counts["bands"] >= 12
    assert counts["priorities"] >= 3 and counts["against all partners"] >= 40


def test_every_number_in_the_demo_workshop_pack_agrees_with_the_numbers_beside_it(
    render: Callable[..., Rendered],
) -> None:
    text = _text(render(ReportKind.WORKSHOP).pdf)

    assert check_gaps(text) >= 3
    check_bands(text)
    check_priorities(text)


def test_every_number_in_a_demo_partner_report_agrees_with_the_numbers_beside_it(
    render: Callable[..., Rendered], demo_place: ReportsDemo
) -> None:
    nhs = demo_place.organisation_id("Integrated Care Board")
    text = _text(render(ReportKind.PARTNER, organisation_id=nhs).pdf)

    check_gaps(text)
    check_changes(text)
    for match in re.finditer(rf"{SCORE} Score out of 5 · (Strength|Borderline|Concern)", text):
        assert _band(match[1]) == match[2]


def test_a_gap_that_reaches_the_threshold_only_as_printed_is_reported(
    edge_place: Callable[[], str],
) -> None:
    """3.25 and 2.3125 print as 3.3 and 2.3: a gap of 1.0, the threshold, which a rule working
    on the unrounded 0.9375 would miss."""
    text = edge_place()

    check_everything(text)
    assert (
        "On Shared outcomes and mutual accountability, Local authority respondents score 3.3 "
        "and police respondents 2.3: a gap of 1.0 points" in text
    )


def test_a_change_that_reaches_the_minimum_only_as_printed_is_called(
    edge_place: Callable[[], str],
) -> None:
    text = edge_place()

    assert re.search(r"Strong leadership 2\.7 3\.2 \+0\.5 Improved", text)
    assert "Previous round 2.7, now 3.2 (+0.5): a real change" in text


def test_a_split_condition_and_a_sector_below_the_threshold_are_printed_as_such(
    edge_place: Callable[[], str],
) -> None:
    text = edge_place()

    assert re.search(r"People focus Split \d\.\d \d\.\d Split views: no band", text)
    assert "Score out of 5 · Split views: no band" in text
    assert check_split_sides(text) >= 1, "the split condition's sides are counted on its page"
    assert "Housing 2 Combined" in text or "Housing 2 Hidden" in text


def test_disagreement_inside_one_organisation_is_printed_in_its_partner_report(
    edge_reports: EdgeReports,
) -> None:
    """The voluntary sector's people average 4.7, 4.7, 1.3 and 1.3 on Data and evidence (built
    so in the edge place): printed, 3.4 apart, beyond the range in rules.yaml, so its report
    must say its one score of 3.0 hides them; the council's people agree, so its report must
    not."""
    spread = Decimal("4.7") - Decimal("1.3")
    assert spread >= Decimal(str(RULES["disagreement"]["within_organisation_range"]))
    divided = " ".join(edge_reports.partners["Edgeford CVS"].split())
    agreeing = " ".join(edge_reports.partners["Edgeford Council"].split())

    assert "Where your own people disagree" in divided
    assert re.search(
        r"People in Edgeford CVS see [^.]*Data and evidence[^.]* very differently", divided
    )
    assert re.search(r"Data and evidence \d\.\d 3\.0", divided), "the one score it hides"
    assert "Where your own people disagree" not in agreeing
    for text in edge_reports.partners.values():
        check_gaps(text)
        check_changes(text)


def test_every_finding_the_rules_make_is_printed_in_the_forum_report(
    render: Callable[..., Rendered], demo_place: ReportsDemo
) -> None:
    """The summary lists a few of each kind and says how many more there are; the condition
    and recommendation pages print every one."""
    assessment_round = find_round(session=demo_place.session, reference="demo")
    assert assessment_round is not None
    result = score_round(
        session=demo_place.session,
        assessment_round=assessment_round,
        rules=load_rules(),
        earlier=previous_round(session=demo_place.session, assessment_round=assessment_round),
    )
    text = _text(render(ReportKind.FORUM).pdf)

    missing = [f.sentence for f in result.findings if " ".join(f.sentence.split()) not in text]
    assert not missing, missing
    assert {f.rule for f in result.findings} >= {
        "priority",
        "sector-gap",
        "not-started-weak-foundations",
        "split-view",
    }
    priorities = sum(f.rule == "priority" for f in result.findings)
    assert f"3 of the {priorities} priorities the rules found are listed here" in text
