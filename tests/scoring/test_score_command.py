"""``placecheck score`` with the documented example file and with broken input."""

import json
from pathlib import Path

from typer.testing import CliRunner

import scoring
from app.cli.main import cli

EXAMPLE = Path(scoring.__file__).parent / "examples" / "example-input.json"
runner = CliRunner()


def test_json_output_has_the_documented_top_level_and_condition_fields() -> None:
    result = runner.invoke(cli, ["score", str(EXAMPLE), "--format", "json"])

    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert {"rules_version", "conditions", "items", "recommendations", "findings"} <= set(output)
    assert len(output["conditions"]) == 12
    condition = output["conditions"]["people-focus"]
    for field in (
        "score",
        "score_headcount",
        "band",
        "respondents",
        "dont_know",
        "consensus",
        "split",
        "importance",
        "priority",
        "by_sector",
        "by_organisation",
    ):
        assert field in condition
    assert output["conditions"]["people-focus"]["by_sector"]["police"] == {
        "suppressed": True,
        "reason": "shown with other small groups in the combined column",
    }
    combined = output["conditions"]["people-focus"]["combined"]
    assert "police" in combined["sectors"] and len(combined["sectors"]) >= 2
    assert output["conditions"]["sufficient-resources"]["score"] is None


def test_table_output_names_every_condition_and_the_rules_version() -> None:
    result = runner.invoke(cli, ["score", str(EXAMPLE)])

    assert result.exit_code == 0, result.output
    assert "rules 1.4" in result.output
    assert "Coordination role" in result.output
    assert "Findings:" in result.output


def test_bad_answers_are_listed_with_respondent_and_item_and_exit_1(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["respondents"][0]["answers"]["people-focus.7"] = 3
    data["respondents"][1]["answers"]["R3"] = 9
    del data["respondents"][2]["organisation"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")

    result = runner.invoke(cli, ["score", str(broken)])

    assert result.exit_code == 1
    assert "respondent 'council-3': has no \"organisation\"" in result.output
    broken_data = json.loads(broken.read_text())
    del broken_data["respondents"][2]
    broken.write_text(json.dumps(broken_data), encoding="utf-8")
    result = runner.invoke(cli, ["score", str(broken)])
    assert result.exit_code == 1
    assert "2 problems" in result.output
    assert "respondent 'council-1', item 'people-focus.7': there is no item" in result.output
    assert "respondent 'council-2', item 'R3': 9 is out of range" in result.output


def test_the_previous_round_adds_changes(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for respondent in data["respondents"]:
        respondent["answers"] = {
            k: (
                max(1, v - 1)
                if isinstance(v, int)
                and "." in k
                and "importance" not in k
                and "follow-up" not in k
                else v
            )
            for k, v in respondent["answers"].items()
        }
    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps(data), encoding="utf-8")

    result = runner.invoke(
        cli, ["score", str(EXAMPLE), "--previous", str(earlier), "--format", "json"]
    )

    output = json.loads(result.output)
    assert output["conditions"]["people-focus"]["change"]["delta"] > 0
    assert any(f["rule"] == "improved" for f in output["findings"])


def test_an_unreadable_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")

    result = runner.invoke(cli, ["score", str(bad)])

    assert result.exit_code == 1
    assert "line 1: this is not valid JSON" in result.output


def _decimals(value: object) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if isinstance(value, float) and "." in text else 0


def test_scores_print_through_the_gate_at_printed_precision_unless_asked_otherwise() -> None:
    gated = json.loads(runner.invoke(cli, ["score", str(EXAMPLE), "--format", "json"]).output)
    raw = runner.invoke(cli, ["score", str(EXAMPLE), "--format", "json", "--unsuppressed"])

    shown = [
        group
        for condition in gated["conditions"].values()
        for group in [*condition["by_sector"].values(), condition.get("combined") or {}]
        if group.get("score") is not None
    ]
    assert shown
    assert all(_decimals(g["score"]) <= 1 and _decimals(g["score_headcount"]) <= 1 for g in shown)
    for condition in gated["conditions"].values():
        assert _decimals(condition["score"]) <= 1
    for recommendation in gated["recommendations"].values():
        assert recommendation["rated"] >= 3 or recommendation["distribution"] == {}
    assert "Do not share" in raw.stderr
    unsuppressed = json.loads(raw.stdout)
    assert any(_decimals(c["score"]) > 1 for c in unsuppressed["conditions"].values() if c["score"])
