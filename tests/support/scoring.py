"""Builders for respondents, so scoring tests say only what matters to them."""

from collections.abc import Mapping

from app.results.rules import load_rules
from questionnaires.registry import Registry
from questionnaires.schema import Definition, OptOut
from questionnaires.sectors import Sector
from scoring.types import AnswerValue, Respondent

DEFINITION = Registry().get("trusting-place")
RULES = load_rules()


def statements_of(condition_id: str, definition: Definition = DEFINITION) -> list[str]:
    return definition.statement_ids(condition_id)


def person(
    rid: str,
    organisation: str,
    sector: Sector,
    answers: Mapping[str, AnswerValue],
) -> Respondent:
    return Respondent(id=rid, organisation=organisation, sector=sector, answers=dict(answers))


def rating_everything_in(condition_id: str, level: int | OptOut) -> dict[str, AnswerValue]:
    """The same answer to every statement of one condition (skipping statutory-only ones)."""
    return {
        item_id: level
        for item_id in statements_of(condition_id)
        if DEFINITION.items_by_id[item_id].audience is None
    }
