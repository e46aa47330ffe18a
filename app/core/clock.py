"""The places' own calendar and clock (UK time), for closing dates and times shown to people.

Moments are stored in UTC; a closing date or a "made at" time means what it says in London,
whatever the server's clock is set to.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.models import utcnow

PLACE_TIME = ZoneInfo("Europe/London")


def place_today(now: datetime | None = None) -> date:
    """Today's date where the places are, which is what a closing date means."""
    return (now or utcnow()).astimezone(PLACE_TIME).date()


def clock_time(moment: datetime | None) -> str:
    """'14:05 on 30 November 2026', in UK time."""
    if moment is None:
        return "an unknown time"
    local = moment.astimezone(PLACE_TIME)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"
