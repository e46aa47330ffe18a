"""A broken definition is refused with every problem named by file, line and place."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from questionnaires.loader import DefinitionError, load_definition
from tests.support.questionnaires import TRUSTING_PLACE, Edit

WriteCopy = Callable[[Edit], Path]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_definition_loads() -> None:
    assert load_definition(TRUSTING_PLACE).id == "trusting-place"


def test_a_typo_in_a_cross_reference_is_named(edited_copy: WriteCopy) -> None:
    def typo(data: dict[str, Any]) -> None:
        data["recommendations"][2]["related_conditions"][0] = "shared-outcome-and-accountability"

    problems = problems_of(edited_copy(typo))
    [problem] = [p for p in problems if "there is no condition" in p]

    assert "local-questions.yaml, line" in problem
    assert "recommendations › R3 › related_conditions › 1" in problem
    assert "there is no condition 'shared-outcome-and-accountability'" in problem
    # …and the link the typo broke is reported from the other side too.
    assert any("R3 does not list 'shared-outcomes-and-accountability'" in p for p in problems)


def test_a_missing_level_descriptor_is_named(edited_copy: WriteCopy) -> None:
    def drop_level(data: dict[str, Any]) -> None:
        del data["conditions"][1]["statements"][1]["levels"][4]

    [problem] = problems_of(edited_copy(drop_level))

    assert "conditions › strong-leadership › statements › strong-leadership.2 › levels" in problem
    assert "level 4 (Established) has no descriptor" in problem


def test_a_duplicate_id_is_named(edited_copy: WriteCopy) -> None:
    def duplicate(data: dict[str, Any]) -> None:
        data["conditions"][0]["statements"][2]["id"] = "people-focus.1"

    problems = problems_of(edited_copy(duplicate))

    assert any("the statement id 'people-focus.1' is used twice" in p for p in problems)


def test_every_problem_is_reported_not_only_the_first(edited_copy: WriteCopy) -> None:
    def break_three_things(data: dict[str, Any]) -> None:
        data["conditions"][0]["related_recommendations"].append("R99")
        del data["conditions"][5]["statements"][0]["levels"][1]
        data["case_studies"][0]["id"] = "wigan"

    problems = problems_of(edited_copy(break_three_things))

    assert len(problems) >= 3
    assert any("there is no recommendation 'R99'" in p for p in problems)
    assert any("level 1 (Not in place) has no descriptor" in p for p in problems)
    assert any("the id 'wigan' is used twice" in p for p in problems)


def test_structural_problems_are_explained_in_plain_words(edited_copy: WriteCopy) -> None:
    def misspell(data: dict[str, Any]) -> None:
        data["conditions"][0]["sumary"] = data["conditions"][0].pop("summary")
        data["conditions"][1]["id"] = "Strong Leadership"

    problems = problems_of(edited_copy(misspell))

    assert any(
        "conditions › people-focus › sumary" in p and "not part of a definition" in p
        for p in problems
    )
    assert any(
        "(conditions › people-focus › summary): this field is missing" in p for p in problems
    )
    assert any("lower-case letters, digits and single hyphens" in p for p in problems)
    assert all("pydantic" not in p and "errors.pydantic.dev" not in p for p in problems)


def test_the_line_points_at_the_problem(edited_copy: WriteCopy) -> None:
    def typo(data: dict[str, Any]) -> None:
        data["conditions"][11]["case_studies"] = ["wigann"]

    path = edited_copy(typo)
    [problem] = problems_of(path)
    line = int(problem.split("line ")[1].split(" ")[0])

    assert "wigann" in path.read_text().splitlines()[line - 1]


def test_invalid_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nconditions: [\n", encoding="utf-8")

    [problem] = problems_of(path)

    assert problem.startswith(f"{path}, line")
    assert "not valid YAML" in problem


def test_validate_command_exits_1_and_lists_every_error(edited_copy: WriteCopy) -> None:
    def break_two_things(data: dict[str, Any]) -> None:
        data["recommendations"][0]["case_studies"] = ["atlantis"]
        del data["conditions"][3]["statements"][0]["levels"][5]

    path = edited_copy(break_two_things)
    result = CliRunner().invoke(cli, ["questionnaire", "validate", str(path)])

    assert result.exit_code == 1
    assert "2 problems" in result.output
    assert "there is no case study 'atlantis'" in result.output
    assert "level 5 (Embedded) has no descriptor" in result.output


def test_validate_command_exits_0_for_the_shipped_definitions() -> None:
    result = CliRunner().invoke(cli, ["questionnaire", "validate"])

    assert result.exit_code == 0, result.output
    assert "trusting-place.yaml: OK" in result.output
