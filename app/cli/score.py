"""``placecheck score``: score a JSON file of answers, as a table or as JSON."""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.support import fail, load_settings
from app.core.registry import registry_for
from app.results.rules import DEFAULT_RULES_PATH, load_rules
from questionnaires.registry import Registry, UnknownQuestionnaireError
from questionnaires.schema import Definition
from scoring.disclosure import disclosed
from scoring.engine import score
from scoring.inputs import input_from_data
from scoring.rounding import hundredths, one_decimal
from scoring.rules import RulesError
from scoring.serialise import result_to_json
from scoring.types import SPLIT_BAND, Respondent, ScoreResult
from scoring.validation import InvalidAnswersError


class OutputFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{path}: there is no such file")
    except json.JSONDecodeError as error:
        fail(f"{path}, line {error.lineno}: this is not valid JSON ({error.msg})")


def _score_file(
    path: Path, rules_path: Path, previous: ScoreResult | None
) -> tuple[Definition, ScoreResult, list[Respondent]]:
    try:
        rules = load_rules(rules_path)
    except RulesError as error:
        fail(str(error))
    try:
        scoring_input = input_from_data(_read_json(path))
        wanted = (scoring_input.questionnaire_id, scoring_input.questionnaire_version)
        try:
            definition = Registry().get(*wanted)
        except UnknownQuestionnaireError:
            # Not built in: the deployment's own folders, which need its settings read.
            definition = registry_for(load_settings()).get(*wanted)
        respondents = list(scoring_input.respondents)
        return definition, score(definition, respondents, rules, previous), respondents
    except InvalidAnswersError as error:
        count = len(error.problems)
        typer.secho(f"{path}: {count} problem{'s' if count != 1 else ''}", err=True, fg="red")
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(code=1) from error
    except UnknownQuestionnaireError as error:
        fail(f"{path}: {error}")


def _score_stored_round(
    round_ref: str, rules_path: Path
) -> tuple[Definition, ScoreResult, list[Respondent]]:
    from sqlmodel import Session

    from app.cli.database import find_round, reachable_engine
    from app.results.service import previous_round, respondents_of_round, score_round
    from app.rounds.definitions import definition_of_round

    try:
        rules = load_rules(rules_path)
    except RulesError as error:
        fail(str(error))
    with reachable_engine(load_settings()) as engine, Session(engine) as session:
        assessment_round = find_round(session=session, reference=round_ref)
        if assessment_round is None:
            fail(f"there is no round {round_ref!r} (give a round id, or 'demo')")
        definition = definition_of_round(session=session, assessment_round=assessment_round)
        return (
            definition,
            score_round(
                session=session,
                assessment_round=assessment_round,
                rules=rules,
                earlier=previous_round(session=session, assessment_round=assessment_round),
            ),
            respondents_of_round(session=session, assessment_round=assessment_round),
        )


def score_command(
    input_file: Annotated[
        Path | None, typer.Argument(metavar="[INPUT.json]", help="Answers to score.")
    ] = None,
    round_ref: Annotated[
        str | None,
        typer.Option(
            "--round", help="Score a stored round instead: its id, or 'demo' (submitted answers)."
        ),
    ] = None,
    rules: Annotated[Path, typer.Option(help="Rules file.")] = DEFAULT_RULES_PATH,
    previous: Annotated[
        Path | None, typer.Option(help="The previous round's answers, to show change.")
    ] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
    unsuppressed: Annotated[
        bool,
        typer.Option(
            "--unsuppressed",
            help="Every figure at full precision, small groups included: for checking the "
            "scoring yourself, never to share.",
        ),
    ] = False,
) -> None:
    """Score answers (the JSON format in the README, or a stored round) and print the result:
    by default as a forum member may see it (every figure through the anonymity rules and at
    the precision the reports print)."""
    if (input_file is None) == (round_ref is None):
        fail("give either INPUT.json or --round ROUND")
    if round_ref is not None:
        definition, result, respondents = _score_stored_round(round_ref, rules)
    else:
        assert input_file is not None
        previous_result = _score_file(previous, rules, None)[1] if previous else None
        definition, result, respondents = _score_file(input_file, rules, previous_result)
    if unsuppressed:
        typer.secho(
            "Unsuppressed: small groups and full precision are shown. Do not share this output.",
            err=True,
            fg="yellow",
        )
    else:
        result = disclosed(
            definition,
            result,
            load_rules(rules).with_threshold(result.anonymity_threshold),
            respondents,
        )
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps(result_to_json(result), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_table(definition, result))


def _share(value: float | None) -> str:
    return "–" if value is None else f"{hundredths(value) / 100:.2f}"


def _band_label(result: ScoreResult, band_id: str | None) -> str:
    default = "Split" if band_id == SPLIT_BAND else "–"
    return next((label for bid, label in result.bands if bid == band_id), default)


def render_table(definition: Definition, result: ScoreResult) -> str:
    header = (
        f"{'Condition':<44} {'Score':>5} {'Heads':>5} {'Band':<10} {'Resp':>4} {'DK':>3} "
        f"{'Cons':>4} {'Split':<5} {'Imp':>3} {'Prio':>4}"
    )
    lines = [
        f"{definition.title} {definition.version} – rules {result.rules_version}, "
        f"{result.respondents} respondents from {result.organisations} organisations, "
        f"anonymity threshold {result.anonymity_threshold}",
        "",
        header,
        "-" * len(header),
    ]
    for condition in definition.conditions:
        c = result.conditions[condition.id]
        lines.append(
            f"{condition.title[:44]:<44} {one_decimal(c.score):>5} "
            f"{one_decimal(c.score_headcount):>5} "
            f"{_band_label(result, c.band):<10} {c.respondents:>4} {c.counts.dont_know:>3} "
            f"{_share(c.spread.consensus):>4} {'yes' if c.spread.split else 'no':<5} "
            f"{one_decimal(c.importance):>3} {_share(c.priority):>4}"
        )
    lines += ["", "Findings:"]
    lines += [f"  [{f.rule}] {f.sentence}" for f in result.findings] or ["  none"]
    return "\n".join(lines)
