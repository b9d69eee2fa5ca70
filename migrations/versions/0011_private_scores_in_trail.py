"""Scores leave the audit trail until they are revealed.

The trail used to record each score's value and reason as they were typed, so a chair or an
administrator could read a round before its reveal. This takes them out of every entry already
recorded (the entry still says a score was given or changed, by whom and when), then records
what each round revealed so far showed, as a reveal now does (audit.trail.disclose).

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PRIVATE = "(private until shown to the meeting)"  # audit.trail.PRIVATE, as it was written here
COLUMNS = ("value", "reason")                      # Score.__private_until_shown__

audit = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                 sa.column("actor", sa.String), sa.column("meeting_id", sa.Integer),
                 sa.column("action", sa.String), sa.column("subject", sa.String),
                 sa.column("subject_id", sa.String), sa.column("changes", sa.JSON),
                 sa.column("actor_user_id", sa.Integer),
                 sa.column("actor_participant_id", sa.Integer))
scores = sa.table("scores", sa.column("id", sa.Integer), sa.column("meeting_id", sa.Integer),
                  sa.column("round_id", sa.Integer), sa.column("participant_id", sa.Integer),
                  sa.column("value", sa.Integer), sa.column("reason", sa.Text))
rounds = sa.table("scale_rounds", sa.column("id", sa.Integer), sa.column("status", sa.String),
                  sa.column("revealed_at", sa.DateTime))
participants = sa.table("participants", sa.column("id", sa.Integer),
                        sa.column("status", sa.String))


def upgrade():
    connection = op.get_bind()
    entries = connection.execute(sa.select(audit.c.id, audit.c.changes)
                                 .where(audit.c.subject == "scores")).all()
    for entry_id, changes in entries:
        private = {key: [None if v is None else PRIVATE for v in values]
                   for key, values in (changes or {}).items() if key in COLUMNS}
        if private:
            connection.execute(sa.update(audit).where(audit.c.id == entry_id)
                               .values(changes={**changes, **private}))
    # What the reveals showed: the scores of each revealed round that counted (not those of
    # someone the chair removed), at the time of the reveal.
    shown = connection.execute(
        sa.select(scores.c.id, scores.c.meeting_id, scores.c.value, scores.c.reason,
                  rounds.c.revealed_at)
        .join(rounds, rounds.c.id == scores.c.round_id)
        .join(participants, participants.c.id == scores.c.participant_id)
        .where(rounds.c.status == "revealed", participants.c.status != "removed")).all()
    if shown:
        connection.execute(audit.insert(), [
            {"at": revealed_at, "actor": "the system (what the reveal showed, recorded later)",
             "actor_user_id": None, "actor_participant_id": None, "meeting_id": meeting_id,
             "action": "revealed", "subject": "scores", "subject_id": str(score_id),
             "changes": {"value": [None, value], "reason": [None, reason]}}
            for score_id, meeting_id, value, reason, revealed_at in shown])


def downgrade():
    pass  # the values taken out were never meant to be there; nothing to put back
