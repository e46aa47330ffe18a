"""Which questionnaire definitions this deployment offers, kept apart from the database so that
the command line can load them without the ORM."""

from app.core.config import Settings
from questionnaires.registry import Registry, registry_with


def registry_for(settings: Settings) -> Registry:
    """Built-in definitions plus the deployment's own folders (PLACECHECK_QUESTIONNAIRE_DIRS)."""
    return registry_with(settings.questionnaire_dirs)
