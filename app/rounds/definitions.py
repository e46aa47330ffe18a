"""Questionnaire definitions as the service uses them: from the registry when a round is created,
from the round's stored snapshot ever after."""

from sqlmodel import Session

from app.core.config import Settings
from app.models import AssessmentRound, QuestionnaireSnapshot
from questionnaires.registry import Registry, registry_with
from questionnaires.schema import Definition


class SnapshotMismatchError(RuntimeError):
    """A stored snapshot no longer hashes to its key: the database was edited by hand."""


def snapshot_definition(*, session: Session, definition: Definition) -> QuestionnaireSnapshot:
    """Store the definition's canonical form (once per content hash) and return the row."""
    existing = session.get(QuestionnaireSnapshot, definition.content_hash)
    if existing is not None:
        return existing
    snapshot = QuestionnaireSnapshot(
        content_hash=definition.content_hash,
        questionnaire_id=definition.id,
        version=definition.version,
        canonical_json=definition.canonical_json(),
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def definition_of_snapshot(snapshot: QuestionnaireSnapshot) -> Definition:
    definition = Definition.model_validate_json(snapshot.canonical_json)
    if definition.content_hash != snapshot.content_hash:
        raise SnapshotMismatchError(
            f"the stored questionnaire {snapshot.content_hash[:12]} no longer matches its hash"
        )
    return definition


def definition_of_round(*, session: Session, assessment_round: AssessmentRound) -> Definition:
    snapshot = session.get(QuestionnaireSnapshot, assessment_round.questionnaire_hash)
    if snapshot is None:
        raise SnapshotMismatchError(f"round {assessment_round.id} has no stored questionnaire")
    return definition_of_snapshot(snapshot)


def registry_for(settings: Settings) -> Registry:
    """Built-in definitions plus the deployment's own folders (PLACECHECK_QUESTIONNAIRE_DIRS)."""
    return registry_with(settings.questionnaire_dirs)
