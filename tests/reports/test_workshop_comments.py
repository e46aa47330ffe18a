"""The workshop pack prints what partners wrote on each condition it discusses, beside the
quotes chosen for the report: the same words once, their writers named only as a quote's
writer would be, long comments shortened, and the rest counted."""

import re
from collections.abc import Callable

from questionnaires.sectors import Sector
from reports.kinds import ReportKind
from reports.wording import comment_writers, quote_attribution
from reports.workshop import LONGEST_COMMENT, shortened_comment
from scoring.engine import score
from scoring.types import ScoreResult
from tests.support.reports import Rendered
from tests.support.scoring import DEFINITION, RULES, person, rating_everything_in

Render = Callable[..., Rendered]


def _result_with(groups: dict[Sector, int]) -> ScoreResult:
    people = [
        person(f"{sector.value}-{n}", sector.value, sector, rating_everything_in("people-focus", 3))
        for sector, size in groups.items()
        for n in range(size)
    ]
    return score(DEFINITION, people, RULES)


def test_the_same_words_from_several_people_name_only_groups_big_enough() -> None:
    result = _result_with(
        {Sector.LOCAL_AUTHORITY: 3, Sector.VOLUNTARY_AND_COMMUNITY: 3, Sector.FIRE_AND_RESCUE: 1}
    )
    writers = [
        Sector.LOCAL_AUTHORITY,
        Sector.VOLUNTARY_AND_COMMUNITY,
        Sector.FIRE_AND_RESCUE,
        Sector.LOCAL_AUTHORITY,
    ]

    assert comment_writers(writers, result) == (
        "4 people wrote this: respondents from the local authority and voluntary and community "
        "sectors and people in groups too small to name"
    )
    assert comment_writers([Sector.FIRE_AND_RESCUE], result) == "A partner"
    assert "fire" not in comment_writers([Sector.FIRE_AND_RESCUE] * 2, result).lower()


def test_a_sector_whose_name_ends_in_sector_is_not_called_a_sector_sector() -> None:
    result = _result_with({Sector.VOLUNTARY_AND_COMMUNITY: 3})

    assert quote_attribution(Sector.VOLUNTARY_AND_COMMUNITY, result) == (
        "A respondent from the voluntary and community sector"
    )


def test_a_long_comment_is_cut_at_a_word_and_says_so() -> None:
    long = "word " * 200

    shortened = shortened_comment(" ".join(long.split()))

    assert shortened.endswith(" …")
    assert len(shortened) <= LONGEST_COMMENT + 2
    assert shortened.removesuffix(" …").split(" ") == ["word"] * len(shortened.split(" ")[:-1])
    assert shortened_comment("Short and sweet.") == "Short and sweet."


def test_the_workshop_pack_prints_partners_comments_once_beside_the_chosen_quotes(
    render: Render,
) -> None:
    pack = render(ReportKind.WORKSHOP)
    forum = render(ReportKind.FORUM)
    pages = [" ".join(page.split()) for page in pack.pages]
    with_comments = [p for p in pages if "as partners wrote them" in p]

    assert with_comments, "the demo's partners commented on a condition the workshop discusses"
    for page in with_comments:
        comments = page.split("as partners wrote them")[1].split("Questions for the forum")[0]
        printed = re.findall(r"“(.+?)”", comments)
        assert len(printed) == len(set(printed)), "the same words are printed once"
        quoted = re.findall(r"“(.+?)”", page.split("as partners wrote them")[0])
        assert not set(printed) & set(quoted), "a chosen quote is not printed again"
        assert "Fire and rescue" not in comments  # two people: never named as writers
    assert any("people wrote this" in page for page in with_comments)
    assert "as partners wrote them" not in forum.text  # the forum report holds chosen quotes only
