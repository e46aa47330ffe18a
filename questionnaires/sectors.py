"""The fixed list of sectors a partner organisation belongs to.

It lives with the questionnaires because definitions tailor questions by sector; the database,
scoring and reports all take it from here.
"""

from enum import StrEnum


class Sector(StrEnum):
    LOCAL_AUTHORITY = "local-authority"
    NHS_ICB = "nhs-icb"
    NHS_PROVIDER = "nhs-provider"
    PRIMARY_CARE = "primary-care"
    POLICE = "police"
    FIRE_AND_RESCUE = "fire-and-rescue"
    HOUSING = "housing"
    VOLUNTARY_AND_COMMUNITY = "voluntary-and-community"
    EDUCATION = "education"
    DWP_EMPLOYMENT = "dwp-employment"
    PROBATION_JUSTICE = "probation-justice"
    COMMUNITY_MEMBER = "community-member"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS: dict[Sector, str] = {
    Sector.LOCAL_AUTHORITY: "Local authority",
    Sector.NHS_ICB: "NHS integrated care board",
    Sector.NHS_PROVIDER: "NHS provider",
    Sector.PRIMARY_CARE: "Primary care",
    Sector.POLICE: "Police",
    Sector.FIRE_AND_RESCUE: "Fire and rescue",
    Sector.HOUSING: "Housing",
    Sector.VOLUNTARY_AND_COMMUNITY: "Voluntary and community sector",
    Sector.EDUCATION: "Education",
    Sector.DWP_EMPLOYMENT: "DWP and employment",
    Sector.PROBATION_JUSTICE: "Probation and justice",
    Sector.COMMUNITY_MEMBER: "Community member or lived experience",
    Sector.OTHER: "Other",
}


def in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: 'Fire and rescue' becomes 'fire and rescue', while
    'NHS integrated care board' and 'DWP and employment' keep the capitals of their acronyms."""
    first_word = label.split(" ", 1)[0]
    if len(first_word) > 1 and first_word.isupper():
        return label
    return label[:1].lower() + label[1:]
