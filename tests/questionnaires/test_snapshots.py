"""A round keeps the questionnaire it was created with, whatever happens to the files."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.models import AssessmentRound, Place
from app.rounds.definitions import definition_of_round, snapshot_definition
from questionnaires import registry as registry_module
from questionnaires.loader import load_definition
from questionnaires.registry import BUILT_IN_DIR, Registry
from questionnaires.schema import Definition
from tests.support.questionnaires import TRUSTING_PLACE, Edit


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


def test_the_registry_parses_a_file_again_only_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starting a round read every YAML file again (a third of a second each); now the files
    are parsed once, and again only when one is added or edited."""
    parsed: list[Path] = []
    real_load = registry_module.load_definition

    def counting_load(path: Path) -> Definition:
        parsed.append(path)
        return real_load(path)

    monkeypatch.setattr(registry_module, "load_definition", counting_load)
    local = tmp_path / "ours.yaml"
    local.write_text(
        (BUILT_IN_DIR / "trusting-place.yaml")
        .read_text()
        .replace("id: trusting-place", "id: our-place", 1)
    )
    registry = Registry([BUILT_IN_DIR, tmp_path])

    first = registry.load_all()
    second = registry.load_all()
    assert len(parsed) == 2
    assert second is first

    local.write_text(local.read_text().replace("version: 1.0.0", "version: 1.1.0", 1))
    changed = registry.load_all()
    assert len(parsed) == 4
    assert {d.version for d in changed[0] if d.id == "our-place"} == {"1.1.0"}
