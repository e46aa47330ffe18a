"""A round keeps the questionnaire it was created with, whatever happens to the files."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.models import AssessmentRound, Place
from app.rounds.definitions import definition_of_round, snapshot_definition
from questionnaires.loader import load_definition
from questionnaires.registry import Registry

from .conftest import TRUSTING_PLACE, Edit


def test_the_hash_is_stable_for_the_same_content(tmp_path: Path) -> None:
    copy = tmp_path / "same.yaml"
    copy.write_text(TRUSTING_PLACE.read_text(encoding="utf-8") + "\n# a comment\n", "utf-8")

    assert load_definition(copy).content_hash == load_definition(TRUSTING_PLACE).content_hash


def test_a_changed_file_gets_a_new_hash_while_a_round_keeps_its_snapshot(
    session: Session, edited_copy: Callable[[Edit], Path]
) -> None:
    original = load_definition(TRUSTING_PLACE)
    place = Place(name="Testford", slug="testford")
    session.add(place)
    session.flush()
    assert place.id is not None
    snapshot = snapshot_definition(session=session, definition=original)
    assessment_round = AssessmentRound(
        place_id=place.id, title="Round 1", questionnaire_hash=snapshot.content_hash
    )
    session.add(assessment_round)
    session.commit()

    def reword(data: dict[str, Any]) -> None:
        data["conditions"][0]["statements"][0]["text"] = "Reworded for our place."

    changed = load_definition(edited_copy(reword))
    snapshot_definition(session=session, definition=changed)
    session.commit()
    kept = definition_of_round(session=session, assessment_round=assessment_round)

    assert changed.content_hash != original.content_hash
    assert kept.content_hash == original.content_hash
    assert kept.conditions[0].statements[0].text == original.conditions[0].statements[0].text
    assert kept.items == original.items


def test_snapshotting_the_same_definition_twice_stores_it_once(session: Session) -> None:
    definition = Registry().get("trusting-place")

    first = snapshot_definition(session=session, definition=definition)
    second = snapshot_definition(session=session, definition=definition)

    assert first is second
