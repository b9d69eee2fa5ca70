"""Every socket event, fuzzed with property-based tests (Hypothesis): whatever arrives, the
server answers with a sentence, never crashes or answers a server error, and a refused message
changes nothing in the database (neither the audit trail, which records every row written, nor
the meeting's event log moves).

The events come from the app's own registry and the fields from the handlers' own source, so a
new event or field is fuzzed without a line here.
"""
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.audit.models import AuditEvent
from facilitator.extensions import db, socketio
from facilitator.meetings.models import Meeting
from tests.conftest import ROOT, guest, sign_in, socket_client

NOT_MESSAGES = {"connect", "disconnect"}
EXAMPLES = 20  # per event and sender



def socket_events():
    return sorted(set(socketio.server.handlers["/"]) - NOT_MESSAGES)


def handler_fields():
    """Every field a socket handler reads: data.get("x"), data["x"], int_from(data, "x")."""
    fields = set()
    for path in (ROOT / "facilitator").rglob("sockets.py"):
        text = Path(path).read_text()
        fields |= set(re.findall(r"""data(?:\.get\(|\[)\s*["']([a-z_]+)["']""", text))
        fields |= set(re.findall(r"""int_from\(\s*data\s*,\s*["']([a-z_]+)["']""", text))
    return sorted(fields)


def last_change(meeting_id):
    """Where the audit trail and the meeting's event log stand: the trail records every row
    the ORM writes, so if neither moves, nothing was changed."""
    db.session.rollback()
    return (db.session.scalar(db.select(db.func.max(AuditEvent.id))),
            db.session.scalar(db.select(Meeting.last_seq).filter_by(id=meeting_id)))


def values(meeting_id):
    """Plausible and hostile values: real ids, wrong types, huge and odd text."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-2**63, max_value=2**63),
        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=60),
        st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "=1+1", "ا" * 9,
                         "🙂" * 5, "x" * 5000, "1", "0", "-1", "99999999999999999999",
                         "worried", "working_well", "needs", "up", "down", "next", "start"]),
        st.just(meeting_id), st.integers(min_value=0, max_value=40))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=8)


def messages(meeting_id):
    fields = st.sampled_from(handler_fields() + ["meeting", "key", "since"])
    as_dict = st.dictionaries(fields, values(meeting_id), max_size=8)
    with_meeting = as_dict.map(lambda d: {**d, "meeting": meeting_id})
    return st.one_of(with_meeting, as_dict, values(meeting_id))


@pytest.fixture
def senders(app, meeting, chair_seat, chair_user):
    """The chair, signed in, and an admitted carer: each with their own live connection."""
    chair_client = app.test_client()
    sign_in(chair_client, chair_user.email)
    carer = guest(meeting, "Pat Jones", "carer", admit_by=chair_seat)
    carer_client = app.test_client()
    with carer_client.session_transaction() as session:
        session["seats"] = {str(meeting.id): carer.token}
    return {"chair": socket_client(app, chair_client), "carer": socket_client(app, carer_client)}


@pytest.mark.parametrize("sender", ["chair", "carer"])
def test_no_socket_message_crashes_the_server_or_changes_anything_when_refused(
        app, meeting, senders, sender, capsys):
    client = senders[sender]
    sent = {"messages": 0, "refused": 0}
    assert client.is_connected()
    events = socket_events()
    assert len(events) >= 20, events

    @settings(max_examples=EXAMPLES * len(events), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(event=st.sampled_from(events), data=messages(meeting.id))
    def check(event, data):
        before = last_change(meeting.id)
        reply = client.emit(event, data, callback=True)
        sent["messages"] += 1
        sent["refused"] += not reply.get("ok") if isinstance(reply, dict) else 0
        assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool), (event, reply)
        assert not reply.get("retry"), f"{event} failed on the server for {data!r}: {reply}"
        if not reply["ok"]:
            assert isinstance(reply.get("error"), str) and reply["error"].strip(), reply
            assert "Traceback" not in reply["error"] and "sqlalchemy" not in reply["error"]
            assert last_change(meeting.id) == before, f"{event} refused {data!r} but changed data"

    check()
    with capsys.disabled():  # the figures for the record
        print(f"\nsocket fuzzing as the {sender}: {sent['messages']} messages over "
              f"{len(events)} events, {sent['refused']} refused")
    assert sent["messages"] >= EXAMPLES * len(events) // 2
