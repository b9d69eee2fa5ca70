"""The sizes of a sample authority, as data.

`county` is shaped like a county council's children in care service over five years; `team` is
one of its forty teams (about a fortieth of everything, over the same years). `scale` multiplies
every count (teams, children, meetings, concerns, calls, moves), so a test can build a tiny
world with the same proportions; what one meeting holds (its cards, scores, actions) does not
change with the scale.
"""
import math

SIZES = {
    "county": {
        "localities": 4,
        "teams": 40,
        "administrators": 3,
        # Staff outside the teams, in each locality: a service manager, a family service
        # manager and two Independent Reviewing Officers; and one head of service.
        "locality_staff": True,
        "children_in_care": 2000,
        "children": 4800,          # everyone with a record, those who have left care included
        "meetings": 15000,
        "open_meetings": 300,      # set up, in the weeks ahead
        "concerns": 20000,
        "calls": 147000,
        "moves": 8000,
    },
    "team": {
        "localities": 1,
        "teams": 1,
        "administrators": 2,
        "locality_staff": False,
        "children_in_care": 50,
        "children": 120,
        "meetings": 375,
        "open_meetings": 8,
        "concerns": 500,
        "calls": 3675,
        "moves": 200,
    },
}

YEARS = 5
# Ahead of today, where the open meetings are.
WEEKS_AHEAD = 8

# Each team: (job title, how many). The team manager chairs most of the team's meetings.
TEAM_MANAGER = "Team manager"
TEAM = [
    (TEAM_MANAGER, 1),
    ("Assistant team manager", 1),
    ("Social worker", 6),
    ("Supervising social worker", 2),
    ("Placement stability officer", 1),
    ("Business support officer", 1),
]
LOCALITY_STAFF = [("Service manager", 1), ("Family service manager", 1),
                  ("Independent Reviewing Officer", 2)]
HEAD_OF_SERVICE = "Head of service"
ADMINISTRATOR = "Systems administrator"

# The mix of the five meeting types (of all meetings).
MEETING_MIX = {
    "placement_stability": 0.33,
    "multi_agency_stability_support": 0.23,
    "stability_review": 0.30,
    "disruption": 0.10,
    "step_up_step_down": 0.04,
}
# Of a type a route calls (the authority's routing rules), the share called from a concern.
FROM_CONCERNS = 0.85

# What one meeting holds: (fewest, most).
PER_MEETING = {
    "cards": (20, 60),
    "card_length": (60, 200),
    "scores": (4, 8),
    "actions": (5, 15),
    "guests": (3, 7),          # carers, the young person, school, CAMHS, IRO…
    "views": (1, 3),           # the child's views, wishes and feelings
    "offers": (1, 4),          # what each agency can provide
    "cases": (4, 9),           # a panel's case slots
}
# Of a closed meeting's actions: done, not done, open (the open ones' due dates may have passed).
ACTION_FATES = {"done": 0.62, "not_done": 0.08, "open": 0.30}
# Of the closed meetings of a type that asks for one, those with a decision recorded.
DECISION_SHARE = 0.94


def counts(size, scale=1.0):
    """The size's counts multiplied by `scale`: at least one of everything a size has, so a
    tiny world still has each kind of record (and no more children in care than children)."""
    if size not in SIZES:
        raise ValueError(f"No such size: {size!r} (choose from {', '.join(SIZES)})")
    if not scale > 0:
        raise ValueError("The scale must be more than 0.")
    spec = SIZES[size]
    result = {key: value if isinstance(value, bool) or key == "administrators"
              else max(1, math.ceil(value * scale - 1e-9)) for key, value in spec.items()}
    result["localities"] = min(result["localities"], result["teams"])
    result["children"] = max(result["children"], result["children_in_care"] + 1)
    return result
