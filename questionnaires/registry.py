"""Finding definitions: the built-in ones in ``questionnaires/definitions`` plus any folders a
deployment adds for its own local question sets."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from questionnaires.loader import DefinitionError, Problem, load_definition
from questionnaires.schema import Definition

BUILT_IN_DIR = Path(__file__).resolve().parent / "definitions"
SUFFIXES = (".yaml", ".yml")


class UnknownQuestionnaireError(LookupError):
    pass


Loaded = tuple[list[Definition], list[Problem]]


@dataclass
class Registry:
    directories: list[Path] = field(default_factory=lambda: [BUILT_IN_DIR])
    _loaded: tuple[tuple[tuple[str, int, int], ...], Loaded] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def files(self) -> list[Path]:
        return sorted(
            path
            for directory in self.directories
            if directory.is_dir()
            for path in directory.iterdir()
            if path.suffix in SUFFIXES
        )

    def load_all(self) -> Loaded:
        """Every definition, parsed again only when a file has been added, removed or changed
        (parsing the built-in one takes about a third of a second)."""
        files = self.files()
        signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        if self._loaded is None or self._loaded[0] != signature:
            self._loaded = (signature, self._parse(files))
        return self._loaded[1]

    @staticmethod
    def _parse(files: list[Path]) -> Loaded:
        definitions: list[Definition] = []
        problems: list[Problem] = []
        for path in files:
            try:
                definitions.append(load_definition(path))
            except DefinitionError as error:
                problems.extend(error.problems)
        return definitions, problems

    def get(self, definition_id: str, version: str | None = None) -> Definition:
        """The definition with this id (and version, if given); the newest version otherwise."""
        matches = [
            d
            for d in self.load_all()[0]
            if d.id == definition_id and (version is None or d.version == version)
        ]
        if not matches:
            wanted = f"{definition_id} {version}" if version else definition_id
            known = ", ".join(sorted({d.id for d in self.load_all()[0]})) or "none"
            raise UnknownQuestionnaireError(
                f"there is no questionnaire {wanted!r} (known: {known})"
            )
        return max(matches, key=lambda d: tuple(int(n) for n in d.version.split(".")))


def registry_with(extra_directories: Iterable[Path]) -> Registry:
    return Registry([BUILT_IN_DIR, *extra_directories])
