"""Between meetings: stability concerns, their routes and tasks, telephone monitoring.

The two authorities' procedures are seeded as data (seed 001: the borough's 1-5 Placement
Stability Scale and its routes; seed 002: the county's 0-10 scale and immediate-risk question).
Two teams are seeded so the overview's filters have something to choose; an authority adds
its own teams and procedures as rows.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

authorities = sa.table(
    "stability_authorities", sa.column("code", sa.String), sa.column("name", sa.String),
    sa.column("scale_spec", sa.JSON), sa.column("asks", sa.JSON),
    sa.column("monitoring", sa.JSON), sa.column("rules", sa.JSON))
meeting_types = sa.table("meeting_types", sa.column("code", sa.String),
                         sa.column("scale", sa.JSON))
localities = sa.table("localities", sa.column("id", sa.Integer), sa.column("name", sa.String))
teams = sa.table("teams", sa.column("name", sa.String), sa.column("locality_id", sa.Integer))

OFFICER = "Placement Stability Officer"
LEVEL_3 = "Level 3 AST worker"
CASEWORKER = "AST or CAMHS caseworker"
CHILDS_SW = "Child's social worker"
TODAY = {"working_days": 0}       # the same working day
WITHIN_24_HOURS = {"hours": 24}   # 000: contact "within 24 hours"
# Seed 001 gives the Multi-Agency Meeting no deadline; this is the authority's own timescale,
# kept as data so the overview can say when the meeting is overdue. Change it here, not in code.
MULTI_AGENCY_DUE = {"working_days": 10}
WEEKLY_FOUR_WEEKS = {"every_days": 7, "weeks": 4}  # 001, 5.3: weekly, at least four weeks


def task(what, who, due=None, calls_meeting=False):
    """A step of a route; `calls_meeting` marks the one done by calling the meeting."""
    return {"what": what, "who": who, **({"due": due} if due else {}),
            **({"calls_meeting": True} if calls_meeting else {})}


PLAN_OF_SUPPORT = task("Agree a plan of support for the carer and young person", CASEWORKER)
TELL_WORKERS = task("Tell the child's social worker and the supervising social worker the "
                    "outcome of the scaling", CASEWORKER)

# Seed 001, 5.3 to 5.6: by scale band and current involvement with the AST or CAMHS.
BOROUGH_RULES = [
    {"key": "support_involved",
     "route": "Plan of support and weekly telephone monitoring, with the current AST or CAMHS "
              "caseworker",
     "when": {"scale": [1, 3], "involvement": True},
     "tasks": [
         task("Web-link the consultation record to the AST or CAMHS caseworker, the child's "
              "social worker and the supervising social worker", OFFICER, TODAY),
         task("Contact the referrer and the placement to identify the issues and prevention",
              CASEWORKER, WITHIN_24_HOURS),
         TELL_WORKERS, PLAN_OF_SUPPORT],
     "monitoring": WEEKLY_FOUR_WEEKS},
    {"key": "support_not_involved",
     "route": "A Level 3 AST worker gathers more information; plan of support and weekly "
              "telephone monitoring",
     "when": {"scale": [1, 3], "involvement": False},
     "tasks": [
         task("Web-link the consultation record to a Level 3 AST worker", OFFICER, TODAY),
         task("Contact the person who raised the concern (and the foster carer, if it was not "
              "them) and scale the concern again", LEVEL_3, WITHIN_24_HOURS),
         TELL_WORKERS, PLAN_OF_SUPPORT],
     "monitoring": WEEKLY_FOUR_WEEKS},
    {"key": "multi_agency_involved",
     "route": "Level 3 AST worker, Risk Rota, joint visit with CAMHS and risk assessment, then a "
              "Multi-Agency Stability Support Meeting",
     "when": {"scale": [4, 5], "involvement": True},
     "tasks": [
         task("Web-link the consultation record to a Level 3 AST worker", OFFICER, TODAY),
         task("Contact the referrer and the carer, and scale the concern again", LEVEL_3,
              WITHIN_24_HOURS),
         task("If it stays at 4 or 5, book the case onto the Risk Rota", LEVEL_3),
         task("Joint visit with CAMHS to the carer and young person, and a risk assessment of "
              "the placement (a copy on the carer's file)", LEVEL_3),
         task("Book the Multi-Agency Stability Support Meeting and tell the social worker and "
              "supervising social worker the date", LEVEL_3, MULTI_AGENCY_DUE, True)],
     "meeting": {"type": "multi_agency_stability_support"}},
    {"key": "multi_agency_not_involved",
     "route": "Level 3 AST worker and CAMHS visit the placement, risk assessment, then a "
              "Multi-Agency Stability Support Meeting",
     "when": {"scale": [4, 5], "involvement": False},
     "tasks": [
         task("Web-link the consultation record to a Level 3 AST worker", OFFICER, TODAY),
         task("Contact the referrer and the carer, and scale the concern again", LEVEL_3,
              WITHIN_24_HOURS),
         task("Contact CAMHS to arrange a joint visit to the placement", LEVEL_3),
         task("Joint visit: speak to the young person and the foster carer separately, and "
              "complete a risk assessment (a copy on the carer's file)", LEVEL_3),
         task("Book the Multi-Agency Stability Support Meeting through the Placement Stability "
              "Officer and tell the social worker and supervising social worker the date",
              LEVEL_3, MULTI_AGENCY_DUE, True)],
     "meeting": {"type": "multi_agency_stability_support"}},
]

# Seed 002: immediate risk -> a PSM within 5 working days; otherwise within 2 weeks. Its "is the
# stability scale 5 or over?" question: at 5 or over without immediate risk the placement is
# monitored rather than brought to a meeting (the officer can override either way).
COUNTY_RULES = [
    {"key": "psm_immediate",
     "route": "Placement Stability Meeting within 5 working days (immediate risk)",
     "when": {"scale": [0, 10], "immediate_risk": True},
     "tasks": [
         task("Arrange the Placement Stability Meeting", CHILDS_SW, {"working_days": 5}, True),
         task("Notify the IRO, and CAFCASS if involved", CHILDS_SW, TODAY)],
     "meeting": {"type": "placement_stability", "immediate_risk": True}},
    {"key": "psm_two_weeks",
     "route": "Placement Stability Meeting within 2 weeks",
     "when": {"scale": [0, 4], "immediate_risk": False},
     "tasks": [
         task("Arrange the Placement Stability Meeting", CHILDS_SW, {"days": 14}, True),
         task("Notify the IRO, and CAFCASS if involved", CHILDS_SW, TODAY)],
     "meeting": {"type": "placement_stability", "immediate_risk": False}},
    {"key": "monitored",
     "route": "The placement is monitored: stability needs discussed at carer supervision",
     "when": {"scale": [5, 10], "immediate_risk": False},
     "tasks": [
         task("Discuss the placement's stability needs at the monthly carer supervision meeting",
              "Fostering supervising social worker")],
     "monitoring": WEEKLY_FOUR_WEEKS},
]


def _scale(type_code):
    return op.get_bind().execute(sa.select(meeting_types.c.scale).where(
        meeting_types.c.code == type_code)).scalar_one()


def _seed():
    op.bulk_insert(authorities, [
        {"code": "borough", "name": "Borough (Placement Stability Scale, 1 to 5)",
         "scale_spec": _scale("multi_agency_stability_support"),
         "asks": {"involvement": True, "immediate_risk": False},
         "monitoring": {**WEEKLY_FOUR_WEEKS, "escalate": {"min": 4, "max": 5},
                        "meeting": "multi_agency_stability_support"},
         "rules": BOROUGH_RULES},
        {"code": "county", "name": "County (stability scale, 0 to 10)",
         "scale_spec": _scale("placement_stability"),
         "asks": {"involvement": False, "immediate_risk": True},
         "monitoring": {**WEEKLY_FOUR_WEEKS, "escalate": {"min": 0, "max": 4},
                        "meeting": "placement_stability"},
         "rules": COUNTY_RULES},
    ])
    places = dict(op.get_bind().execute(sa.select(localities.c.name, localities.c.id)).all())
    op.bulk_insert(teams, [
        {"name": "Children in Care North", "locality_id": places.get("North")},
        {"name": "Children in Care South", "locality_id": places.get("South")},
    ])


def _audit(table):
    """created_by / created_at, as on every row."""
    return [sa.Column("created_by_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                    name=op.f(f"fk_{table}_created_by_id_users"))]


def _fk(table, column, target, key="id"):
    return sa.ForeignKeyConstraint([column], [f"{target}.{key}"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=True),
        _fk("teams", "locality_id", "localities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "stability_authorities",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("scale_spec", sa.JSON(), nullable=False),
        sa.Column("asks", sa.JSON(), nullable=False),
        sa.Column("monitoring", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_stability_authorities")),
    )
    t = "stability_concerns"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("authority_code", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("raised_by", sa.String(length=120), nullable=False),
        sa.Column("relationship_to_child", sa.String(length=120), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("concern", sa.Text(), nullable=False),
        sa.Column("involvement", sa.String(length=20), nullable=True),
        sa.Column("involvement_worker", sa.String(length=200), nullable=True),
        sa.Column("first_consultation", sa.Boolean(), nullable=True),
        sa.Column("earlier_consultations", sa.String(length=500), nullable=True),
        sa.Column("notice_given", sa.Boolean(), nullable=True),
        sa.Column("immediate_risk", sa.Boolean(), nullable=True),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("sent_to", sa.String(length=500), nullable=False),
        sa.Column("named_worker_id", sa.Integer(), nullable=True),
        sa.Column("proposed_route", sa.String(length=40), nullable=False),
        sa.Column("route", sa.String(length=40), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        *_audit(t),
        _fk(t, "child_id", "children"),
        _fk(t, "authority_code", "stability_authorities", "code"),
        _fk(t, "team_id", "teams"),
        sa.ForeignKeyConstraint(["named_worker_id"], ["users.id"],
                                name=op.f(f"fk_{t}_named_worker_id_users")),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["users.id"],
                                name=op.f(f"fk_{t}_confirmed_by_id_users")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"],
                                name=op.f(f"fk_{t}_closed_by_id_users")),
        _fk(t, "meeting_id", "meetings"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    op.create_index("ix_stability_concerns_child", t, ["child_id"])
    t = "route_tasks"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("who", sa.String(length=120), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("whole_day", sa.Boolean(), nullable=False),
        sa.Column("is_meeting", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        *_audit(t),
        _fk(t, "concern_id", "stability_concerns"),
        sa.ForeignKeyConstraint(["done_by_id"], ["users.id"],
                                name=op.f(f"fk_{t}_done_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    op.create_index("ix_route_tasks_concern", t, ["concern_id"])
    t = "monitored_placements"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("call_who", sa.String(length=300), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        *_audit(t),
        _fk(t, "child_id", "children"),
        _fk(t, "concern_id", "stability_concerns"),
        _fk(t, "meeting_id", "meetings"),
        sa.ForeignKeyConstraint(["ended_by_id"], ["users.id"],
                                name=op.f(f"fk_{t}_ended_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    op.create_index("ix_monitored_placements_child", t, ["child_id"])
    t = "monitoring_calls"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("called_at", sa.DateTime(), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=True),
        *_audit(t),
        _fk(t, "placement_id", "monitored_placements"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    op.create_index("ix_monitoring_calls_placement", t, ["placement_id"])
    t = "stability_notices"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk(t, "user_id", "users"),
        _fk(t, "child_id", "children"),
        _fk(t, "concern_id", "stability_concerns"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    op.create_index("ix_stability_notices_user", t, ["user_id"])
    t = "placement_moves"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("from_placement", sa.String(length=200), nullable=False),
        sa.Column("to_placement", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_audit(t),
        _fk(t, "child_id", "children"),
        _fk(t, "team_id", "teams"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    op.create_index("ix_placement_moves_child", t, ["child_id", "moved_on"])
    _seed()


def downgrade():
    op.drop_index("ix_placement_moves_child", table_name="placement_moves")
    op.drop_table("placement_moves")
    op.drop_index("ix_stability_notices_user", table_name="stability_notices")
    op.drop_table("stability_notices")
    op.drop_index("ix_monitoring_calls_placement", table_name="monitoring_calls")
    op.drop_table("monitoring_calls")
    op.drop_index("ix_monitored_placements_child", table_name="monitored_placements")
    op.drop_table("monitored_placements")
    op.drop_index("ix_route_tasks_concern", table_name="route_tasks")
    op.drop_table("route_tasks")
    op.drop_index("ix_stability_concerns_child", table_name="stability_concerns")
    op.drop_table("stability_concerns")
    op.drop_table("stability_authorities")
    op.drop_table("teams")
