"""The running service: health check, home page, API errors as problem details."""

from fastapi.testclient import TestClient

from app.core.config import Environment, Settings
from app.core.db import create_db_engine
from app.main import create_app


def test_health_check_answers_ok_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_check_reports_an_unreachable_database_as_503() -> None:
    settings = Settings(environment=Environment.TEST)
    engine = create_db_engine("postgresql://nobody@127.0.0.1:1/nothing")
    with TestClient(create_app(settings=settings, engine=engine)) as client:
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "60"
    assert "cannot be reached" in response.json()["detail"]
    assert "nobody" not in response.text and "127.0.0.1" not in response.text


def test_home_page_renders_in_british_english(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert 'lang="en-GB"' in response.text
    assert "place forum" in response.text


def test_unknown_api_path_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "Not Found",
        "instance": "/api/v1/no-such-thing",
    }


def test_unknown_page_is_a_readable_html_page(client: TestClient) -> None:
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "The page you asked for is not here" in response.text


def test_openapi_document_is_published_under_the_api(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()

    assert "/api/v1/status" in document["paths"]
    assert "Problem" in document["components"]["schemas"]


def test_api_status_reports_the_database(client: TestClient) -> None:
    body = client.get("/api/v1/status").json()

    assert body["service"] == "placecheck"
    assert body["database"] == "ok"


def test_the_home_page_offers_facilitators_a_way_to_sign_in(client: TestClient) -> None:
    page = client.get("/").text

    assert '<a class="govuk-link" href="/sign-in">Sign in</a>' in page


def test_the_pages_a_public_body_must_publish_are_open_to_everyone_and_linked_from_every_page(
    client: TestClient,
) -> None:
    for path, heading in (
        ("/accessibility", "Accessibility statement for Placecheck"),
        ("/privacy", "Privacy notice"),
        ("/help", "Help"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<h1 class="govuk-heading-xl">{heading}</h1>' in response.text
    footer = client.get("/sign-in").text.split('<footer class="govuk-footer"')[1]
    for path in ("/help", "/privacy", "/accessibility"):
        assert f'href="{path}"' in footer
