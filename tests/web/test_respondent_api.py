"""The respondent JSON API: same rules as the pages, all or nothing, problem details."""

import json
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.enums import RoundStatus
from tests.support.records import Invited, set_status


def test_reading_the_questionnaire_gives_items_scales_and_answers(
    client: TestClient, invited: Invited
) -> None:
    view = client.get(f"/api/v1/respondent/{invited.council}").json()

    assert view["organisation"] == "Testford Council"
    assert view["variant"] == "professional" and view["editable"] is True
    first = view["questions"][0]
    assert first["id"] == "people-focus.1"
    assert [level["value"] for level in first["levels"]] == [1, 2, 3, 4, 5]
    assert first["opt_outs"] == ["dont_know", "not_applicable"]
    assert first["descriptors"]["1"].startswith("Each organisation plans")
    assert view["answers"] == []


def test_saving_answers_returns_versions_and_a_second_save_needs_them(
    client: TestClient, invited: Invited
) -> None:
    url = f"/api/v1/respondent/{invited.council}/answers"

    first = client.put(url, json={"answers": [{"item_id": "people-focus.1", "value": 3}]})
    updated = client.put(
        url, json={"answers": [{"item_id": "people-focus.1", "value": 4, "version": 1}]}
    )
    stale = client.put(
        url, json={"answers": [{"item_id": "people-focus.1", "value": 2, "version": 1}]}
    )

    assert first.json() == {"saved": [{"item_id": "people-focus.1", "version": 1}]}
    assert updated.json() == {"saved": [{"item_id": "people-focus.1", "version": 2}]}
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["conflicts"] == [
        {"item_id": "people-focus.1", "value": 4, "evidence": "", "version": 2}
    ]


def test_one_invalid_answer_means_nothing_is_saved(client: TestClient, invited: Invited) -> None:
    response = client.put(
        f"/api/v1/respondent/{invited.council}/answers",
        json={
            "answers": [
                {"item_id": "people-focus.1", "value": 3},
                {"item_id": "people-focus.2", "value": 9},
                {"item_id": "people-focus.importance", "value": "not_applicable"},
                {"item_id": "R99", "value": 1},
            ]
        },
    )

    assert response.status_code == 422
    problem = response.json()
    assert problem["detail"].startswith("Nothing was saved")
    assert {p["name"]: p["reason"] for p in problem["invalid-params"]} == {
        "answers.people-focus.2": "Select one of the answers shown",
        "answers.people-focus.importance": "Select one of the answers shown",
        "answers.R99": "This question is not part of your questionnaire",
    }
    assert client.get(f"/api/v1/respondent/{invited.council}").json()["answers"] == []


def test_malformed_bodies_get_problem_details_naming_the_field(
    client: TestClient, invited: Invited
) -> None:
    response = client.put(
        f"/api/v1/respondent/{invited.council}/answers",
        json={"answers": [{"item_id": "people-focus.1", "value": "maybe"}]},
    )

    assert response.status_code == 422
    names = [p["name"] for p in response.json()["invalid-params"]]
    assert any(name.startswith("body.answers.0.value") for name in names)


def test_submitting_through_the_api(client: TestClient, invited: Invited) -> None:
    nothing = client.post(f"/api/v1/respondent/{invited.council}/submit")
    response = client.post(f"/api/v1/respondent/{invited.council}/submit?without_answers=true")

    assert nothing.status_code == 409 and "without_answers=true" in nothing.json()["detail"]
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert client.get(f"/api/v1/respondent/{invited.council}").json()["status"] == "submitted"


def test_an_unknown_token_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/respondent/nope")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("This invitation link does not work")


def test_a_closed_round_refuses_changes_with_a_409(
    client: TestClient, engine: Engine, invited: Invited
) -> None:
    set_status(engine, invited.round_id, RoundStatus.CLOSED)

    response = client.put(
        f"/api/v1/respondent/{invited.council}/answers",
        json={"answers": [{"item_id": "people-focus.1", "value": 3}]},
    )

    assert response.status_code == 409
    assert "not open" in response.json()["detail"]
    assert client.get(f"/api/v1/respondent/{invited.council}").json()["editable"] is False


def test_the_openapi_document_describes_the_respondent_api(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert set(paths) >= {
        "/api/v1/respondent/{token}",
        "/api/v1/respondent/{token}/answers",
        "/api/v1/respondent/{token}/submit",
    }
    assert "409" in str(paths["/api/v1/respondent/{token}/answers"]["put"]["description"])


def test_the_api_refuses_a_round_that_has_not_opened_just_as_the_pages_do(
    client: TestClient, invited: Invited, engine: Engine
) -> None:
    set_status(engine, invited.round_id, RoundStatus.DRAFT)

    api = client.get(f"/api/v1/respondent/{invited.council}")
    page = client.get(f"/r/{invited.council}")

    assert api.status_code == page.status_code == 403
    assert api.headers["content-type"] == "application/problem+json"
    assert "not open yet" in api.json()["detail"]
    assert "questions" not in api.json()
    assert "not open yet" in page.text


def test_the_same_question_twice_in_one_request_is_refused_and_nothing_is_saved(
    client: TestClient, invited: Invited
) -> None:
    twice = [{"item_id": "people-focus.1", "value": 3}, {"item_id": "people-focus.1", "value": 4}]

    response = client.put(f"/api/v1/respondent/{invited.council}/answers", json={"answers": twice})

    assert response.status_code == 422
    assert "more than once" in response.text
    stored = client.get(f"/api/v1/respondent/{invited.council}").json()["answers"]
    assert stored == []


@pytest.mark.parametrize(
    "answer",
    [
        {"item_id": "people-focus.1", "value": 3, "version": False},
        {"item_id": "people-focus.1", "value": True},
        {"item_id": "people-focus.1", "value": "3"},
        {"item_id": "people-focus.1", "value": 99},
        {"item_id": "people-focus.1", "value": 3, "version": 2**70},
    ],
)
def test_values_json_would_not_mean_are_refused(
    client: TestClient, invited: Invited, answer: dict[str, object]
) -> None:
    path = f"/api/v1/respondent/{invited.council}/answers"
    response = client.put(path, json={"answers": [answer]})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/api/v1/respondent/{invited.council}").json()["answers"] == []


def test_submitted_at_carries_its_utc_offset_on_every_database(
    client: TestClient, invited: Invited
) -> None:
    submitted = client.post(
        f"/api/v1/respondent/{invited.council}/submit?without_answers=true"
    ).json()
    read = client.get(f"/api/v1/respondent/{invited.council}").json()

    assert datetime.fromisoformat(submitted["submitted_at"]).utcoffset() == timedelta(0)
    assert datetime.fromisoformat(read["submitted_at"]).utcoffset() == timedelta(0)


def test_a_wrong_method_says_which_methods_are_allowed(
    client: TestClient, invited: Invited
) -> None:
    response = client.delete(f"/api/v1/respondent/{invited.council}/answers")

    assert response.status_code == 405
    assert response.headers["allow"] == "PUT"
    assert response.headers["content-type"] == "application/problem+json"


def test_the_schema_states_the_range_of_a_level(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    level = next(
        option
        for option in schema["AnswerIn"]["properties"]["value"]["anyOf"]
        if option.get("type") == "integer"
    )

    assert (level["minimum"], level["maximum"]) == (1, 10)


@pytest.mark.parametrize("comment", ["Null\u0000byte", "Half a pair \ud800 here", "Bell\u0007"])
def test_a_comment_with_a_character_no_database_can_store_is_refused_and_nothing_is_saved(
    client: TestClient, invited: Invited, comment: str
) -> None:
    answer = {"item_id": "people-focus.1", "value": 3, "evidence": comment}
    # As JSON escapes ("\ud800"), the way a client that sends half a pair writes it.
    body = json.dumps({"answers": [answer]}, ensure_ascii=True)

    response = client.put(
        f"/api/v1/respondent/{invited.council}/answers",
        content=body,
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 422
    assert "cannot be stored" in response.text
    assert client.get(f"/api/v1/respondent/{invited.council}").json()["answers"] == []
