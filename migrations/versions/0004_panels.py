"""Step Up / Step Down panels: localities (North and South), fortnightly series, the panel
meeting for a date, case slots, follow-up deadlines and disagreements; each panel outcome names
the directions it applies to.

Revision ID: 0004
Revises: 0003
"""
import copy

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PANEL_TYPE = "step_up_step_down"
# Which way a case must be brought for an outcome to apply (an outcome naming none fits both).
OUTCOME_DIRECTIONS = {"step_up_agreed": ["up"], "step_down_agreed": ["down"]}

localities = sa.table("localities", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("venue", sa.String))
meeting_types = sa.table("meeting_types", sa.column("code", sa.String),
                         sa.column("rules", sa.JSON))


def _set_outcome_directions(add):
    bind = op.get_bind()
    rules = bind.execute(sa.select(meeting_types.c.rules)
                         .where(meeting_types.c.code == PANEL_TYPE)).scalar_one_or_none()
    if not rules:
        return
    rules = copy.deepcopy(rules)
    for key, directions in OUTCOME_DIRECTIONS.items():
        outcome = rules.get("outcomes", {}).get(key)
        if outcome is None:
            continue
        if add:
            outcome["directions"] = directions
        else:
            outcome.pop("directions", None)
    bind.execute(meeting_types.update().where(meeting_types.c.code == PANEL_TYPE)
                 .values(rules=rules))


def upgrade():
    op.create_table(
        "localities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_localities")),
        sa.UniqueConstraint("name", name=op.f("uq_localities_name")),
    )
    op.bulk_insert(localities, [
        {"name": "North", "venue": "Macclesfield Town Hall"},
        {"name": "South", "venue": "Delamere House"},
    ])

    op.create_table(
        "panel_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(length=40), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["locality_id"], ["localities.id"],
                                name=op.f("fk_panel_series_locality_id_localities")),
        sa.ForeignKeyConstraint(["type_code"], ["meeting_types.code"],
                                name=op.f("fk_panel_series_type_code_meeting_types")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_panel_series_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_series")),
    )
    op.create_table(
        "panel_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("panel_date", sa.Date(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["panel_series.id"],
                                name=op.f("fk_panel_meetings_series_id_panel_series")),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_panel_meetings_meeting_id_meetings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_meetings")),
        sa.UniqueConstraint("series_id", "panel_date",
                            name=op.f("uq_panel_meetings_series_id_panel_date")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_panel_meetings_meeting_id")),
    )
    op.create_table(
        "case_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("presenting_worker", sa.String(length=120), nullable=False),
        sa.Column("lead_person", sa.String(length=120), nullable=True),
        sa.Column("papers_received_at", sa.DateTime(), nullable=True),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_case_slots_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_items.id"],
                                name=op.f("fk_case_slots_agenda_item_id_agenda_items")),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"],
                                name=op.f("fk_case_slots_child_id_children")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["participants.id"],
                                name=op.f("fk_case_slots_decided_by_id_participants")),
        sa.ForeignKeyConstraint(["added_by_id"], ["participants.id"],
                                name=op.f("fk_case_slots_added_by_id_participants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_slots")),
        sa.UniqueConstraint("meeting_id", "number",
                            name=op.f("uq_case_slots_meeting_id_number")),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("whole_day", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["slot_id"], ["case_slots.id"],
                                name=op.f("fk_follow_ups_slot_id_case_slots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index("ix_follow_ups_slot", "follow_ups", ["slot_id"])
    op.create_table(
        "disagreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=120), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["slot_id"], ["case_slots.id"],
                                name=op.f("fk_disagreements_slot_id_case_slots")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["participants.id"],
                                name=op.f("fk_disagreements_recorded_by_id_participants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disagreements")),
    )
    _set_outcome_directions(add=True)


def downgrade():
    _set_outcome_directions(add=False)
    op.drop_table("disagreements")
    op.drop_index("ix_follow_ups_slot", table_name="follow_ups")
    op.drop_table("follow_ups")
    op.drop_table("case_slots")
    op.drop_table("panel_meetings")
    op.drop_table("panel_series")
    op.drop_table("localities")
