"""The built-in definition and rules, for scoring tests that take them as fixtures."""

import pytest

from questionnaires.schema import Definition
from scoring.rules import Rules
from tests.support.scoring import DEFINITION, RULES


@pytest.fixture
def definition() -> Definition:
    return DEFINITION


@pytest.fixture
def rules() -> Rules:
    return RULES
