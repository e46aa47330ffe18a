"""What a reader who keeps every figure shown of a place's results could work out.

Each figure a viewer is shown is a weighted sum of answers, with weights anyone can know: a
statement's distribution and mean, and a condition's pooled distribution, count every rating
once; a condition's headcount score counts each person's own mean once (each of their ratings
at one over how many of its statements they rated); its organisation-weighted score counts
each organisation once (a rating also at one over the size of the organisation); a
recommendation's or an importance question's distribution counts every rating once and its
average counts each organisation once. A reader who knows every group's size, and keeps every
version (the round published again after a change, a copy imported from a file), holds a system
of linear equations in the answers.

The figures of one subject (a condition with its statements, or one recommendation) share
their unknowns, so they are solved together: weights that differ from one figure to the next
are exactly what lets a reader take figures apart. A hidden organisation of two beside one of
three, both in the place's scores, is two unknowns; the headcount and organisation-weighted
scores are two equations in them. The promise checked here is the strongest a linear reader
allows: no combination of the figures depends on the answers of fewer than k people alone.

People are told apart by their groups and a digest of their answers, numbered within each
version: two people with the same groups and answers give the same figures, so which of them
is which cannot change the answer.
"""

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from questionnaires.schema import Definition
from scoring.anonymity import counted_together, weighting_unit
from scoring.differencing import Contribution
from scoring.types import ConditionScore, GroupScore, ScoreResult

Person = tuple[Contribution, int]
"""One set of answers: its groups and digest, and which of the identical sets it is."""
Column = tuple[Person, str]
"""One answer: whose, and to which item."""
Equation = dict[Column, Fraction]

SUBSETS_TRIED = 200_000
"""How many sets of fewer than k people are tried before the check gives up and refuses (it
cannot then rule out that someone is singled out)."""


@dataclass(frozen=True)
class Version:
    """One published version of a round's results: who is behind it and what passed the gate."""

    definition: Definition
    people: Sequence[Contribution]
    result: ScoreResult


@dataclass(frozen=True)
class SingledOut:
    """A set of fewer than k people about whose answers to ``figure`` a reader could work
    something out; an empty ``people`` means the check gave up (too many sets to try)."""

    figure: str
    """In words, e.g. 'the figures of People focus'."""
    people: tuple[Contribution, ...]


def singled_out(versions: Sequence[Version], threshold: int) -> list[SingledOut]:
    """Each subject on which some set of fewer than ``threshold`` people is singled out by the
    figures of all ``versions`` together, with one such set."""
    found = []
    for subject, equations in equations_by_subject(versions).items():
        people_found = few_singled_out(equations, threshold)
        if people_found is not None:
            described = _described(subject, versions[-1].definition)
            found.append(SingledOut(described, tuple(person for person, _ in people_found)))
    return found


def equations_by_subject(versions: Sequence[Version]) -> dict[str, list[Equation]]:
    """Every figure of every version, as equations, by what it is about: a condition's id, or
    a recommendation's or importance question's."""
    subjects: dict[str, list[Equation]] = defaultdict(list)
    for version in versions:
        people = numbered(version.people)
        for subject, equations in _equations(version.definition, people, version.result).items():
            subjects[subject] += equations
    return subjects


def _described(subject: str, definition: Definition) -> str:
    title = next((c.title for c in definition.conditions if c.id == subject), None)
    if title is not None:
        return f"the figures of {title}"
    if subject.endswith(".importance"):
        condition = subject.removesuffix(".importance")
        title = next((c.title for c in definition.conditions if c.id == condition), condition)
        return f"the importance of {title}"
    return f"the figures of {subject}"


# --- the equations a version gives ------------------------------------------------------------


def numbered(people: Iterable[Contribution]) -> list[Person]:
    seen: Counter[Contribution] = Counter()
    result = []
    for person in sorted(people, key=lambda p: (p.sector, p.organisation, p.answers)):
        result.append((person, seen[person]))
        seen[person] += 1
    return result


def _rated(person: Contribution, item: str) -> bool:
    """Whether they rated ``item``. Only a publication made before snapshots were kept lacks
    what each person rated, and it is read here only once its snapshot has been filled in,
    which records the ratings too (``app.results.publication.fill_missing_snapshots``); a record
    without them counts as having rated everything."""
    return person.rated is None or item in person.rated


def _shown(group: GroupScore | None) -> bool:
    return group is not None and not group.suppressed and group.score is not None


def _counted_once(raters: Sequence[Person], item: str) -> Equation:
    return {(person, item): Fraction(1) for person in raters}


def _organisations_once(raters: Sequence[Person], item: str, result: ScoreResult) -> Equation:
    """A question's average, each organisation once, the small ones together (since rules
    1.3: ``scoring.anonymity.counted_together``)."""
    sizes = Counter(person.organisation for person, _ in raters)
    together = (
        counted_together(sizes, result.anonymity_threshold)
        if _version_of(result.rules_version) >= (1, 3)
        else set()
    )
    units = Counter(weighting_unit(organisation, together) for organisation in sizes.elements())
    return {
        (p, item): Fraction(1, units[weighting_unit(p[0].organisation, together)]) for p in raters
    }


def _version_of(rules_version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in rules_version.split(".") if part.isdigit())


def _own_means(
    members: Sequence[Person],
    statements: Sequence[str],
    together: Collection[str] | None = None,
) -> Equation:
    """A condition's headcount score over ``members`` (each person's own mean once), or, given
    the organisations counted ``together``, its organisation-weighted score (each organisation
    once, those together as one), as a sum over their answers."""
    rated = {p: [s for s in statements if _rated(p[0], s)] for p in members}
    raters = [p for p in members if rated[p]]
    units = Counter(weighting_unit(person.organisation, together or ()) for person, _ in raters)
    equation: Equation = {}
    for person in raters:
        weight = Fraction(1, len(rated[person]))
        if together is not None:
            weight /= units[weighting_unit(person[0].organisation, together)]
        for statement in rated[person]:
            equation[(person, statement)] = weight
    return equation


def condition_equations(
    definition: Definition,
    people: Sequence[Person],
    result: ScoreResult,
    condition: ConditionScore,
) -> list[Equation]:
    """Every figure shown about one condition: its statements' distributions, its pooled
    distribution, and the headcount and organisation-weighted scores of each group shown."""
    statements = definition.statement_ids(condition.condition_id)
    equations = []
    for statement in statements:
        item = result.items.get(statement)
        if item is not None and item.withheld is None and item.spread.distribution:
            equations.append(
                _counted_once([p for p in people if _rated(p[0], statement)], statement)
            )
    if condition.spread.distribution:
        equations.append(
            {(p, s): Fraction(1) for s in statements for p in people if _rated(p[0], s)}
        )
    together = condition.counted_together
    if condition.score is not None:
        equations.append(_own_means(people, statements, together))
    if condition.score_headcount is not None or condition.sides is not None:
        # The sides count the same people the headcount score averages.
        equations.append(_own_means(people, statements))
    for members in shown_groups(people, condition).values():
        equations.append(_own_means(members, statements, together))
        equations.append(_own_means(members, statements))
    return [equation for equation in equations if equation]


def shown_groups(
    people: Sequence[Person], condition: ConditionScore
) -> dict[tuple[str, str], list[Person]]:
    """The members of each sector, organisation and combined group shown, by (kind, name)."""
    groups: dict[tuple[str, str], list[Person]] = {}
    for sector, group in condition.by_sector.items():
        if _shown(group):
            groups[("sector", sector)] = [p for p in people if p[0].sector == sector]
    for organisation, group in condition.by_organisation.items():
        if _shown(group):
            groups[("organisation", organisation)] = [
                p for p in people if p[0].organisation == organisation
            ]
    if _shown(condition.combined):
        combined = set(condition.combined_sectors)
        groups[("combined", "")] = [p for p in people if p[0].sector in combined]
    return groups


def item_equations(people: Sequence[Person], result: ScoreResult, item_id: str) -> list[Equation]:
    """A recommendation's or an importance question's distribution and its average (each
    organisation once)."""
    raters = [p for p in people if _rated(p[0], item_id)]
    equations = []
    item = result.items.get(item_id)
    if item is not None and item.withheld is None and item.spread.distribution:
        equations.append(_counted_once(raters, item_id))
    recommendation = result.recommendations.get(item_id)
    if recommendation is not None and recommendation.withheld is None:
        if recommendation.spread.distribution:
            equations.append(_counted_once(raters, item_id))
        if recommendation.score is not None:
            equations.append(_organisations_once(raters, item_id, result))
    condition = result.conditions.get(item_id.removesuffix(".importance"))
    if item_id.endswith(".importance") and condition is not None:
        if condition.importance is not None:
            equations.append(_organisations_once(raters, item_id, result))
    return [equation for equation in equations if equation]


def _equations(
    definition: Definition, people: Sequence[Person], result: ScoreResult
) -> dict[str, list[Equation]]:
    subjects = {
        condition_id: condition_equations(definition, people, result, condition)
        for condition_id, condition in result.conditions.items()
    }
    for item_id in [*result.recommendations, *(f"{c}.importance" for c in result.conditions)]:
        subjects[item_id] = item_equations(people, result, item_id)
    return subjects


# --- solving them -----------------------------------------------------------------------------


def few_singled_out(
    equations: Sequence[Equation], threshold: int, subsets: int = SUBSETS_TRIED
) -> list[Person] | None:
    """A set of fewer than ``threshold`` people such that some combination of the equations
    depends on their answers alone; an empty list when there were too many sets to try; None
    when there is no such set.

    Answers whose coefficients agree in every equation (an atom) can only be told apart
    together, and any combination of the equations gives them one value. A combination that
    rests on fewer than k people uses only atoms of fewer than k people ("small" atoms), so the
    system is reduced with the small atoms last: the rows whose pivot is a small atom then span
    every combination that lies on small atoms alone. The sets tried are made of the people of
    those rows' atoms, each starting from a pivot (a combination's first answer is always one);
    a set singles its people out when those rows, with its atoms left out, become dependent."""
    by_column: dict[Column, list[tuple[int, Fraction]]] = defaultdict(list)
    for row, equation in enumerate(equations):
        for column, coefficient in equation.items():
            if coefficient:
                by_column[column].append((row, coefficient))
    atoms_by_signature: dict[tuple[tuple[int, Fraction], ...], list[Column]] = defaultdict(list)
    for column, coefficients in by_column.items():
        atoms_by_signature[tuple(coefficients)].append(column)
    atoms = [
        (frozenset(person for person, _ in columns), signature)
        for signature, columns in atoms_by_signature.items()
    ]
    atoms.sort(key=lambda atom: (len(atom[0]) < threshold, atom[1]))
    first_small = next((n for n, (who, _) in enumerate(atoms) if len(who) < threshold), None)
    if first_small is None:
        return None
    rows: list[dict[int, Fraction]] = [{} for _ in equations]
    for index, (_, signature) in enumerate(atoms):
        for row, coefficient in signature:
            rows[row][index] = coefficient
    basis = [row for pivot, row in _reduced_row_echelon(rows).items() if pivot >= first_small]
    if not basis:
        return None
    pivots = {min(row) for row in basis}
    support = sorted({atom for row in basis for atom in row})
    people_of = {atom: atoms[atom][0] for atom in support}
    tried: set[frozenset[Person]] = set()
    waiting = [people_of[pivot] for pivot in sorted(pivots)]
    while waiting:
        group = waiting.pop()
        if group in tried or len(group) >= threshold:
            continue
        tried.add(group)
        if len(tried) > subsets:
            return []
        inside = {atom for atom in support if people_of[atom] <= group}
        if _dependent_without(basis, inside):
            return sorted(group, key=lambda p: (p[0].sector, p[0].organisation, p[0].answers, p[1]))
        waiting += [
            group | people_of[atom]
            for atom in support
            if not people_of[atom] <= group and len(group | people_of[atom]) < threshold
        ]
    return None


def _dependent_without(basis: Sequence[Mapping[int, Fraction]], left_out: set[int]) -> bool:
    """Whether the rows of ``basis`` (independent), with the columns ``left_out`` dropped, are
    dependent: then a combination of them lies on those columns alone."""
    kept = [{c: v for c, v in row.items() if c not in left_out} for row in basis]
    return len(_reduced_row_echelon(kept)) < len(basis)


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
