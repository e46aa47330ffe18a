"""From an input model's errors to the sentences people read: one wording for pages, uploads, the
API and the command line.

Every input model states its limits once (``min_length``, ``max_length``, ``ge``/``le``, choices
checked by validators) and gives each field a ``title`` such as "the place's name"; the messages
below are built from those, so a limit and its message can never disagree. A validator that
raises ``ValueError("…")`` is shown word for word.
"""

import enum
import types
import typing
from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

REAL_DATE_EXAMPLE = "2027-03-31"


def _title(name: str, field: FieldInfo | None) -> str:
    return (field.title if field and field.title else name.replace("_", " ")).strip()


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _allowed_types(field: FieldInfo | None) -> set[type]:
    if field is None or field.annotation is None:
        return set()
    annotation: Any = field.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        arguments = typing.get_args(annotation)
    else:
        arguments = (annotation,)
    return {
        typing.get_origin(a) or a for a in arguments if isinstance(typing.get_origin(a) or a, type)
    }


def _is_choice(name: str, field: FieldInfo | None) -> bool:
    allowed = _allowed_types(field)
    return name.endswith("_id") or any(issubclass(t, enum.Enum) for t in allowed)


def message_for(name: str, field: FieldInfo | None, error: ErrorDetails) -> str:
    """The sentence for one error of one field."""
    kind, context = error["type"], error.get("ctx") or {}
    title = _title(name, field)
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    if kind == "unstorable":
        return f"{_capitalised(title)} has a character that cannot be stored; remove it"
    if kind == "line_break":
        return f"{_capitalised(title)} must be on one line"
    if _is_choice(name, field):
        return f"Choose {title}"
    if kind in {"missing", "string_too_short"} and context.get("min_length", 1) <= 1:
        examples = field.examples if field and field.examples else None
        return f"Enter {title}" + (f", for example {examples[0]}" if examples else "")
    if kind == "string_too_short":
        return f"{_capitalised(title)} must be at least {context['min_length']:,} characters long"
    if kind == "string_too_long":
        return f"{_capitalised(title)} must be {context['max_length']:,} characters or fewer"
    if date in _allowed_types(field):
        return f"{_capitalised(title)} must be a real date, like {REAL_DATE_EXAMPLE}"
    bounds = {
        type(m).__name__: getattr(m, type(m).__name__.lower(), None)
        for m in (field.metadata if field else [])
    }
    if "Ge" in bounds and "Le" in bounds:
        return f"{_capitalised(title)} must be a whole number from {bounds['Ge']} to {bounds['Le']}"
    if kind.startswith("int") or kind.startswith("greater") or kind.startswith("less"):
        return f"{_capitalised(title)} must be a whole number"
    return f"Check {title}"


def field_messages(model: type[BaseModel], error: ValidationError) -> dict[str, str]:
    """Each field with a problem, in the model's field order, with its first message."""
    found: dict[str, str] = {}
    for detail in error.errors():
        location = detail["loc"]
        name = str(location[0]) if location else ""
        if name and name not in found:
            found[name] = message_for(name, model.model_fields.get(name), detail)
    order = list(model.model_fields)
    ranked = sorted(found, key=lambda n: order.index(n) if n in order else len(order))
    return {name: found[name] for name in ranked}


def cleaned(values: Mapping[str, Any], secrets: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Typed text as a model should see it: trimmed (``secrets`` exactly as typed, since a
    password's spaces are part of it), and blank meaning 'not given'."""
    trimmed = {
        k: v.strip() if isinstance(v, str) and k not in secrets else v for k, v in values.items()
    }
    return {k: v for k, v in trimmed.items() if v != ""}
