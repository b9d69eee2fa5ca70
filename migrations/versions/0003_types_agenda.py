"""Meeting types as whole templates (agenda, roles, rules, documents), the five types from the
seeds, the timeboxed agenda, the stability meeting's due date, and administrators.

Revision ID: 0003
Revises: 0002
"""
import copy

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

meeting_types = sa.table(
    "meeting_types", sa.column("code", sa.String), sa.column("name", sa.String),
    sa.column("kind", sa.String), sa.column("columns", sa.JSON), sa.column("scale", sa.JSON),
    sa.column("agenda", sa.JSON), sa.column("roles", sa.JSON), sa.column("rules", sa.JSON),
    sa.column("documents", sa.JSON))


def item(key, title, minutes):
    return {"key": key, "title": title, "minutes": minutes}


# Who a stability meeting expects in the room, and whose views are gathered if they cannot come
# (seed 004); "views" means gather their views beforehand.
PSM_ROLES = [
    {"who": "The child or young person, or their representative", "expect": "attend"},
    {"who": "The carers", "expect": "attend"},
    {"who": "The supervising social worker or residential key worker", "expect": "attend"},
    {"who": "The child's social worker", "expect": "attend"},
    {"who": "The placement support team", "expect": "attend"},
    {"who": "The Independent Reviewing Officer (kept informed throughout)", "expect": "views"},
    {"who": "The child's parents, if appropriate", "expect": "views"},
    {"who": "The virtual school lead", "expect": "views"},
    {"who": "The children in care designated nurse", "expect": "views"},
    {"who": "Other professionals involved, such as CAMHS", "expect": "views"},
]

PSM = {
    "agenda": [
        item("welcome", "Welcome, introductions and why we are meeting", 5),
        item("worried", "What are we worried about?", 15),
        item("working_well", "What is working well?", 10),
        item("childs_views", "The child's views, wishes and feelings", 10),
        item("agency_support", "What support can each agency provide?", 10),
        item("scaling", "Scaling: where is the placement now?", 10),
        item("needs_to_happen", "What needs to happen: the Stability Actions", 15),
        item("decision", "Decision, review date and close", 5),
    ],
    "roles": PSM_ROLES,
    # Seed 002: within 5 working days when the placement is at immediate risk, else 2 weeks.
    "rules": {"due": {"immediate_risk": {"working_days": 5}, "otherwise": {"days": 14}}},
    "documents": ["Minutes (D6 record)", "Stability Actions for the Child's Plan"],
}

MULTI_AGENCY = {
    "agenda": [
        item("welcome", "Welcome, introductions and why we are meeting", 5),
        item("stress_factors", "What is causing stress to the placement?", 15),
        item("strengths", "Strengths and support networks", 10),
        item("solutions", "Solutions, and whether a planned move is in the child's interest", 15),
        item("scaling", "Scaling on the Placement Stability Scale", 5),
        item("plan", "Plan of support, review date and telephone monitoring", 10),
    ],
    "roles": [
        {"who": "The Level 3 Adolescent Support Team worker", "expect": "attend"},
        {"who": "The CAMHS worker", "expect": "attend"},
        {"who": "The child's social worker", "expect": "attend"},
        {"who": "The foster carers' supervising social worker", "expect": "attend"},
        {"who": "The foster carers", "expect": "attend"},
        {"who": "The young person", "expect": "views"},
        {"who": "The Placement Stability Officer", "expect": "attend"},
    ],
    # Seed 001: the review is within six weeks; minutes go to the child's and carer's files.
    "rules": {"review_within_weeks": 6},
    "documents": ["Minutes: internal attendees by link, external attendees by email, Head of "
                  "Service and the Traffic Light Meeting"],
}

REVIEW_AGENDA = [
    item("welcome", "Welcome and why we are meeting again", 5),
    item("actions", "Progress on the Stability Actions", 15),
    item("worried", "What are we worried about now?", 10),
    item("working_well", "What is working well now?", 10),
    item("childs_views", "The child's views, wishes and feelings", 10),
    item("scaling", "Scaling: where is the placement now?", 10),
    item("needs_to_happen", "What needs to happen next", 10),
    item("decision", "Decision, next review and close", 5),
]

DISRUPTION_AGENDA = [
    item("welcome", "Welcome and why we are meeting", 5),
    item("what_happened", "What happened, and when", 15),
    item("worried", "What were we worried about?", 10),
    item("working_well", "What was working well?", 10),
    item("childs_views", "The child's views, wishes and feelings", 10),
    item("learning", "What can we learn?", 15),
    item("needs_to_happen", "What the child needs from their next home", 10),
    item("close", "Actions and close", 5),
]

PANEL_COLUMNS = [
    {"key": "worries", "question": "Worry statements",
     "hint": "What are we worried will happen if nothing changes?"},
    {"key": "wellbeing_goals", "question": "Wellbeing goals",
     "hint": "What do we want to see instead?"},
    {"key": "recommendations", "question": "Recommendations",
     "hint": "Who will do what: the lead person, the next steps."},
]

# Seed 003: the Step Up / Step Down meeting.
PANEL = {
    "agenda": [item("welcome", "Welcome and apologies", 5),
               item("themes", "Themes, common issues and close", 5)],
    "roles": [
        {"who": "Service Manager (chair)", "expect": "attend"},
        {"who": "Team Manager, ChECS (deputy chair)", "expect": "attend"},
        {"who": "Team Manager, Child in Need / Child Protection", "expect": "attend"},
        {"who": "Family Service Manager", "expect": "attend"},
        {"who": "Health representative", "expect": "attend"},
        {"who": "Education representative", "expect": "attend"},
        {"who": "Minute taker", "expect": "attend"},
    ],
    "rules": {
        "series": {"weekday": "WE", "time": "14:00", "interval_weeks": 2},
        "papers_due": {"days_before": 7, "time": "16:00"},
        "agenda_out": {"days_before": 5, "time": "12:00"},
        "outcomes_out": {"working_days": 2},
        "slot_minutes": 10,
        "criteria": {
            "up": [
                {"key": "early_help_3_months", "label": "Early help open for at least three months"},
                {"key": "chronology", "label": "Chronology of attempts to engage the family"},
                {"key": "group_supervision", "label": "Group supervision has taken place"},
                {"key": "family_told", "label": "Family told of the referral to Children's Services"},
                {"key": "worry_statements", "label": "Worry statements"},
                {"key": "wellbeing_goals", "label": "Wellbeing goals"},
                {"key": "scaling", "label": "Scaling"},
            ],
            "down": [
                {"key": "lead_person", "label": "Lead person identified"},
                {"key": "family_consent", "label": "Family consent to step down"},
            ],
        },
        "outcomes": {
            "step_up_agreed": {"label": "Step up agreed", "follow_ups": [
                {"what": "Referral created to the area team", "hours": 24},
                {"what": "Children and family assessment completed", "days": 15}]},
            "step_down_agreed": {"label": "Step down agreed", "follow_ups": [
                {"what": "Early help worker allocated", "working_days": 0},
                {"what": "Social worker told of the outcome", "working_days": 1},
                {"what": "Joint handover visit with the lead person", "working_days": 5}]},
            "not_agreed": {"label": "Not agreed", "follow_ups": []},
            "deferred": {"label": "Deferred", "follow_ups": []},
        },
    },
    "documents": ["Agenda (circulated before the panel)", "Outcomes (within 2 working days)"],
}


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("is_admin", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("meeting_types") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(20), nullable=False,
                                      server_default="meeting"))
        for name in ("agenda", "roles", "rules", "documents"):
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=True))
    for code, data in (("placement_stability", PSM),
                       ("multi_agency_stability_support", MULTI_AGENCY)):
        op.execute(meeting_types.update().where(meeting_types.c.code == code).values(**data))
    scale = op.get_bind().execute(sa.select(meeting_types.c.scale).where(
        meeting_types.c.code == "placement_stability")).scalar_one()
    psm_columns = op.get_bind().execute(sa.select(meeting_types.c.columns).where(
        meeting_types.c.code == "placement_stability")).scalar_one()
    op.bulk_insert(meeting_types, [
        {"code": "stability_review", "name": "Stability Review Meeting", "kind": "meeting",
         "columns": psm_columns, "scale": scale,
         **{**PSM, "agenda": REVIEW_AGENDA, "rules": {}}},
        {"code": "disruption", "name": "Disruption Meeting", "kind": "meeting",
         "columns": psm_columns + [{"key": "learning", "question": "What can we learn?",
                                    "hint": "For this child's next home, and for others."}],
         "scale": scale, **{**PSM, "agenda": DISRUPTION_AGENDA, "rules": {}}},
        {"code": "step_up_step_down", "name": "Step Up / Step Down panel", "kind": "panel",
         "columns": PANEL_COLUMNS, "scale": copy.deepcopy(scale), **PANEL},
    ])
    with op.batch_alter_table("meeting_types") as batch_op:
        for name in ("agenda", "roles", "rules", "documents"):
            batch_op.alter_column(name, existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("meetings") as batch_op:
        batch_op.add_column(sa.Column("immediate_risk", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("due_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("current_item_id", sa.Integer(), nullable=True))

    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("planned_seconds", sa.Integer(), nullable=False),
        sa.Column("extended_seconds", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.Column("paused_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_agenda_items_meeting_id_meetings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    op.create_index("ix_agenda_items_meeting", "agenda_items", ["meeting_id", "position"])
    op.create_table(
        "agenda_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["agenda_items.id"],
                                name=op.f("fk_agenda_extensions_item_id_agenda_items")),
        sa.ForeignKeyConstraint(["by_id"], ["participants.id"],
                                name=op.f("fk_agenda_extensions_by_id_participants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_extensions")),
    )


def downgrade():
    op.drop_table("agenda_extensions")
    op.drop_index("ix_agenda_items_meeting", table_name="agenda_items")
    op.drop_table("agenda_items")
    with op.batch_alter_table("meetings") as batch_op:
        for name in ("current_item_id", "due_by", "immediate_risk"):
            batch_op.drop_column(name)
    op.execute(meeting_types.delete().where(meeting_types.c.code.in_(
        ["stability_review", "disruption", "step_up_step_down"])))
    with op.batch_alter_table("meeting_types") as batch_op:
        for name in ("documents", "rules", "roles", "agenda", "kind"):
            batch_op.drop_column(name)
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("is_admin")
