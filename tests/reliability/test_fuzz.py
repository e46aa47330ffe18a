"""Fuzz: schemathesis generates requests for every operation of the JSON API from its OpenAPI
schema, valid and invalid, and checks each response: no server error, every status, header and
body as the schema documents, and invalid input refused.

Driven through schemathesis's Python API with Hypothesis rather than its pytest plugin, which
does not yet run under pytest 9.
"""

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from sqlmodel import SQLModel

from app.core.config import Environment, Settings
from app.core.db import create_db_engine
from app.main import create_app
from tests.support.figures import print_table
from tests.support.records import make_round

EXAMPLES = 80
# The schema says what an item id looks like, not which items a respondent's questionnaire
# has (that depends on their sector), so a well-formed but unknown id is rightly refused with a
# 422 that names it; this check would call that a failure.
NOT_APPLICABLE = [schemathesis.checks.positive_data_acceptance]


def _fuzzer(
    operation: Any, mode: schemathesis.GenerationMode, token: str, cases: Counter[str], name: str
) -> Callable[[], None]:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def fuzz(case: schemathesis.Case) -> None:
        if "token" in (case.path_parameters or {}):
            # A real link, so requests reach the validation behind it instead of stopping at
            # 'this link does not work' (the respondent tests cover that).
            case.path_parameters["token"] = token
        cases[name] += 1
        case.call_and_validate(excluded_checks=NOT_APPLICABLE)

    return fuzz  # type: ignore[no-any-return]


def test_every_api_operation_answers_as_its_schema_says(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fuzz.db'}")
    SQLModel.metadata.create_all(engine)
    token = make_round(engine).council
    app = create_app(
        settings=Settings(environment=Environment.TEST),
        engine=engine,
    )
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    rows: list[list[str]] = []
    failures: list[str] = []
    cases: Counter[str] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in schemathesis.GenerationMode:
            name = f"{operation.method.upper()} {operation.path} ({mode.value})"
            try:
                _fuzzer(operation, mode, token, cases, name)()
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (no body; any token is a
                # well-formed string), so there are no negative cases to send.
                assert mode is schemathesis.GenerationMode.NEGATIVE
            except Exception as error:  # noqa: BLE001 - every operation is tried, then reported
                failures.append(f"{name}: {error}")
            rows.append([name, str(cases[name]), str(sum(f.startswith(name) for f in failures))])
    engine.dispose()
    print_table("Fuzz: schemathesis over the JSON API", ["operation", "cases", "failures"], rows)

    assert len(rows) >= 4, "every API operation should be fuzzed"
    assert failures == []
