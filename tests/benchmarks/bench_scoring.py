"""Scoring at scale and the command line's fixed cost: a place's forum scores in the blink of an
eye, and a national analysis of tens of thousands of answers does not take minutes."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import scoring
from app.results.rules import load_rules
from questionnaires.registry import Registry
from scoring.engine import score
from scoring.inputs import input_from_data
from tests.benchmarks.harness import Row, median, timed

EXAMPLE = Path(scoring.__file__).parent / "examples" / "example-input.json"
RUNS = 5


def respondents_file(count: int) -> dict[str, Any]:
    """The example's respondents, copied round-robin under new ids and organisations."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    originals = data["respondents"]
    data["respondents"] = [
        {
            **originals[n % len(originals)],
            "id": f"r{n}",
            "organisation": f"{originals[n % len(originals)]['organisation']} {n // 50}",
        }
        for n in range(count)
    ]
    return data


def rows(folder: Path) -> list[Row]:
    small = folder / "ten.json"
    small.write_text(json.dumps(respondents_file(10)), encoding="utf-8")
    placecheck = str(Path(sys.executable).parent / "placecheck")
    python_start: list[float] = []
    command: list[float] = []
    for _ in range(RUNS):
        python_start.append(
            timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
        )
        command.append(
            timed(
                lambda: subprocess.run(
                    [placecheck, "score", str(small), "--format", "json"],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            )
        )
    fixed, bare = median(command), median(python_start)
    found = [
        Row(
            "`placecheck score` on 10 respondents (the command's fixed cost)",
            f"{fixed:.2f} s",
            f"python -c pass: {bare:.2f} s",
            fixed / bare,
            "< 0.5 s",
            fixed < 0.5,
        )
    ]
    definition = Registry().get("trusting-place")
    rules = load_rules()
    for count, goal in ((10_000, 2.0), (50_000, 10.0)):
        answers = input_from_data(respondents_file(count)).respondents
        seconds = median(
            [timed(lambda answers=answers: score(definition, answers, rules)) for _ in range(3)]
        )
        found.append(
            Row(
                f"scoring {count:,} respondents",
                f"{seconds:.2f} s ({seconds / count * 1000:.3f} ms each)",
                "–",
                None,
                f"≤ {goal:g} s",
                seconds <= goal,
            )
        )
    return found
