"""Reading a definition file and explaining, in plain words, everything wrong with it.

A facilitator adapting wording for their place should see 'trusting-place.yaml, line 212,
conditions › strong-leadership › statements › 2 › levels: level 4 (Established) has no
descriptor', not a pydantic dump.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from questionnaires.checks import Location, check_definition
from questionnaires.schema import Definition


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        line = f", line {self.line}" if self.line else ""
        where = f" ({self.where})" if self.where else ""
        return f"{self.file}{line}{where}: {self.message}"


class DefinitionError(ValueError):
    """A definition file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML has it: the same safe subset, ten times as fast (reading the
built-in questionnaire took most of the command line's fixed cost)."""


def parse_yaml(text: str) -> Any:
    """Safe YAML (plain data, no tags that run code), for definitions and rules files alike."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


def load_definition(path: Path) -> Definition:
    """Read, validate and check one definition file, or raise DefinitionError with every problem."""
    text = _read(path)
    try:
        tree = yaml.compose(text, Loader=SAFE_LOADER)
        data = parse_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DefinitionError(
            [
                Problem(
                    str(path),
                    mark.line + 1 if mark else None,
                    "",
                    f"this is not valid YAML: {getattr(error, 'problem', None) or error}",
                )
            ]
        ) from error
    return definition_from_data(data, file=str(path), tree=tree)


def definition_from_data(
    data: Any, *, file: str = "<data>", tree: yaml.Node | None = None
) -> Definition:
    if not isinstance(data, dict):
        raise DefinitionError([Problem(file, 1, "", "a definition must be a mapping of fields")])
    try:
        definition = Definition.model_validate(data)
    except ValidationError as error:
        raise DefinitionError(
            [_problem(file, data, tree, tuple(e["loc"]), _plain_message(e)) for e in error.errors()]
        ) from error
    findings = check_definition(definition)
    if findings:
        raise DefinitionError(
            [_problem(file, data, tree, finding.location, finding.message) for finding in findings]
        )
    return definition


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise DefinitionError([Problem(str(path), None, "", "there is no such file")]) from error
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError([Problem(str(path), None, "", f"cannot be read: {error}")]) from error


def _plain_message(error: ErrorDetails) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "missing":
        return "this field is missing"
    if kind == "extra_forbidden":
        return "this field is not part of a definition (check its spelling)"
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern", ""))
        if pattern.startswith("^R"):
            return "recommendation ids are R followed by the number, like R7"
        if r"\." in pattern:
            return (
                "statement ids are the condition id, a dot and a short name, like 'people-focus.1'"
            )
        if "(0|[1-9]" in pattern:
            return "versions are written major.minor.patch, like 1.2.0"
        return "ids use lower-case letters, digits and single hyphens, like 'strong-leadership'"
    if kind == "string_too_short":
        return "this text is empty"
    if kind in {"too_short", "too_long"}:
        return str(error["msg"]).replace("List", "this list").replace("Value", "this value")
    if kind == "enum":
        return f"{error['input']!r} is not one of: {context.get('expected', '')}"
    return str(error["msg"])


def _problem(
    file: str, data: Any, tree: yaml.Node | None, location: Location, message: str
) -> Problem:
    return Problem(file, _line_of(tree, location), _describe(data, location), message)


def _describe(data: Any, location: Location) -> str:
    """A readable path: list positions are shown by the item's id when it has one."""
    parts: list[str] = []
    node = data
    for step in location:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            label = node.get("id") if isinstance(node, dict) else None
            parts.append(str(label) if isinstance(label, str) else str(step + 1))
        else:
            node = node.get(step, node.get(str(step))) if isinstance(node, dict) else None
            parts.append(str(step))
    return " › ".join(parts)


def _line_of(tree: yaml.Node | None, location: Location) -> int | None:
    """The line of the deepest node along ``location`` that the YAML file really has."""
    if tree is None:
        return None
    node: yaml.Node = tree
    line: int = node.start_mark.line + 1
    for step in location:
        if isinstance(node, yaml.MappingNode):
            match = next(
                (
                    (key, value)
                    for key, value in node.value
                    if isinstance(key, yaml.ScalarNode) and key.value == str(step)
                ),
                None,
            )
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                break
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line
