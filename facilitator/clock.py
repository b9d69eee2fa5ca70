"""Times are stored as naive UTC and shown in Europe/London (DESIGN rule 6)."""
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

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


# ---- Working days: weekends and England & Wales bank holidays skipped (DESIGN rule 6) -------
# The holidays come from the maintained `holidays` package, not a hand-typed list; England's
# bank holidays are also Wales's.

@lru_cache(maxsize=32)
def _bank_holidays(year):
    return frozenset(holidays.UnitedKingdom(subdiv="ENG", years=year))


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day, count):
    """The date `count` working days after `day`: the next working day is the first.
    0 means the same day, or the next working day when `day` is not one."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_after(moment, count):
    """A UTC moment `count` working days later, at the same London wall-clock time."""
    local = to_london(moment)
    day = add_working_days(local.date(), count)
    return from_london(day, local.time().replace(tzinfo=None))


def london_today(moment=None):
    return to_london(moment or utcnow()).date()


def epoch_ms(moment):
    """A naive UTC moment as milliseconds since 1970, as browsers count time."""
    return round(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


def minutes_seconds(seconds):
    """9:05 for 545 seconds; the sign is the caller's to say ("over by")."""
    whole = int(round(abs(seconds)))
    return f"{whole // 60}:{whole % 60:02d}"
