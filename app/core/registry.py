"""Which questionnaire definitions this deployment offers, kept apart from the database so that
the command line can load them without the ORM."""

from typing import TYPE_CHECKING

from questionnaires.registry import Registry, registry_with

if TYPE_CHECKING:
    from app.core.config import Settings


def registry_for(settings: "Settings") -> Registry:
    """Built-in definitions plus the deployment's own folders (PLACECHECK_QUESTIONNAIRE_DIRS)."""
    return registry_with(settings.questionnaire_dirs)
