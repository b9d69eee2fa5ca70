"""Staff pages at an authority's scale: the child keeps their team and social worker, staff
belong to a team, a monitored placement keeps the day its next call is due, and every lookup a
staff page makes has an index.

Revision ID: 0013
Revises: 0012
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from facilitator import clock

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# (name, table, columns): what the staff pages look up, found by EXPLAIN on a county's records.
INDEXES = [
    ("ix_children_team", "children", ["team_id"]),
    ("ix_children_worker", "children", ["worker_id"]),
    ("ix_users_team_id", "users", ["team_id"]),
    ("ix_meetings_child", "meetings", ["child_id", "scheduled_at"]),
    ("ix_meetings_scheduled", "meetings", ["scheduled_at"]),
    ("ix_participants_meeting", "participants", ["meeting_id", "user_id"]),
    ("ix_participants_user", "participants", ["user_id", "meeting_id"]),
    ("ix_monitored_placements_concern", "monitored_placements", ["concern_id"]),
    ("ix_placement_moves_day", "placement_moves", ["moved_on"]),
    ("ix_audit_events_at", "audit_events", ["at"]),
    ("ix_decisions_review", "decisions", ["review_date"]),
    ("ix_actions_due", "actions", ["status", "due_on"]),
]
# (name, table, columns, where): partial indexes holding only the rows a list shows.
PARTIAL_INDEXES = [
    ("ix_stability_concerns_open", "stability_concerns", ["child_id", "raised_at", "id"],
     "closed_at IS NULL"),
    ("ix_route_tasks_meeting_step", "route_tasks", ["concern_id", "due_on"],
     "is_meeting AND due_on IS NOT NULL"),
    ("ix_monitored_placements_listed", "monitored_placements", ["next_due_on", "id"],
     "status IN ('monitoring', 'escalated') AND (status = 'escalated' OR next_due_on <= ends_on)"),
]

children = sa.table("children", sa.column("id", sa.Integer), sa.column("team_id", sa.Integer),
                    sa.column("worker_id", sa.Integer))
concerns = sa.table("stability_concerns", sa.column("id", sa.Integer),
                    sa.column("child_id", sa.Integer), sa.column("team_id", sa.Integer),
                    sa.column("named_worker_id", sa.Integer),
                    sa.column("created_at", sa.DateTime))
moves = sa.table("placement_moves", sa.column("id", sa.Integer),
                 sa.column("child_id", sa.Integer), sa.column("team_id", sa.Integer),
                 sa.column("created_at", sa.DateTime))
placements = sa.table("monitored_placements", sa.column("id", sa.Integer),
                      sa.column("starts_on", sa.Date), sa.column("every_days", sa.Integer),
                      sa.column("status", sa.String), sa.column("next_due_on", sa.Date))
tasks = sa.table("route_tasks", sa.column("id", sa.Integer), sa.column("due_at", sa.DateTime),
                 sa.column("due_on", sa.Date))
calls = sa.table("monitoring_calls", sa.column("placement_id", sa.Integer),
                 sa.column("called_at", sa.DateTime))


def upgrade():
    with op.batch_alter_table("children") as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("worker_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_children_team", "teams", ["team_id"], ["id"])
        batch_op.create_foreign_key("fk_children_worker", "users", ["worker_id"], ["id"])
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_users_team", "teams", ["team_id"], ["id"])
    with op.batch_alter_table("monitored_placements") as batch_op:
        batch_op.add_column(sa.Column("next_due_on", sa.Date(), nullable=True))
    with op.batch_alter_table("route_tasks") as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    with op.batch_alter_table("monitoring_calls") as batch_op:
        batch_op.drop_index("ix_monitoring_calls_placement")
        batch_op.create_index("ix_monitoring_calls_placement", ["placement_id", "called_at"])
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for name, table, columns, where in PARTIAL_INDEXES:
        op.create_index(name, table, columns, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))
    bind = op.get_bind()
    _children_teams(bind)
    _next_calls(bind)
    for task_id, due_at in bind.execute(sa.select(tasks.c.id, tasks.c.due_at)
                                        .where(tasks.c.due_at.is_not(None))):
        bind.execute(tasks.update().where(tasks.c.id == task_id)
                     .values(due_on=clock.london_today(due_at)))


def _children_teams(bind):
    """Each child's team from the latest record naming one (what the overview worked out on
    every request before), and their worker from the latest concern's named worker."""
    latest = {}
    records = [*bind.execute(sa.select(concerns.c.child_id, concerns.c.created_at,
                                       concerns.c.id, concerns.c.team_id)),
               *bind.execute(sa.select(moves.c.child_id, moves.c.created_at, moves.c.id,
                                       moves.c.team_id))]
    for child_id, _at, _id, team_id in sorted(records, key=lambda r: (r[1], r[2])):
        if team_id is not None:
            latest[child_id] = team_id
    for child_id, team_id in latest.items():
        bind.execute(children.update().where(children.c.id == child_id).values(team_id=team_id))
    for child_id, worker_id in bind.execute(sa.select(concerns.c.child_id,
                                                      concerns.c.named_worker_id)
                                            .order_by(concerns.c.created_at, concerns.c.id)):
        if worker_id is not None:
            bind.execute(children.update().where(children.c.id == child_id)
                         .values(worker_id=worker_id))


def _next_calls(bind):
    """The day each placement's next call is due, as monitoring.next_due works it out."""
    last = dict(bind.execute(sa.select(calls.c.placement_id, sa.func.max(calls.c.called_at))
                             .group_by(calls.c.placement_id)).all())
    for placement_id, starts_on, every_days in bind.execute(sa.select(
            placements.c.id, placements.c.starts_on, placements.c.every_days)):
        since = clock.london_today(last[placement_id]) if placement_id in last else starts_on
        due = clock.on_or_before_working_day(since + timedelta(days=every_days),
                                             not_before=since + timedelta(days=1))
        bind.execute(placements.update().where(placements.c.id == placement_id)
                     .values(next_due_on=due))


def downgrade():
    for name, table, *_rest in reversed(PARTIAL_INDEXES + INDEXES):
        op.drop_index(name, table)
    with op.batch_alter_table("monitoring_calls") as batch_op:
        batch_op.drop_index("ix_monitoring_calls_placement")
        batch_op.create_index("ix_monitoring_calls_placement", ["placement_id"])
    with op.batch_alter_table("route_tasks") as batch_op:
        batch_op.drop_column("due_on")
    with op.batch_alter_table("monitored_placements") as batch_op:
        batch_op.drop_column("next_due_on")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("fk_users_team", type_="foreignkey")
        batch_op.drop_column("team_id")
    with op.batch_alter_table("children") as batch_op:
        batch_op.drop_constraint("fk_children_worker", type_="foreignkey")
        batch_op.drop_constraint("fk_children_team", type_="foreignkey")
        batch_op.drop_column("worker_id")
        batch_op.drop_column("team_id")
