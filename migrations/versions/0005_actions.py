"""Stability Actions, the placement decision and review date, the child's views and agency offers.

The stability types' rules gain what the decision asks for (seeds 001, 002): the outcomes and
who approves a planned move, whether a review date is set, the telephone monitoring choices
(the Multi-Agency meeting), who is notified (IRO, CAFCASS), and the review's carry-forward.

Revision ID: 0005
Revises: 0004
"""
import copy

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

meeting_types = sa.table("meeting_types", sa.column("code", sa.String),
                         sa.column("rules", sa.JSON))

# Seed 002: can the placement be maintained? A planned move needs a senior manager or the
# Placement Review Panel; an emergency follows the disruption process.
PSM_DECISION = {
    "outcomes": {
        "maintain": {"label": "The placement continues, with the Stability Actions"},
        "planned_move": {"label": "A planned move", "needs_approval": True},
        "emergency": {"label": "An emergency move: follow the disruption process"},
    },
    "approvers": {"senior_manager": "A senior manager",
                  "placement_review_panel": "The Placement Review Panel"},
}
# Seed 001: a plan of support, and whether a planned move is in the child's interest.
MULTI_AGENCY_DECISION = {
    "outcomes": {
        "maintain": {"label": "The placement continues, with the plan of support"},
        "planned_move": {"label": "A planned move is in the child's interest",
                         "needs_approval": True},
    },
    "approvers": PSM_DECISION["approvers"],
}
NOTIFY = [{"key": "iro", "label": "The Independent Reviewing Officer (IRO)"},
          {"key": "cafcass", "label": "CAFCASS"}]
# Seed 001: weekly telephone contact is the usual plan; the frequency is agreed per meeting.
MONITORING = [{"days": 3, "label": "Twice a week"}, {"days": 7, "label": "Weekly"},
              {"days": 14, "label": "Fortnightly"}, {"days": 28, "label": "Every four weeks"}]

ADDED = {
    "placement_stability": {"decision": PSM_DECISION, "review_date": True, "notify": NOTIFY},
    "stability_review": {"decision": PSM_DECISION, "review_date": True, "notify": NOTIFY,
                         "carry_forward": True},
    "multi_agency_stability_support": {"decision": MULTI_AGENCY_DECISION, "review_date": True,
                                       "monitoring": MONITORING},
    "disruption": {"notify": NOTIFY},
}


def _change_rules(add):
    bind = op.get_bind()
    for code, extra in ADDED.items():
        rules = bind.execute(sa.select(meeting_types.c.rules)
                             .where(meeting_types.c.code == code)).scalar_one_or_none()
        if rules is None:
            continue
        rules = copy.deepcopy(rules)
        for key, value in extra.items():
            if add:
                rules[key] = copy.deepcopy(value)
            else:
                rules.pop(key, None)
        bind.execute(meeting_types.update().where(meeting_types.c.code == code)
                     .values(rules=rules))


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner_participant_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=120), nullable=True),
        sa.Column("timescale", sa.String(length=20), nullable=False),
        sa.Column("timescale_number", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("destination", sa.String(length=30), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=True),
        sa.Column("for_iro", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("status_set_at", sa.DateTime(), nullable=True),
        sa.Column("status_set_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        _fk("actions", "meeting_id", "meetings"),
        _fk("actions", "child_id", "children"),
        _fk("actions", "owner_participant_id", "participants"),
        _fk("actions", "status_set_by_id", "participants"),
        _fk("actions", "proposed_by_id", "participants"),
        _fk("actions", "confirmed_by_id", "participants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    op.create_index("ix_actions_child", "actions", ["child_id"])
    op.create_index("ix_actions_meeting", "actions", ["meeting_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("approval_by", sa.String(length=40), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("monitoring_days", sa.Integer(), nullable=True),
        sa.Column("notifications", sa.JSON(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("decisions", "meeting_id", "meetings"),
        _fk("decisions", "recorded_by_id", "participants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_decisions_meeting_id")),
    )
    op.create_table(
        "child_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        _fk("child_views", "meeting_id", "meetings"),
        _fk("child_views", "added_by_id", "participants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_views")),
    )
    op.create_index("ix_child_views_meeting", "child_views", ["meeting_id"])
    op.create_table(
        "agency_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("agency_key", sa.String(length=120), nullable=False),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("agency_offers", "meeting_id", "meetings"),
        _fk("agency_offers", "added_by_id", "participants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_offers")),
        sa.UniqueConstraint("meeting_id", "agency_key",
                            name=op.f("uq_agency_offers_meeting_id_agency_key")),
    )
    _change_rules(add=True)


def downgrade():
    _change_rules(add=False)
    op.drop_table("agency_offers")
    op.drop_index("ix_child_views_meeting", table_name="child_views")
    op.drop_table("child_views")
    op.drop_table("decisions")
    op.drop_index("ix_actions_meeting", table_name="actions")
    op.drop_index("ix_actions_child", table_name="actions")
    op.drop_table("actions")
