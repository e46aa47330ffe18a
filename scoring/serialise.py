"""The JSON form of a ScoreResult (the output of ``placecheck score --format json``)."""

from dataclasses import asdict, is_dataclass
from enum import Enum
from typing import Any

from scoring.types import GroupScore, ScoreResult

DECIMALS = 3


def _plain(value: Any) -> Any:
    if isinstance(value, GroupScore):
        if value.suppressed:
            return {"suppressed": True, "reason": value.reason}
        return {"score": _plain(value.score), "score_headcount": _plain(value.score_headcount)}
    if is_dataclass(value) and not isinstance(value, type):
        return {key: _plain(getattr(value, key)) for key in asdict(value)}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, Enum):
        return value.value
    return value


def result_to_json(result: ScoreResult) -> dict[str, Any]:
    """Top level: rules_version, questionnaire, respondents, conditions, items, recommendations,
    asks and findings. Conditions are flattened so that the headline fields sit at the top."""
    conditions = {}
    for condition_id, condition in result.conditions.items():
        conditions[condition_id] = {
            "score": _plain(condition.score),
            "score_headcount": _plain(condition.score_headcount),
            "band": condition.band,
            "no_score_reason": condition.no_score_reason,
            "respondents": condition.respondents,
            "organisations": condition.organisations,
            "rated": condition.counts.rated,
            "dont_know": condition.counts.dont_know,
            "not_applicable": condition.counts.not_applicable,
            "dont_know_share": _plain(condition.dont_know_share),
            "coverage": _plain(condition.coverage),
            "consensus": _plain(condition.spread.consensus),
            "split": condition.spread.split,
            "split_sides": _plain(condition.sides),
            "distribution": _plain(condition.spread.distribution),
            "median": _plain(condition.spread.median),
            "importance": _plain(condition.importance),
            "priority": _plain(condition.priority),
            "by_sector": _plain(condition.by_sector),
            "by_organisation": _plain(condition.by_organisation),
            "change": _plain(condition.change),
        }
        if condition.combined is not None:
            conditions[condition_id]["combined"] = {
                "sectors": list(condition.combined_sectors),
                **_plain(condition.combined),
            }
    items = {
        item_id: {
            "subject": item.subject,
            "respondents": item.counts.rated + item.counts.dont_know + item.counts.not_applicable,
            "rated": item.counts.rated,
            "dont_know": item.counts.dont_know,
            "not_applicable": item.counts.not_applicable,
            **_plain(item.spread),
        }
        for item_id, item in result.items.items()
    }
    return {
        "rules_version": result.rules_version,
        "anonymity_threshold": result.anonymity_threshold,
        "bands": [{"id": bid, "label": label} for bid, label in result.bands],
        "questionnaire": _plain(result.questionnaire),
        "respondents": result.respondents,
        "organisations": result.organisations,
        "respondents_by_sector": result.respondents_by_sector,
        "conditions": conditions,
        "items": items,
        "recommendations": {
            rid: {
                "part": r.part,
                "score": _plain(r.score),
                "typical_level": r.typical_level,
                "typical_status": r.typical_label,
                "rated": r.counts.rated,
                "dont_know": r.counts.dont_know,
                "not_applicable": r.counts.not_applicable,
                **_plain(r.spread),
                "related_conditions": _plain(r.related_conditions),
                "follow_up": _plain(r.follow_up),
            }
            for rid, r in result.recommendations.items()
        },
        "asks": result.asks,
        "findings": [_plain(finding) for finding in result.findings],
    }
