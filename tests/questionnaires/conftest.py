"""Helpers to write a changed copy of the real definition and load it."""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.questionnaires import TRUSTING_PLACE, Edit


@pytest.fixture(scope="session")
def trusting_place_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TRUSTING_PLACE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def edited_copy(trusting_place_data: dict[str, Any], tmp_path: Path) -> Callable[[Edit], Path]:
    """Write the real definition, changed by ``edit``, to a file and return its path."""

    def write(edit: Edit) -> Path:
        data = copy.deepcopy(trusting_place_data)
        edit(data)
        path = tmp_path / "local-questions.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
        return path

    return write
