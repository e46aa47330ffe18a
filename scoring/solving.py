"""What a reader who keeps every published version of a place's results could work out.

Each figure a viewer is shown is a sum over the people behind it, with weights anyone can
know: a statement's distribution and mean over the people who rated it; a condition's headcount
score over its raters' own means; its organisation-weighted score over the same means, each
weighted by one over the size of its organisation. A reader who keeps every version (the round
published again after a change, a copy imported from a file) and knows every group's size holds
a system of linear equations. Comparing versions group by group (``scoring.differencing``)
misses what comes of combining different groups: a copy that hides a small organisation, as the
gate must, can still show the place as a whole, and the organisations beside the small one were
shown in the original, so the place minus them is the small organisation's answers.

So the check solves the system itself, in exact arithmetic, one kind of figure at a time: it
asks whether the sum of the answers of any set of fewer than k people lies in the span of what
a reader holds. People are told apart by their groups and a digest of their answers, numbered
within each version: two people with the same groups and the same answers give the same
figures, so which of them is which cannot change the answer. Figures of different weightings
solved together are not covered (an open question in issue 23).
"""

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from questionnaires.schema import Definition, ItemKind
from scoring.differencing import Contribution
from scoring.types import GroupScore, ScoreResult

ANSWERS, HEADCOUNT, WEIGHTED = "answers", "headcount", "organisation-weighted"
Figure = tuple[str, str]
"""A kind of figure: what it is about (an item or a condition) and how it adds people up. Each
is solved on its own, across versions; an item or condition keeps its id from one version of a
questionnaire to the next."""

Person = tuple[Contribution, int]
"""One set of answers: its groups and digest, and which of the identical sets it is."""
Equation = dict[Person, Fraction]

SUBSETS_TRIED = 200_000
"""How many combinations of small groups of people are tried before the check gives up and
refuses (it cannot then rule out that someone is singled out)."""


@dataclass(frozen=True)
class Version:
    """One published version of a round's results: who is behind it and what passed the gate."""

    definition: Definition
    people: Sequence[Contribution]
    result: ScoreResult


@dataclass(frozen=True)
class SingledOut:
    """A set of fewer than k people whose answers to ``figure`` a reader could work out; an
    empty ``people`` means the check gave up (too many combinations to try)."""

    figure: str
    """In words, e.g. 'the headcount score of People focus'."""
    people: tuple[Contribution, ...]


def singled_out(versions: Sequence[Version], threshold: int) -> list[SingledOut]:
    """Each kind of figure in which some set of fewer than ``threshold`` people is determined by
    the figures of all ``versions`` together, with one such set."""
    families: dict[Figure, list[Equation]] = defaultdict(list)
    for version in versions:
        for figure, equation in _equations(version):
            families[figure].append(equation)
    found = []
    for figure, equations in families.items():
        people = _smallest_determined(equations, threshold)
        if people is not None:
            described = _described(figure, versions[-1].definition)
            found.append(SingledOut(described, tuple(person for person, _ in people)))
    return found


def _described(figure: Figure, definition: Definition) -> str:
    subject, kind = figure
    if subject in definition.items_by_id:
        what = "the answers to" if kind is ANSWERS else "the organisation-weighted mean of"
        return f"{what} {subject}"
    title = next((c.title for c in definition.conditions if c.id == subject), subject)
    return f"the {kind} score of {title}"


# --- the equations a version gives ------------------------------------------------------------


def _numbered(people: Iterable[Contribution]) -> list[Person]:
    seen: Counter[Contribution] = Counter()
    numbered = []
    for person in sorted(people, key=lambda p: (p.sector, p.organisation, p.answers)):
        numbered.append((person, seen[person]))
        seen[person] += 1
    return numbered


def _rated(person: Contribution, items: Iterable[str]) -> bool:
    """Whether they rated any of ``items``. Only a publication made before snapshots were kept
    lacks what each person rated, and it is read here only once its snapshot has been filled in,
    which records the ratings too (``app.results.publication.fill_missing_snapshots``); a record
    without them counts as having rated everything."""
    return person.rated is None or any(item in person.rated for item in items)


def _shown(group: GroupScore | None) -> bool:
    return group is not None and not group.suppressed and group.score is not None


def _sums(members: Sequence[Person], organisation_weighted: bool) -> Equation:
    sizes = Counter(person.organisation for person, _ in members)
    return {
        member: Fraction(1, sizes[member[0].organisation]) if organisation_weighted else Fraction(1)
        for member in members
    }


def _equations(version: Version) -> Iterable[tuple[Figure, Equation]]:
    definition, result = version.definition, version.result
    people = _numbered(version.people)
    for item_id, item in result.items.items():
        if item.withheld is None:
            raters = [p for p in people if _rated(p[0], [item_id])]
            yield (item_id, ANSWERS), _sums(raters, organisation_weighted=False)
            kind = (
                definition.items_by_id[item_id].kind if item_id in definition.items_by_id else None
            )
            if kind in (ItemKind.RECOMMENDATION, ItemKind.IMPORTANCE):
                yield (item_id, WEIGHTED), _sums(raters, organisation_weighted=True)
    for condition_id, condition in result.conditions.items():
        statements = [
            item.id
            for item in definition.items
            if item.subject == condition_id and item.kind is ItemKind.STATEMENT
        ]
        raters = [p for p in people if _rated(p[0], statements)]
        groups: list[Sequence[Person]] = []
        if condition.score is not None:
            groups.append(raters)
        groups += [
            [p for p in raters if p[0].sector == sector]
            for sector, group in condition.by_sector.items()
            if _shown(group)
        ]
        groups += [
            [p for p in raters if p[0].organisation == organisation]
            for organisation, group in condition.by_organisation.items()
            if _shown(group)
        ]
        if _shown(condition.combined):
            combined = set(condition.combined_sectors)
            groups.append([p for p in raters if p[0].sector in combined])
        for members in groups:
            yield (condition_id, HEADCOUNT), _sums(members, organisation_weighted=False)
            yield (condition_id, WEIGHTED), _sums(members, organisation_weighted=True)


# --- solving them -----------------------------------------------------------------------------


def _smallest_determined(equations: Sequence[Equation], threshold: int) -> list[Person] | None:
    """A set of fewer than ``threshold`` people whose sum the equations determine, an empty
    list when there were too many combinations to try, or None when there is no such set.

    People whose coefficients agree in every equation (an atom) can only be worked out
    together, so the system is solved over atoms, largest first so that large atoms take the
    pivots. A set's sum is determined exactly when its indicator is a sum of rows of the reduced
    system; every such set contains a pivot, so the sets tried are those made from the pivots
    of small atoms, each completing itself with the free atoms its rows leave at one."""
    by_column: dict[Person, list[tuple[int, Fraction]]] = defaultdict(list)
    for row, equation in enumerate(equations):
        for person, coefficient in equation.items():
            if coefficient:
                by_column[person].append((row, coefficient))
    atoms_by_signature: dict[tuple[tuple[int, Fraction], ...], list[Person]] = defaultdict(list)
    for person, column in by_column.items():
        atoms_by_signature[tuple(column)].append(person)
    atoms = sorted(atoms_by_signature.items(), key=lambda a: (-len(a[1]), a[0]))
    size = [len(members) for _, members in atoms]
    if min(size, default=threshold) >= threshold:
        return None
    rows: list[dict[int, Fraction]] = [{} for _ in equations]
    for atom, (signature, _) in enumerate(atoms):
        for row, coefficient in signature:
            rows[row][atom] = coefficient
    reduced = _reduced_row_echelon(rows)
    small_pivots = sorted(
        (pivot for pivot in reduced if size[pivot] < threshold), key=lambda p: size[p]
    )
    tried = 0
    for count in range(1, threshold):
        for chosen in itertools.combinations(small_pivots, count):
            if sum(size[p] for p in chosen) >= threshold:
                continue
            tried += 1
            if tried > SUBSETS_TRIED:
                return []
            total: dict[int, Fraction] = defaultdict(Fraction)
            for pivot in chosen:
                for atom, coefficient in reduced[pivot].items():
                    total[atom] += coefficient
            members = [atom for atom, value in total.items() if value]
            if all(total[atom] == 1 for atom in members) and (
                sum(size[atom] for atom in members) < threshold
            ):
                return [person for atom in members for person in atoms[atom][1]]
    return None


def _reduced_row_echelon(rows: Iterable[Mapping[int, Fraction]]) -> dict[int, dict[int, Fraction]]:
    """Rows keyed by their pivot (the lowest column left), each with a one there and zeros in
    every other row's pivot column."""
    pivots: dict[int, dict[int, Fraction]] = {}
    for original in rows:
        row = dict(original)
        for pivot, basis in pivots.items():
            factor = row.get(pivot)
            if factor:
                for column, coefficient in basis.items():
                    row[column] = row.get(column, Fraction(0)) - factor * coefficient
        row = {column: c for column, c in row.items() if c}
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {column: c / scale for column, c in row.items()}
        for other, basis in pivots.items():
            factor = basis.get(pivot)
            if factor:
                for column, coefficient in row.items():
                    basis[column] = basis.get(column, Fraction(0)) - factor * coefficient
                pivots[other] = {column: c for column, c in basis.items() if c}
        pivots[pivot] = row
    return pivots
