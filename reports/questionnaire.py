"""The blank questionnaire for paper completion, worded exactly as the online version.

It is built from the same resolved items the answering pages use (``Definition.items_for`` and
``Definition.items``), so wording cannot drift between paper and screen. Question numbers are
the item ids, which is what the paper-answers import expects; the plain-language version, for
community members, numbers its questions 1, 2, 3 instead and ends with a key from those numbers to
the ids, for the facilitator who types the answers in.
"""

from dataclasses import dataclass
from itertools import groupby

from questionnaires.schema import OPT_OUT_LABELS, Definition, Item
from questionnaires.sectors import Sector


@dataclass(frozen=True)
class OptionView:
    value: int
    label: str
    descriptor: str


@dataclass(frozen=True)
class QuestionView:
    number: int
    item_id: str
    question: str
    options: tuple[OptionView, ...]
    opt_outs: tuple[str, ...]
    evidence_prompt: str | None
    only_for: str | None


@dataclass(frozen=True)
class SubjectView:
    title: str
    summary: str
    questions: tuple[QuestionView, ...]


@dataclass(frozen=True)
class PartView:
    title: str
    intro: str
    subjects: tuple[SubjectView, ...]


@dataclass(frozen=True)
class PrintableQuestionnaire:
    title: str
    description: str
    version: str
    variant: str
    source: str
    sectors: tuple[str, ...]
    parts: tuple[PartView, ...]
    questions: int
    plain: bool
    codes: tuple[tuple[int, str], ...]
    """Question number and item id, for the facilitator's key (plain language only)."""
    return_note: str
    """Where to send it and by when, as far as the round says."""


def build_printable_questionnaire(
    definition: Definition,
    variant_id: str | None = None,
    *,
    place: str = "",
    return_by: str | None = None,
    contact: str | None = None,
) -> PrintableQuestionnaire:
    """The default (professional) variant has every item, each marked with who it is for;
    another variant is printed as its own respondents see it."""
    variant = next(
        (v for v in definition.variants if v.id == variant_id),
        next(v for v in definition.variants if not v.sectors),
    )
    items: list[Item]
    if variant.sectors:
        items = definition.items_for(variant.sectors[0], variant)
    else:
        items = [item for item in definition.items if item.part in variant.parts]
    numbers = {item.id: number for number, item in enumerate(items, start=1)}
    parts = []
    for part_id, part_items in groupby(items, key=lambda item: item.part):
        part = definition.part(part_id)
        plain = variant.plain_language
        subjects = []
        for subject_id, subject_items in groupby(part_items, key=lambda item: item.subject):
            listed = list(subject_items)
            summary = ""
            if any(c.id == subject_id for c in definition.conditions):
                condition = definition.condition(subject_id)
                summary = (condition.plain_summary if plain else None) or condition.summary
            else:
                summary = definition.recommendation(subject_id).summary
            subjects.append(
                SubjectView(
                    listed[0].subject_title,
                    summary,
                    tuple(_question(definition, item, numbers[item.id]) for item in listed),
                )
            )
        parts.append(
            PartView(
                title=(part.plain_title if plain else None) or part.title,
                intro=(part.plain_intro if plain else None) or part.intro,
                subjects=tuple(subjects),
            )
        )
    return PrintableQuestionnaire(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        variant=variant.label,
        source=f"{definition.source.title} ({definition.source.publisher}, "
        f"{definition.source.year})",
        sectors=tuple(s.label for s in variant.sectors or list(Sector)),
        parts=tuple(parts),
        questions=len(items),
        plain=variant.plain_language,
        codes=tuple((n, item_id) for item_id, n in numbers.items())
        if variant.plain_language
        else (),
        return_note=_return_note(place, return_by, contact),
    )


def _return_note(place: str, return_by: str | None, contact: str | None) -> str:
    """A person holding the paper needs to know where it goes and by when."""
    forum = f"the {place} place forum" if place else "your place forum"
    when = f" by {return_by}" if return_by else ""
    to = contact or f"the person who gave it to you, for {forum}'s facilitator"
    return f"Please return it{when} to {to}. Questions about it go to the same address."


def _question(definition: Definition, item: Item, number: int) -> QuestionView:
    scale = definition.scale(item.scale)
    return QuestionView(
        number=number,
        item_id=item.id,
        question=item.question,
        options=tuple(
            OptionView(level.value, level.label, item.descriptors.get(level.value, ""))
            for level in scale.levels
        ),
        opt_outs=tuple(OPT_OUT_LABELS[o] for o in scale.opt_outs),
        evidence_prompt=item.evidence_prompt,
        only_for=next(a.label for a in definition.audiences if a.id == item.audience)
        if item.audience
        else None,
    )
