"""The documented JSON input of ``placecheck score``, turned into respondents.

Every problem is reported with the respondent (by id, or by position when it has none) and the
item it concerns; nothing is silently dropped.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from questionnaires.schema import OptOut
from questionnaires.sectors import Sector
from scoring.types import AnswerValue, Respondent
from scoring.validation import InputProblem, InvalidAnswersError


@dataclass(frozen=True)
class ScoringInput:
    questionnaire_id: str
    questionnaire_version: str | None
    respondents: list[Respondent]


def input_from_data(data: Any) -> ScoringInput:
    if not isinstance(data, Mapping):
        raise InvalidAnswersError([InputProblem(None, None, "the input must be a JSON object")])
    problems: list[InputProblem] = []
    questionnaire = data.get("questionnaire")
    if not isinstance(questionnaire, Mapping) or not isinstance(questionnaire.get("id"), str):
        problems.append(InputProblem(None, None, 'give "questionnaire": {"id": …, "version": …}'))
        questionnaire = {}
    raw_respondents = data.get("respondents")
    if not isinstance(raw_respondents, list):
        problems.append(InputProblem(None, None, '"respondents" must be a list'))
        raw_respondents = []
    respondents = []
    for position, raw in enumerate(raw_respondents, start=1):
        respondent = _respondent(raw, position, problems)
        if respondent is not None:
            respondents.append(respondent)
    if problems:
        raise InvalidAnswersError(problems)
    version = questionnaire.get("version")
    return ScoringInput(
        questionnaire_id=str(questionnaire["id"]),
        questionnaire_version=str(version) if version is not None else None,
        respondents=respondents,
    )


def _respondent(raw: Any, position: int, problems: list[InputProblem]) -> Respondent | None:
    label = f"#{position}"
    if not isinstance(raw, Mapping):
        problems.append(InputProblem(label, None, "each respondent must be a JSON object"))
        return None
    respondent_id = raw.get("id")
    if not isinstance(respondent_id, str | int) or str(respondent_id).strip() == "":
        problems.append(InputProblem(label, None, 'has no "id"'))
        return None
    rid = str(respondent_id)
    count_before = len(problems)
    organisation = raw.get("organisation")
    if not isinstance(organisation, str) or not organisation.strip():
        problems.append(InputProblem(rid, None, 'has no "organisation"'))
    sector_value = raw.get("sector")
    sector = Sector.OTHER
    try:
        sector = Sector(str(sector_value))
    except ValueError:
        problems.append(
            InputProblem(
                rid,
                None,
                f"sector {sector_value!r} is not one of: {', '.join(s.value for s in Sector)}",
            )
        )
    respondent_type = raw.get("respondent_type")
    if respondent_type is not None and not isinstance(respondent_type, str):
        problems.append(InputProblem(rid, None, '"respondent_type" must be a string'))
    answers_raw = raw.get("answers")
    if not isinstance(answers_raw, Mapping):
        problems.append(InputProblem(rid, None, '"answers" must be an object of item ids'))
        answers_raw = {}
    answers: dict[str, AnswerValue] = {}
    for item_id, value in answers_raw.items():
        if isinstance(value, bool) or not isinstance(value, int | str):
            problems.append(InputProblem(rid, str(item_id), f"{value!r} is not an answer"))
        elif isinstance(value, str):
            try:
                answers[str(item_id)] = OptOut(value)
            except ValueError:
                problems.append(
                    InputProblem(
                        rid,
                        str(item_id),
                        f"{value!r} is not an answer: use a level number, "
                        '"dont_know" or "not_applicable"',
                    )
                )
        else:
            answers[str(item_id)] = value
    if len(problems) > count_before:
        return None
    assert isinstance(organisation, str)
    return Respondent(
        id=rid,
        organisation=organisation.strip(),
        sector=sector,
        respondent_type=respondent_type,
        answers=answers,
    )
