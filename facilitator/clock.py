"""Times are stored as naive UTC and shown in Europe/London; deadlines are computed here
and nowhere else (docs/architecture.md, "Dates are law")."""
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
# A deadline counted in days is due by the end of that day in England.
END_OF_DAY = time(23, 59)


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


# ---- Working days: weekends and England & Wales bank holidays skipped -----------------------
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


def on_or_before_working_day(day, not_before=None):
    """`day`, or the last working day before it: a timescale that ends on a weekend or bank
    holiday is due the working day before, so it is still met. Never before `not_before` (the
    day the timescale starts): with no working day in between, the next working day after."""
    last = day
    while not is_working_day(last):
        last -= timedelta(days=1)
    if not_before is not None and last < not_before:
        return add_working_days(day, 0)
    return last


def due_day(start, *, working_days=None, days=0, weeks=0):
    """The day a timescale counted from `start` (a day in England) is due: the one rule for
    every computed due date. Working days are counted, so they land on a working day; calendar
    days and weeks are brought back to one (on_or_before_working_day)."""
    if working_days is not None:
        return add_working_days(start, working_days)
    return on_or_before_working_day(start + timedelta(days=days, weeks=weeks), not_before=start)


def deadline(start, rule):
    """(due moment in UTC, due by the end of a day?) for a timescale from the data, one of
    {"working_days": n}, {"days": n}, {"weeks": n} or {"hours": n}, whose clock starts at
    `start` (UTC). Days and weeks are due by the end of their day in England (due_day).

    Hours are exact, unless they end on a weekend or bank holiday: then by the end of the last
    working day within them. 24 hours from 15:00 on a Friday are due by the end of that Friday:
    still within the 24 hours, and never "due Saturday 15:00" when nobody is at work to do it.
    """
    if "hours" in rule:
        end = start + timedelta(hours=int(rule["hours"]))
        if is_working_day(london_today(end)):
            return end, False
        day = on_or_before_working_day(london_today(end), not_before=london_today(start))
        return from_london(day, END_OF_DAY), True
    counts = {key: int(rule[key]) for key in ("working_days", "days", "weeks") if key in rule}
    return from_london(due_day(london_today(start), **counts), END_OF_DAY), True


def london_today(moment=None):
    return to_london(moment or utcnow()).date()


def epoch_ms(moment):
    """A naive UTC moment as milliseconds since 1970, as browsers count time."""
    return round(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


def minutes_seconds(seconds):
    """9:05 for 545 seconds; the sign is the caller's to say ("over by")."""
    whole = int(round(abs(seconds)))
    return f"{whole // 60}:{whole % 60:02d}"
