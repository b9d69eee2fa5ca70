"""The agenda drives the room: each agenda item has a kind (what the screens put first), the
chair can put a section on the projector for a while, and a young person's choice to be shown
as "Young person" belongs to them, not to one score.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

meeting_types = sa.table("meeting_types", sa.column("code", sa.String),
                         sa.column("agenda", sa.JSON), sa.column("columns", sa.JSON))
meetings = sa.table("meetings", sa.column("id", sa.Integer), sa.column("type_code", sa.String))
items = sa.table("agenda_items", sa.column("id", sa.Integer), sa.column("meeting_id", sa.Integer),
                 sa.column("title", sa.String), sa.column("kind", sa.String),
                 sa.column("board_column", sa.String))
case_slots = sa.table("case_slots", sa.column("agenda_item_id", sa.Integer))
scores = sa.table("scores", sa.column("participant_id", sa.Integer),
                  sa.column("show_name", sa.Boolean))
participants = sa.table("participants", sa.column("id", sa.Integer),
                        sa.column("show_name", sa.Boolean))

# The seeded types' items by key (agenda.kinds.KINDS names them); a key that is one of the
# type's board columns is that column.
KIND_BY_KEY = {
    "welcome": "welcome", "childs_views": "childs_views", "agency_support": "offers",
    "scaling": "scaling", "decision": "decision", "plan": "decision", "actions": "carried",
    "what_happened": "board", "close": "actions", "themes": "close",
}
# Placement Stability Meeting: "What needs to happen: the Stability Actions".
ACTIONS_ITEM = ("placement_stability", "needs_to_happen")


def kind_of(code, entry, columns):
    if (code, entry.get("key")) == ACTIONS_ITEM:
        return {"kind": "actions"}
    if entry.get("key") in {column["key"] for column in columns}:
        return {"kind": "column", "column": entry["key"]}
    return {"kind": KIND_BY_KEY.get(entry.get("key"), "board")}


def upgrade():
    with op.batch_alter_table("agenda_items") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(30), nullable=False,
                                      server_default="board"))
        batch_op.add_column(sa.Column("board_column", sa.String(40), nullable=True))
    with op.batch_alter_table("meetings") as batch_op:
        batch_op.add_column(sa.Column("on_screen", sa.String(60), nullable=True))
    with op.batch_alter_table("participants") as batch_op:
        batch_op.add_column(sa.Column("show_name", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))

    bind = op.get_bind()
    kinds_by_type = {}
    for code, agenda, columns in bind.execute(sa.select(
            meeting_types.c.code, meeting_types.c.agenda, meeting_types.c.columns)).all():
        agenda = [{**entry, **kind_of(code, entry, columns)} for entry in agenda]
        op.execute(meeting_types.update().where(meeting_types.c.code == code)
                   .values(agenda=agenda))
        kinds_by_type[code] = {entry["title"]: entry for entry in agenda}

    slots = set(bind.execute(sa.select(case_slots.c.agenda_item_id)).scalars())
    rows = bind.execute(sa.select(items.c.id, items.c.title, meetings.c.type_code)
                        .join(meetings, meetings.c.id == items.c.meeting_id)).all()
    for item_id, title, code in rows:
        entry = {"kind": "case"} if item_id in slots else kinds_by_type[code].get(title, {})
        if entry.get("kind", "board") != "board":
            op.execute(items.update().where(items.c.id == item_id).values(
                kind=entry["kind"], board_column=entry.get("column")))

    # A young person who chose "Young person" for a score chose it for everything they add.
    hidden = bind.execute(sa.select(scores.c.participant_id).where(
        scores.c.show_name == sa.false())).scalars().all()
    if hidden:
        op.execute(participants.update().where(participants.c.id.in_(set(hidden)))
                   .values(show_name=False))


def downgrade():
    bind = op.get_bind()
    for code, agenda in bind.execute(sa.select(meeting_types.c.code,
                                               meeting_types.c.agenda)).all():
        plain = [{k: v for k, v in entry.items() if k not in ("kind", "column")}
                 for entry in agenda]
        op.execute(meeting_types.update().where(meeting_types.c.code == code)
                   .values(agenda=plain))
    with op.batch_alter_table("participants") as batch_op:
        batch_op.drop_column("show_name")
    with op.batch_alter_table("meetings") as batch_op:
        batch_op.drop_column("on_screen")
    with op.batch_alter_table("agenda_items") as batch_op:
        batch_op.drop_column("board_column")
        batch_op.drop_column("kind")
