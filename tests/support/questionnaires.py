"""The built-in definition's file, and the type of an edit made to a copy of it."""

from collections.abc import Callable
from typing import Any

from questionnaires.registry import BUILT_IN_DIR

TRUSTING_PLACE = BUILT_IN_DIR / "trusting-place.yaml"
Edit = Callable[[dict[str, Any]], None]
