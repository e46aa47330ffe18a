"""The words and numbers every report and results page prints the same way: dates, differences
as printed, why a group is hidden, sector gaps, attributions and keys. One module, so that the
PDFs, the pages and the exports can never word the same thing two ways."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from questionnaires.schema import OPT_OUT_LABELS, OptOut
from questionnaires.sectors import Sector, in_sentence
from reports import charts
from scoring.anonymity import COMBINED, COMPLEMENT
from scoring.rounding import difference_in_tenths, one_decimal, percentage, signed_tenths
from scoring.rules import Rules
from scoring.types import SPLIT_BAND, ScoreResult, SplitSides, WidestGap

HIDDEN = "Hidden"
IN_COMBINED = "Combined"


def long_date(value: date | None) -> str:
    return "not set" if value is None else f"{value.day} {value:%B %Y}"


def split_sides(sides: SplitSides | None, rules: Rules) -> str | None:
    """Both sides of a split condition in one sentence a reader can check the split rule by:
    the people outside the band around the middle view, each side counted."""
    if sides is None:
        return None
    band = rules.disagreement.band
    levels = f"{band:g} level{'' if band == 1 else 's'}"
    return (
        f"Views are split: of the {sides.people} people who rated it, {sides.below} "
        f"{'rates' if sides.below == 1 else 'rate'} it more than {levels} below the middle view "
        f"and {sides.above} more than {levels} above it (each by their own average across its "
        f"statements); {sides.within} {'is' if sides.within == 1 else 'are'} within {levels} of "
        f"it. {sides.below} + {sides.above} = {sides.outside} of {sides.people} lie outside, more "
        f"than the {percentage(rules.disagreement.maximum_share_outside)} the split rule allows, "
        "so its average describes neither side and has no band."
    )


def change_rule(rules: Rules) -> str:
    """The change rule in one sentence, as every report and the network state it."""
    return (
        "A change since the previous round is called only when it is at least "
        f"{rules.change.minimum_delta:.1f} and at least {rules.change.minimum_respondents} "
        "people rated the condition in both rounds; smaller moves are reported as too small "
        "to call."
    )


def difference(later: float, earlier: float) -> str:
    """``later - earlier`` as the difference of the two numbers as printed (one decimal each),
    with its sign, so a reader's own subtraction agrees with the page."""
    return signed_tenths(difference_in_tenths(later, earlier))


@dataclass(frozen=True)
class Legend:
    levels: tuple[tuple[str, str], ...]
    """(label, fill colour), lowest first, then 'Don't know' (hatched by the stylesheet)."""


SPLIT_LABEL = "Split views: no band"


def band_label(result: ScoreResult, band: str | None) -> str:
    if band == SPLIT_BAND:
        return SPLIT_LABEL
    return dict(result.bands).get(band or "", "No score")


def band_fill(result: ScoreResult, band: str | None) -> str:
    """Strongest band darkest: bands are listed highest first."""
    ids = [band_id for band_id, _ in result.bands]
    if band not in ids:
        return charts.SEQUENCE[0]
    step = ids.index(band or "")
    return charts.SEQUENCE[max(1, len(charts.SEQUENCE) - 1 - step)]


def gap_sentence(gap: WidestGap, plain: frozenset[Sector] = frozenset()) -> str:
    """The two sectors and their printed scores, then the gap: the first minus the second,
    marked when exactly one of them answered the plain-language version (``plain``)."""
    different = (Sector(gap.higher) in plain) != (Sector(gap.lower) in plain)
    return (
        f"{Sector(gap.higher).label} {one_decimal(gap.higher_tenths / 10)}, "
        f"{in_sentence(Sector(gap.lower).label)} {one_decimal(gap.lower_tenths / 10)}: "
        f"a gap of {one_decimal(gap.gap_tenths / 10)}"
        + (" (different questions: see the Method)" if different else "")
    )


def hidden_label(reason: str | None) -> str:
    """A hidden group's reason in the few words a table cell has room for."""
    if reason == COMBINED:
        return "In the combined row"
    return "Protects a smaller group" if reason == COMPLEMENT else "Too few people"


def combined_label(sectors: Sequence[str]) -> str:
    """The name of a combined column, naming every sector in it."""
    return "Combined: " + listed([in_sentence(Sector(s).label) for s in sectors])


def _named(sector: Sector, result: ScoreResult) -> bool:
    """A sector is named only when enough people in it answered for no one to be singled out."""
    return result.respondents_by_sector.get(sector.value, 0) >= result.anonymity_threshold


def _sector_words(sector: Sector) -> str:
    """'the police sector', 'the voluntary and community sector' (not '… sector sector')."""
    label = in_sentence(sector.label)
    return f"the {label}" if label.endswith("sector") else f"the {label} sector"


def quote_attribution(sector: Sector, result: ScoreResult) -> str:
    if not _named(sector, result):
        return "A partner"
    if sector is Sector.COMMUNITY_MEMBER:
        return "A community member or person with lived experience"
    return f"A respondent from {_sector_words(sector)}"


def comment_writers(sectors: Sequence[Sector], result: ScoreResult) -> str:
    """Who wrote the same words, named as a quote's writer would be: 'A partner' alone, or
    '12 people wrote this: respondents from the local authority and police sectors, a community
    member and people in groups too small to name'."""
    if len(sectors) == 1:
        return quote_attribution(sectors[0], result)
    named = [s for s in dict.fromkeys(sectors) if _named(s, result)]
    partners = [s for s in named if s is not Sector.COMMUNITY_MEMBER]
    parts = []
    if len(partners) == 1:
        parts.append(f"respondents from {_sector_words(partners[0])}")
    elif partners:
        labels = [in_sentence(s.label).removesuffix(" sector") for s in partners]
        parts.append(f"respondents from the {listed(labels)} sectors")
    if Sector.COMMUNITY_MEMBER in named:
        parts.append("community members or people with lived experience")
    if any(not _named(s, result) for s in sectors):
        parts.append("people in groups too small to name")
    return f"{len(sectors)} people wrote this: {listed(parts)}"


def listed(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def legend_of(labels: Sequence[str]) -> Legend:
    entries = [
        (label, charts.level_colour(level, len(labels)))
        for level, label in enumerate(labels, start=1)
    ]
    entries.append((OPT_OUT_LABELS[OptOut.DONT_KNOW], "#ffffff"))
    return Legend(tuple(entries))


def band_cutoffs(rules: Rules) -> tuple[str, ...]:
    """Each band with the scores it takes, highest first, as the Method and keys print them."""
    lines = []
    for higher, band in zip([None, *rules.bands[:-1]], rules.bands, strict=True):
        if higher is None:
            lines.append(f"{band.label}: {band.minimum:.1f} or more")
        elif band is rules.bands[-1]:
            lines.append(f"{band.label}: under {higher.minimum:.1f}")
        else:
            lines.append(
                f"{band.label}: {band.minimum:.1f} up to, not including, {higher.minimum:.1f}"
            )
    return tuple(lines)
