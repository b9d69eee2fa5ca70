"""The authority's routing rules (data on Authority.rules) applied to a concern, and the due
dates of the tasks a route creates. Pure functions: no database, so the rules are easy to test
over every case."""
from facilitator import clock


def matches(rule, *, scale, involvement, immediate_risk):
    """Whether a rule's `when` fits the concern. A condition the rule leaves out fits anything."""
    when = rule["when"]
    low, high = when["scale"]
    if not low <= scale <= high:
        return False
    if "involvement" in when and when["involvement"] != bool(involvement):
        return False
    if "immediate_risk" in when and when["immediate_risk"] != bool(immediate_risk):
        return False
    return True


def propose(authority, *, scale, involvement=False, immediate_risk=False):
    """The first of the authority's rules that fits, or None (the officer must choose)."""
    return next((rule for rule in authority.rules
                 if matches(rule, scale=scale, involvement=involvement,
                            immediate_risk=immediate_risk)), None)


def describe_due(due):
    """The rule in words, as the procedure says it: "within 24 hours"."""
    if not due:
        return ""
    if "hours" in due:
        return f"within {due['hours']} hours"
    if "working_days" in due:
        count = due["working_days"]
        if count == 0:
            return "the same working day"
        return f"within {count} working day{'' if count == 1 else 's'}"
    days = due["days"]
    if days % 7 == 0:
        weeks = days // 7
        return f"within {weeks} week{'' if weeks == 1 else 's'}"
    return f"within {days} days"


def due_at(due, start):
    """(due moment in UTC, whole day?) for a task whose clock starts at `start` (UTC): the
    calendar's one rule (clock.deadline), so a task is never due on a weekend or bank holiday.
    """
    if not due:
        return None, True
    return clock.deadline(start, due)
