"""The one rule for computed due dates (facilitator.clock): a count of working days lands on a
working day; a calendar count (days, weeks, hours) that ends on a weekend or an England and
Wales bank holiday is due on the last working day before it, so the timescale is still met.
Fixed dates throughout, so the tests never depend on today."""
from datetime import date, datetime

import pytest

from facilitator import clock

# 2026-27: Christmas Day Friday 25 December, Boxing Day observed Monday 28 December, New Year's
# Day Friday 1 January 2027, Good Friday 26 March, Easter Monday 29 March, the late May bank
# holiday Monday 31 May. Summer time starts on Sunday 28 March 2027.


@pytest.mark.parametrize("day, expected", [
    (date(2026, 11, 27), date(2026, 11, 27)),   # a Friday is a working day
    (date(2026, 11, 28), date(2026, 11, 27)),   # Saturday: the Friday before
    (date(2026, 11, 29), date(2026, 11, 27)),   # Sunday: the Friday before
    (date(2026, 12, 25), date(2026, 12, 24)),   # Christmas Day
    (date(2026, 12, 28), date(2026, 12, 24)),   # Boxing Day (observed), after the weekend
    (date(2027, 1, 1), date(2026, 12, 31)),     # New Year's Day
    (date(2027, 3, 26), date(2027, 3, 25)),     # Good Friday
    (date(2027, 3, 29), date(2027, 3, 25)),     # Easter Monday: back over the whole Easter
    (date(2027, 5, 31), date(2027, 5, 28)),     # the late May bank holiday
])
def test_a_day_that_is_not_a_working_day_moves_to_the_last_working_day_before(day, expected):
    assert clock.on_or_before_working_day(day) == expected


@pytest.mark.parametrize("start, count, expected", [
    (date(2026, 11, 14), {"weeks": 2}, date(2026, 11, 27)),   # from a Saturday: due a Friday
    (date(2026, 11, 15), {"weeks": 1}, date(2026, 11, 20)),   # from a Sunday
    (date(2026, 12, 11), {"weeks": 2}, date(2026, 12, 24)),   # onto Christmas Day
    (date(2026, 12, 14), {"days": 14}, date(2026, 12, 24)),   # onto Boxing Day (observed)
    (date(2026, 12, 18), {"days": 14}, date(2026, 12, 31)),   # onto New Year's Day
    (date(2027, 3, 19), {"weeks": 1}, date(2027, 3, 25)),     # onto Good Friday
    (date(2027, 3, 15), {"days": 14}, date(2027, 3, 25)),     # onto Easter Monday
    (date(2027, 5, 17), {"weeks": 2}, date(2027, 5, 28)),     # onto the late May bank holiday
    (date(2026, 11, 18), {"weeks": 2}, date(2026, 12, 2)),    # a working day stays as it is
    # Working days are counted, so they land on a working day already.
    (date(2026, 12, 23), {"working_days": 2}, date(2026, 12, 29)),
    (date(2026, 12, 26), {"working_days": 0}, date(2026, 12, 29)),
])
def test_a_timescale_is_due_on_a_working_day_within_it(start, count, expected):
    assert clock.due_day(start, **count) == expected


def test_a_short_count_with_no_working_day_in_it_is_due_on_the_next_working_day():
    # One day from Saturday 26 December 2026: no working day until Tuesday the 29th, and a due
    # date before the clock started would make no sense.
    assert clock.due_day(date(2026, 12, 26), days=1) == date(2026, 12, 29)
    # From a working day the day itself is within the timescale: the Thursday before Easter.
    assert clock.due_day(date(2027, 3, 25), days=1) == date(2027, 3, 25)


def end_of(day):
    return clock.from_london(day, clock.END_OF_DAY)


@pytest.mark.parametrize("start, rule, expected", [
    # Days and weeks are due by the end of their day in England (22:59 UTC in summer time).
    (datetime(2026, 12, 18, 15, 0), {"days": 14}, (end_of(date(2026, 12, 31)), True)),
    (datetime(2027, 3, 19, 9, 0), {"weeks": 1}, (datetime(2027, 3, 25, 23, 59), True)),
    (datetime(2027, 5, 17, 9, 0), {"weeks": 2}, (datetime(2027, 5, 28, 22, 59), True)),
    (datetime(2026, 12, 24, 9, 0), {"working_days": 1}, (end_of(date(2026, 12, 29)), True)),
    # 24 hours ending on a working day are exact.
    (datetime(2026, 11, 26, 10, 0), {"hours": 24}, (datetime(2026, 11, 27, 10, 0), False)),
    # Ending on a Saturday, Christmas Day or Good Friday: by the end of the day the clock
    # started, the last working day within the 24 hours.
    (datetime(2026, 11, 27, 10, 0), {"hours": 24}, (end_of(date(2026, 11, 27)), True)),
    (datetime(2026, 12, 24, 14, 10), {"hours": 24}, (end_of(date(2026, 12, 24)), True)),
    (datetime(2027, 3, 25, 9, 0), {"hours": 24}, (datetime(2027, 3, 25, 23, 59), True)),
    # Started on a Saturday and ending on the Sunday: no working day within it, so the end of
    # the Monday, never a day before the clock started.
    (datetime(2026, 11, 28, 10, 0), {"hours": 24}, (end_of(date(2026, 11, 30)), True)),
])
def test_a_deadline_from_a_rule_in_the_data(start, rule, expected):
    assert clock.deadline(start, rule) == expected
