"""Hostile input: one table per class of input that once broke something (imports, uploads,
names, numbers, unicode, sizes, replays). Each case must get a 4xx with a message a person can
act on, and must leave every table of the database exactly as it was."""

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from tests.support.pages import csrf_of, post_form
from tests.support.workspace import Workspace

PLACE = "kestrel-vale"


def _rows(engine: Engine) -> dict[str, int]:
    """Every table's row count, except the audit and guessing logs that a refusal may add to."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
            if table.name not in {"audit_event", "failed_attempt", "user_session"}
        }


def _refused(response: Response, message: str) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert message in response.text.replace("&#39;", "'").replace("&#34;", '"'), response.text[
        -3000:
    ]


# --- imports of a round file -------------------------------------------------------------------


def _first(items: list[dict[str, Any]]) -> dict[str, Any]:
    return items[0]


IMPORT_CASES: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("threshold of 1", lambda f: f["round"].update(anonymity_threshold=1), "anonymity_threshold"),
    ("threshold of 0", lambda f: f["round"].update(anonymity_threshold=0), "anonymity_threshold"),
    (
        "threshold as text",
        lambda f: f["round"].update(anonymity_threshold="abc"),
        "anonymity_threshold",
    ),
    (
        "threshold null",
        lambda f: f["round"].update(anonymity_threshold=None),
        "anonymity_threshold",
    ),
    ("a date that is not one", lambda f: f["round"].update(opens_on="31/02/2026"), "opens_on"),
    (
        "a level of 99",
        lambda f: _first(_first(f["invitations"])["answers"]).update(level=99),
        "level",
    ),
    (
        "a null level for a level answer",
        lambda f: _first(_first(f["invitations"])["answers"]).update(level=None, kind="level"),
        "level",
    ),
    (
        "the same item twice",
        lambda f: _first(f["invitations"])["answers"].append(
            copy.deepcopy(_first(_first(f["invitations"])["answers"]))
        ),
        "the same question twice",
    ),
    ("an object where a list belongs", lambda f: f.update(invitations={"a": 1}), "invitations"),
    ("a status that does not exist", lambda f: f["round"].update(status="finished"), "status"),
    (
        "a NUL in a comment",
        lambda f: _first(_first(f["invitations"])["answers"]).update(evidence="a\x00b"),
        "cannot be stored",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"), [c[1:] for c in IMPORT_CASES], ids=[c[0] for c in IMPORT_CASES]
)
def test_a_hostile_round_file_is_refused_with_its_reason_and_nothing_is_written(
    facilitator: TestClient,
    workspace: Workspace,
    engine: Engine,
    change: Callable[[dict[str, Any]], Any],
    message: str,
) -> None:
    exported = facilitator.get(f"/rounds/{workspace.previous_round}/export.json").json()
    change(exported)
    _import_refused(facilitator, engine, json.dumps(exported).encode(), message)


def test_json_nested_a_hundred_thousand_deep_is_refused(
    facilitator: TestClient, engine: Engine
) -> None:
    _import_refused(facilitator, engine, b"[" * 100_000 + b"]" * 100_000, "not")


def _import_refused(facilitator: TestClient, engine: Engine, content: bytes, message: str) -> None:
    before = _rows(engine)
    page = facilitator.get(f"/places/{PLACE}/import")
    response = facilitator.post(
        f"/places/{PLACE}/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"round_file": ("round.json", content, "application/json")},
    )
    _refused(response, "The file was not imported")
    _refused(response, message)
    assert _rows(engine) == before


# --- uploads: invitations and paper answers ----------------------------------------------------

HEADER = "organisation,role,name,email\n"
UPLOAD_CASES = [
    (
        "an unclosed quote",
        HEADER + 'Fenmoor Police,"Chief,Pat,pat@example.org\nFenmoor Police,A,B,c@example.org\n',
        "Line 2",
    ),
    (
        "a 128 KB field",
        HEADER + "Fenmoor Police," + "x" * 131_072 + ",Pat,pat@example.org\n",
        "Line 2",
    ),
    (
        "CR-only line endings and a bad row",
        HEADER.replace("\n", "\r") + "Nowhere Council,Lead,,\r",
        "Nowhere Council",
    ),
    (
        "a NUL in a name",
        HEADER + "Fenmoor Police,Lead,Pat\x00Lee,pat@example.org\n",
        "cannot be stored",
    ),
    (
        "a formula as a role",
        HEADER + "Fenmoor Police,=1+1\x07,Pat,pat@example.org\n",
        "cannot be stored",
    ),
    ("not a CSV at all", "\x89PNG\r\n\x1a\n" + "\x00" * 100, "not"),
]


@pytest.mark.parametrize(
    ("content", "message"), [c[1:] for c in UPLOAD_CASES], ids=[c[0] for c in UPLOAD_CASES]
)
def test_a_hostile_invitations_file_is_refused_line_by_line_and_nothing_is_written(
    facilitator: TestClient, workspace: Workspace, engine: Engine, content: str, message: str
) -> None:
    before = _rows(engine)
    page = facilitator.get(f"/rounds/{workspace.current_round}")
    response = facilitator.post(
        f"/rounds/{workspace.current_round}/invitations/upload",
        data={"csrf_token": csrf_of(page.text)},
        files={
            "invitations_file": ("people.csv", content.encode("utf-8", "surrogatepass"), "text/csv")
        },
    )
    _refused(response, message)
    assert _rows(engine) == before


def test_an_upload_over_the_size_limit_is_refused_whole_not_cut(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    before = _rows(engine)
    row = "P1,Fenmoor Police,Inspector,people-focus.1,4,\n"
    content = "respondent,organisation,role,item_id,answer,comment\n" + row * (
        21 * 1024 * 1024 // len(row)
    )
    page = facilitator.get(f"/rounds/{workspace.current_round}/data")
    response = facilitator.post(
        f"/rounds/{workspace.current_round}/paper",
        data={"csrf_token": csrf_of(page.text)},
        files={"paper_file": ("paper.csv", content.encode(), "text/csv")},
    )
    _refused(response, "MB")
    assert _rows(engine) == before


# --- names, numbers and sizes in forms ---------------------------------------------------------

FORM_CASES = [
    ("organisations", {"name": "Gŵyr\x00Council", "sector": "housing"}, "cannot be stored"),
    ("organisations", {"name": "x" * 201, "sector": "housing"}, "200 characters or fewer"),
    ("organisations", {"name": "Gŵyr Council", "sector": "pirates"}, "sector"),
    ("organisations", {"name": "   ", "sector": "housing"}, "name"),
    (
        "rounds",
        {"title": "Spring", "anonymity_threshold": "³", "questionnaire_id": "trusting-place"},
        "anonymity",
    ),
    (
        "rounds",
        {"title": "Spring", "anonymity_threshold": "1", "questionnaire_id": "trusting-place"},
        "anonymity",
    ),
    (
        "rounds",
        {
            "title": "Spring",
            "anonymity_threshold": "99999999999999999999999",
            "questionnaire_id": "trusting-place",
        },
        "anonymity",
    ),
    (
        "rounds",
        {"title": "x" * 10_000, "questionnaire_id": "trusting-place"},
        "characters or fewer",
    ),
]


@pytest.mark.parametrize(("form", "data", "message"), FORM_CASES)
def test_a_hostile_form_on_the_place_page_is_refused_and_nothing_is_written(
    facilitator: TestClient, engine: Engine, form: str, data: dict[str, str], message: str
) -> None:
    before = _rows(engine)
    response = post_form(facilitator, f"/places/{PLACE}", f"/places/{PLACE}/{form}", data)
    _refused(response, message)
    assert _rows(engine) == before


INVITE_CASES = [
    ({"display_name": "Nia\x00New", "email": "nia@example.org"}, "cannot be stored"),
    ({"display_name": "N" * 201, "email": "nia@example.org"}, "200 characters or fewer"),
    ({"display_name": '=HYPERLINK("http://x")', "email": "=1+1@x"}, "e-mail address"),
    ({"display_name": "Nia", "email": "nia@" + "e" * 400 + ".org"}, "e-mail address"),
    ({"display_name": "Nia", "email": "nia@example.org", "role": "owner"}, "role"),
    ({"display_name": "Nia", "email": "nia@example.org", "form_key": ""}, "form has expired"),
    ({"display_name": "Nia", "email": "nia@example.org", "form_key": "../../" * 20}, "expired"),
]


@pytest.mark.parametrize(("data", "message"), INVITE_CASES)
def test_a_hostile_invitation_to_join_is_refused_and_nothing_is_written(
    facilitator: TestClient, engine: Engine, data: dict[str, str], message: str
) -> None:
    people = f"/places/{PLACE}/people"
    key = re.findall(r'name="form_key" value="([^"]+)"', facilitator.get(people).text)[0]
    before = _rows(engine)
    response = post_form(facilitator, people, people, {"form_key": key, "role": "viewer", **data})
    _refused(response, message)
    assert _rows(engine) == before


@pytest.mark.parametrize("round_id", ["99999999999999999999999", "²", "-1", "1e3", "0x10"])
def test_an_impossible_id_in_an_address_is_not_found(
    facilitator: TestClient, round_id: str
) -> None:
    assert facilitator.get(f"/rounds/{round_id}/results").status_code == 404


# --- the respondent API: unicode, sizes and replays --------------------------------------------


def _token(facilitator: TestClient, workspace: Workspace) -> str:
    links = facilitator.get(f"/rounds/{workspace.current_round}/links.csv").text.splitlines()
    return next(line.rsplit("/r/", 1)[1].strip() for line in links[1:] if "/r/" in line)


API_CASES = [
    (
        "a lone surrogate",
        b'{"answers":[{"item_id":"people-focus.1","value":3,"evidence":"\\ud800"}]}',
        "cannot be stored",
    ),
    (
        "a 4,001-character comment",
        json.dumps(
            {"answers": [{"item_id": "people-focus.1", "value": 3, "evidence": "x" * 4001}]}
        ).encode(),
        "characters or fewer",
    ),
    (
        "the same item twice",
        json.dumps({"answers": [{"item_id": "people-focus.1", "value": 3}] * 2}).encode(),
        "more than once",
    ),
    (
        "a level out of range",
        json.dumps({"answers": [{"item_id": "people-focus.1", "value": 9}]}).encode(),
        "Select one of the answers shown",
    ),
    (
        "a level beyond any scale",
        json.dumps({"answers": [{"item_id": "people-focus.1", "value": 11}]}).encode(),
        "less than or equal",
    ),
    (
        "a version of true",
        json.dumps(
            {"answers": [{"item_id": "people-focus.1", "value": 3, "version": True}]}
        ).encode(),
        "version",
    ),
    (
        "201 answers",
        json.dumps({"answers": [{"item_id": f"x.{n}", "value": 3} for n in range(201)]}).encode(),
        "200",
    ),
    ("not JSON", b'{"answers": [', "JSON"),
]


@pytest.mark.parametrize(
    ("body", "message"), [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES]
)
def test_a_hostile_api_save_is_refused_as_problem_json_and_nothing_is_written(
    facilitator: TestClient, workspace: Workspace, engine: Engine, body: bytes, message: str
) -> None:
    token = _token(facilitator, workspace)
    before = _rows(engine)
    response = facilitator.put(
        f"/api/v1/respondent/{token}/answers",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    _refused(response, message)
    assert _rows(engine) == before


def test_a_replayed_save_with_an_old_version_is_refused_and_the_newer_answer_kept(
    facilitator: TestClient, workspace: Workspace, engine: Engine
) -> None:
    token = _token(facilitator, workspace)
    url = f"/api/v1/respondent/{token}/answers"
    current = facilitator.get(f"/api/v1/respondent/{token}").json()
    version = next(
        (a["version"] for a in current["answers"] if a["item_id"] == "people-focus.1"), 0
    )
    first = facilitator.put(
        url, json={"answers": [{"item_id": "people-focus.1", "value": 2, "version": version}]}
    )
    assert first.status_code == 200
    before = _rows(engine)

    replayed = facilitator.put(
        url, json={"answers": [{"item_id": "people-focus.1", "value": 5, "version": version}]}
    )

    assert replayed.status_code == 409
    assert replayed.json()["conflicts"][0]["value"] == 2
    assert _rows(engine) == before


@pytest.mark.parametrize("record_id", ["99999999999999999999999999", "999999"])
@pytest.mark.parametrize(
    ("route", "field", "extra"),
    [
        ("action-status", "action_id", {"status": "done"}),
        ("remove-quote", "quote_id", {}),
        ("quotes", "answer_id", {}),
    ],
)
def test_an_impossible_or_unknown_id_in_a_workshop_form_is_refused_and_nothing_is_written(
    facilitator: TestClient,
    engine: Engine,
    workspace: Workspace,
    record_id: str,
    route: str,
    field: str,
    extra: dict[str, str],
) -> None:
    workshop = f"/rounds/{workspace.previous_round}/workshop"
    before = _rows(engine)
    response = post_form(facilitator, workshop, f"{workshop}/{route}", {field: record_id, **extra})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[-2000:])
    assert _rows(engine) == before


@pytest.mark.parametrize("organisation", ["999999", "99999999999999999999999999", "abc"])
def test_a_partner_report_for_an_organisation_that_is_not_there_is_not_found(
    facilitator: TestClient, workspace: Workspace, organisation: str
) -> None:
    response = facilitator.get(
        f"/rounds/{workspace.previous_round}/reports/partner.pdf?organisation={organisation}"
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text[-2000:])
