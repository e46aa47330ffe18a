"""The reports Placecheck makes, by name: light enough for the command line's options."""

from enum import StrEnum


class ReportKind(StrEnum):
    FORUM = "forum"
    WORKSHOP = "workshop"
    PARTNER = "partner"
    QUESTIONNAIRE = "questionnaire"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    ReportKind.FORUM: "Forum report",
    ReportKind.WORKSHOP: "Workshop pack",
    ReportKind.PARTNER: "Partner report",
    ReportKind.QUESTIONNAIRE: "Printable questionnaire",
}
