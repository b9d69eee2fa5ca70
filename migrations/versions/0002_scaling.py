"""The scaling round: each meeting type's scale, rounds and scores; the Multi-Agency Stability
Support Meeting type with the borough's 1–5 scale.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The county's scaling question (seed 004): 0 is the worst, 10 the best.
STABILITY_0_10 = {
    "name": "Stability scale, 0 to 10",
    "min": 0, "max": 10, "stable_end": "high",
    "question": "On a scale of 0 to 10, where is this placement now? 0 means things are so bad, "
                "with so much conflict, anxiety and mistrust, that the child has to leave the "
                "placement now. 10 means everyone understands what has happened and what needs "
                "to happen, so that they can live together into the future.",
    "labels": {"0": "No stability: the child has to leave now",
               "10": "Stability: living together into the future"},
    "plain": {"question": "How are things in your home right now? Pick a number from 0 to 10.",
              "low": "0 means things are so bad you have to move out now.",
              "high": "10 means everyone gets what happened and what to do, and you can all "
                      "keep living together."},
}

# The borough's Placement Stability Scale (seed 001): 1 is the best, 5 the worst.
PLACEMENT_STABILITY_1_5 = {
    "name": "Placement Stability Scale, 1 to 5",
    "min": 1, "max": 5, "stable_end": "low",
    "question": "Using the Placement Stability Scale, where is this placement now? 1 is "
                "stability good; 5 is stability at serious risk of breakdown.",
    "labels": {"1": "Stability good", "2": "Stability OK",
               "3": "Stability begins to be questioned", "4": "Stability is a concern",
               "5": "Stability at serious risk of breakdown"},
    "descriptions": {
        "1": "No worries.",
        "2": "Some concerns, worth talking through with the Adolescent Support Team or CAMHS.",
        "3": "The difficulties could start to harm the relationships.",
        "4": "Help is clearly needed to keep the placement going.",
        "5": "The placement will break down without major help or change."},
    "plain": {"question": "How settled is your home right now? Pick a number from 1 to 5.",
              "low": "1 means things are going well and nobody is worried.",
              "high": "5 means your home is about to fall apart unless big things change."},
}

MULTI_AGENCY_COLUMNS = [
    {"key": "stress_factors", "question": "What is causing stress to the placement?",
     "hint": "Behaviour, relationships, school, contact, health, and pressures on the carers."},
    {"key": "strengths", "question": "What are the strengths and support networks?",
     "hint": "What the carers and young person do well, and who helps them."},
    {"key": "solutions", "question": "What will support stability?",
     "hint": "Solutions, support from each agency, and whether a planned move is in the "
             "child's best interests."},
]

meeting_types = sa.table("meeting_types", sa.column("code", sa.String),
                         sa.column("name", sa.String), sa.column("columns", sa.JSON),
                         sa.column("scale", sa.JSON))


def upgrade():
    with op.batch_alter_table("meeting_types") as batch_op:
        batch_op.add_column(sa.Column("scale", sa.JSON(), nullable=True))
    op.execute(meeting_types.update().where(meeting_types.c.code == "placement_stability")
               .values(scale=STABILITY_0_10))
    with op.batch_alter_table("meeting_types") as batch_op:
        batch_op.alter_column("scale", existing_type=sa.JSON(), nullable=False)
    op.bulk_insert(meeting_types, [{
        "code": "multi_agency_stability_support",
        "name": "Multi-Agency Stability Support Meeting",
        "columns": MULTI_AGENCY_COLUMNS,
        "scale": PLACEMENT_STABILITY_1_5,
    }])

    op.create_table(
        "scale_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("scale_spec", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("revealed_at", sa.DateTime(), nullable=True),
        sa.Column("revealed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_scale_rounds_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["opened_by_id"], ["participants.id"],
                                name=op.f("fk_scale_rounds_opened_by_id_participants")),
        sa.ForeignKeyConstraint(["revealed_by_id"], ["participants.id"],
                                name=op.f("fk_scale_rounds_revealed_by_id_participants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scale_rounds")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_scale_rounds_meeting_id_number")),
    )
    op.create_table(
        "scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("in_advance", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_scores_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"],
                                name=op.f("fk_scores_participant_id_participants")),
        sa.ForeignKeyConstraint(["round_id"], ["scale_rounds.id"],
                                name=op.f("fk_scores_round_id_scale_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scores")),
        sa.UniqueConstraint("round_id", "participant_id",
                            name=op.f("uq_scores_round_id_participant_id")),
    )
    op.create_index("ix_scores_meeting_participant", "scores", ["meeting_id", "participant_id"])


def downgrade():
    op.drop_index("ix_scores_meeting_participant", table_name="scores")
    op.drop_table("scores")
    op.drop_table("scale_rounds")
    op.execute(meeting_types.delete()
               .where(meeting_types.c.code == "multi_agency_stability_support"))
    with op.batch_alter_table("meeting_types") as batch_op:
        batch_op.drop_column("scale")
