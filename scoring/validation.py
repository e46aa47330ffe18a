"""Checking answers against the definition before scoring, so nothing is silently dropped."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from questionnaires.schema import Definition, Item, OptOut
from scoring.types import Respondent


@dataclass(frozen=True)
class InputProblem:
    respondent: str | None
    item: str | None
    message: str

    def __str__(self) -> str:
        where = [
            f"respondent {self.respondent!r}" if self.respondent is not None else "",
            f"item {self.item!r}" if self.item is not None else "",
        ]
        prefix = ", ".join(part for part in where if part)
        return f"{prefix}: {self.message}" if prefix else self.message


class InvalidAnswersError(ValueError):
    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in problems))


def items_asked(definition: Definition, respondent: Respondent) -> dict[str, Item]:
    """The items this respondent could have answered, by id."""
    variant = (
        next(v for v in definition.variants if v.id == respondent.respondent_type)
        if respondent.respondent_type
        and any(v.id == respondent.respondent_type for v in definition.variants)
        else None
    )
    return {item.id: item for item in definition.items_for(respondent.sector, variant=variant)}


def check_respondents(
    definition: Definition, respondents: Sequence[Respondent]
) -> list[InputProblem]:
    problems: list[InputProblem] = []
    duplicates = {rid for rid, count in Counter(r.id for r in respondents).items() if count > 1}
    for rid in sorted(duplicates):
        problems.append(InputProblem(rid, None, "this respondent id is used more than once"))
    variants = {variant.id for variant in definition.variants}
    # Respondents of one sector and questionnaire version are asked the same items.
    asked_of: dict[tuple[object, str | None], dict[str, Item]] = {}
    levels_of: dict[tuple[object, str | None], dict[str, frozenset[int]]] = {}
    for respondent in respondents:
        if not respondent.organisation.strip():
            problems.append(InputProblem(respondent.id, None, "has no organisation"))
        if respondent.respondent_type is not None and respondent.respondent_type not in variants:
            problems.append(
                InputProblem(
                    respondent.id,
                    None,
                    f"respondent type {respondent.respondent_type!r} is not one of "
                    f"{', '.join(sorted(variants))}",
                )
            )
            continue
        key = (respondent.sector, respondent.respondent_type)
        if key not in asked_of:
            asked_of[key] = items_asked(definition, respondent)
            levels_of[key] = {
                item.id: definition.scale(item.scale).value_set for item in asked_of[key].values()
            }
        asked, levels = asked_of[key], levels_of[key]
        for item_id, value in respondent.answers.items():
            if type(value) is int and value in levels.get(item_id, ()):
                continue  # the common case, checked without a call
            problem = _check_answer(definition, asked, item_id, value)
            if problem:
                problems.append(InputProblem(respondent.id, item_id, problem))
    return problems


def _check_answer(
    definition: Definition, asked: dict[str, Item], item_id: str, value: object
) -> str | None:
    item = asked.get(item_id)
    if item is None:
        if item_id in definition.items_by_id:
            return "this item is not asked of the respondent's sector or questionnaire version"
        return f"there is no item {item_id!r} in {definition.id} {definition.version}"
    scale = definition.scale(item.scale)
    if isinstance(value, OptOut):
        if value not in scale.opt_outs:
            allowed = " or ".join(str(o) for o in scale.opt_outs) or "no opt-out"
            return f"{value} is not an answer to this item (it allows {allowed})"
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in scale.values:
        return (
            f"{value!r} is out of range: answers are {scale.values[0]} to {scale.values[-1]}"
            + "".join(f", {o!r}" for o in (o.value for o in scale.opt_outs))
        )
    return None
