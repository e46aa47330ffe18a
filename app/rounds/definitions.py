"""Questionnaire definitions as the service uses them: from the registry when a round is created,
from the round's stored snapshot ever after.

A snapshot never changes (its key is the hash of its content), so each process parses it once
and keeps the result: every answer saved used to read, parse and re-hash the whole questionnaire.
"""

import threading
from collections import OrderedDict

from sqlmodel import Session

from app.models import AssessmentRound, QuestionnaireSnapshot
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


PARSED_KEPT = 32
"""Snapshots kept parsed per process: a deployment uses a handful of questionnaire versions."""
_parsed: OrderedDict[str, Definition] = OrderedDict()
_parsed_lock = threading.Lock()


def definition_of_round(*, session: Session, assessment_round: AssessmentRound) -> Definition:
    content_hash = assessment_round.questionnaire_hash
    with _parsed_lock:
        if (kept := _parsed.get(content_hash)) is not None:
            _parsed.move_to_end(content_hash)
            return kept
    snapshot = session.get(QuestionnaireSnapshot, content_hash)
    if snapshot is None:
        raise SnapshotMismatchError(f"round {assessment_round.id} has no stored questionnaire")
    definition = definition_of_snapshot(snapshot)
    with _parsed_lock:
        _parsed[content_hash] = definition
        while len(_parsed) > PARSED_KEPT:
            _parsed.popitem(last=False)
    return definition
