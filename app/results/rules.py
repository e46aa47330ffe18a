"""Reading scoring rules files (the scoring package itself does no I/O)."""

from pathlib import Path

import yaml

import scoring
from questionnaires.loader import parse_yaml
from scoring.rules import RULES_FILE_NAME, Rules, RulesError, rules_from_data

DEFAULT_RULES_PATH = Path(scoring.__file__).resolve().parent / RULES_FILE_NAME


def load_rules(path: Path = DEFAULT_RULES_PATH) -> Rules:
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise RulesError(f"{path}: there is no such rules file") from error
    except yaml.YAMLError as error:
        raise RulesError(f"{path}: this is not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise RulesError(f"{path}: a rules file must be a mapping of settings")
    return rules_from_data(data, source=str(path))
