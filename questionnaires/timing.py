"""How long a questionnaire takes, estimated from what the respondent actually reads.

Reading at 200 words a minute (a careful pace for unfamiliar policy text), plus 8 seconds to
decide each answer. The start page quotes it, so that nobody is surprised by the length.
"""

import math

from questionnaires.schema import Definition
from questionnaires.sectors import Sector

WORDS_PER_MINUTE = 200
SECONDS_TO_DECIDE = 8


def _words(text: str) -> int:
    return len(text.split())


def estimated_minutes(definition: Definition, sector: Sector) -> int:
    variant = definition.variant_for(sector)
    items = definition.items_for(sector)
    words = 0
    for item in items:
        words += _words(item.question)
        if item.descriptors:
            words += sum(_words(text) for text in item.descriptors.values())
        else:
            words += sum(_words(level.label) for level in definition.scale(item.scale).levels)
    subjects = {item.subject for item in items}
    for condition in definition.conditions:
        if condition.id in subjects:
            summary = condition.plain_summary if variant.plain_language else None
            words += _words(summary or condition.summary)
    for recommendation in definition.recommendations:
        if recommendation.id in subjects:
            words += _words(recommendation.title) + _words(recommendation.summary)
    seconds = words / WORDS_PER_MINUTE * 60 + len(items) * SECONDS_TO_DECIDE
    return math.ceil(seconds / 60)
