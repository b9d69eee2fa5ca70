"""Documents: the minutes draft and its corrections, issued versions, downloads and deliveries.

Participants gain what the minutes say about them: attendance (present, remote, apologies,
views sent) and an email address for an external attendee. Every type gains its distribution
as data (seeds 001, 003): the outcomes deadline in working days and the fixed recipients
(the Multi-Agency meeting's Head of Service and Traffic Light Meeting). An authority puts its
own addresses in the row.

Revision ID: 0007
Revises: 0006
"""
import copy

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

meeting_types = sa.table("meeting_types", sa.column("code", sa.String),
                         sa.column("rules", sa.JSON))

WITHIN_TWO_WORKING_DAYS = 2  # seed 003: outcomes circulated within 2 working days
MULTI_AGENCY_RECIPIENTS = [  # seed 001, 5.9
    {"name": "Head of Service", "email": "head.of.service@example.org"},
    {"name": "Traffic Light Meeting", "email": "traffic.light.meeting@example.org"},
]
DISTRIBUTION = {
    "placement_stability": {"within_working_days": WITHIN_TWO_WORKING_DAYS, "fixed": []},
    "stability_review": {"within_working_days": WITHIN_TWO_WORKING_DAYS, "fixed": []},
    "disruption": {"within_working_days": WITHIN_TWO_WORKING_DAYS, "fixed": []},
    "multi_agency_stability_support": {"within_working_days": WITHIN_TWO_WORKING_DAYS,
                                       "fixed": MULTI_AGENCY_RECIPIENTS},
    "step_up_step_down": {"within_working_days": WITHIN_TWO_WORKING_DAYS, "fixed": []},
}


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def _set_distribution(add):
    bind = op.get_bind()
    for code, distribution in DISTRIBUTION.items():
        rules = bind.execute(sa.select(meeting_types.c.rules)
                             .where(meeting_types.c.code == code)).scalar_one_or_none()
        if rules is None:
            continue
        rules = copy.deepcopy(rules)
        if add:
            rules["distribution"] = copy.deepcopy(distribution)
        else:
            rules.pop("distribution", None)
        bind.execute(meeting_types.update().where(meeting_types.c.code == code)
                     .values(rules=rules))


def upgrade():
    with op.batch_alter_table("participants") as batch_op:
        batch_op.add_column(sa.Column("attendance", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "meeting_closures",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=False),
        _fk("meeting_closures", "meeting_id", "meetings"),
        _fk("meeting_closures", "closed_by_id", "participants"),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_closures")),
    )
    op.create_table(
        "document_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("corrections", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        _fk("document_drafts", "meeting_id", "meetings"),
        _fk("document_drafts", "updated_by_id", "participants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_drafts")),
        sa.UniqueConstraint("meeting_id", "kind", name=op.f("uq_document_drafts_meeting_id")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        _fk("documents", "meeting_id", "meetings"),
        _fk("documents", "issued_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("meeting_id", "kind", "version",
                            name=op.f("uq_documents_meeting_id")),
    )
    op.create_table(
        "document_downloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        _fk("document_downloads", "document_id", "documents"),
        _fk("document_downloads", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_downloads")),
    )
    op.create_index("ix_document_downloads_document", "document_downloads", ["document_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("deliveries", "document_id", "documents"),
        _fk("deliveries", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    op.create_index("ix_deliveries_document", "deliveries", ["document_id"])
    op.create_index("ix_deliveries_user", "deliveries", ["user_id"])
    _set_distribution(True)


def downgrade():
    _set_distribution(False)
    op.drop_index("ix_deliveries_user", table_name="deliveries")
    op.drop_index("ix_deliveries_document", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_index("ix_document_downloads_document", table_name="document_downloads")
    op.drop_table("document_downloads")
    op.drop_table("documents")
    op.drop_table("document_drafts")
    op.drop_table("meeting_closures")
    with op.batch_alter_table("participants") as batch_op:
        batch_op.drop_column("email")
        batch_op.drop_column("attendance")
