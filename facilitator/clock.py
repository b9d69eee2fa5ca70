"""Times are stored as naive UTC and shown in Europe/London (DESIGN rule 6)."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def from_london(day, time_of_day):
    """A date and wall-clock time in England to naive UTC."""
    local = datetime.combine(day, time_of_day, tzinfo=LONDON)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def to_london(moment):
    return moment.replace(tzinfo=timezone.utc).astimezone(LONDON)


def london_format(moment, fmt="%A %-d %B %Y, %H:%M"):
    return to_london(moment).strftime(fmt) if moment else ""
