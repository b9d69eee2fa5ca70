"""Scaling operations, and what each person may see of a round.

Privacy: a score's value and reason leave the server in two ways only. `my_score` gives a
person their own; `round_view` gives everyone the results once the chair has revealed the round.
Events about scores record who scored, never what, so nothing replayed or broadcast can carry
a score before its reveal; the audit trail records that a score was given or changed, and its
value and reason only as the reveal shows them (Score.__private_until_shown__). The personal
link for a score in advance says when one was sent, never what.
"""
import re
import statistics

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from facilitator.agenda.services import put_on_screen
from facilitator.audit import trail
from facilitator.clock import utcnow
from facilitator.errors import Refused
from facilitator.extensions import db
from facilitator.live.events import record_change
from facilitator.meetings.access import acting_seat
from facilitator.meetings.labels import room_now
from facilitator.meetings.models import (
    ADMITTED,
    CHAIR,
    IN_ADVANCE,
    OBSERVER,
    REMOVED,
    YOUNG_PERSON,
    Meeting,
    Participant,
)
from facilitator.scaling.chart import spread_chart
from facilitator.scaling.models import OPEN, REVEALED, ScaleRound, Score
from facilitator.scaling.scales import Scale
from facilitator.text import clean_text

REASON_LIMIT = 1000  # characters: a reason is a few sentences (documented in README)
QUESTION_LIMIT = 600


def meeting_scale(meeting):
    return Scale(meeting.type.scale)


# ---- Changes -------------------------------------------------------------------------------

def open_round(meeting_id, actor, question=None, key=None):
    """The chair puts the scaling question to the meeting (the type's own words by default)."""
    def change():
        meeting, seat = acting_seat(meeting_id, actor)
        _chair_only(seat, "Only the chair can open a scaling round.")
        current = open_round_of(meeting_id)
        if current is not None:
            raise Refused(f"Round {current.number} is still open. Reveal its scores before "
                          "opening another.", 409)
        text = clean_text(meeting.type.scale["question"] if question is None else question,
                          label="the scaling question", limit=QUESTION_LIMIT, field="question")
        number = (db.session.scalar(db.select(db.func.max(ScaleRound.number))
                                    .filter_by(meeting_id=meeting_id)) or 0) + 1
        round_ = ScaleRound(meeting_id=meeting_id, number=number, question=text,
                            scale_spec=meeting.type.scale, opened_by_id=seat.id)
        db.session.add(round_)
        db.session.flush()
        if number == 1:  # scores sent in advance count in the meeting's first round
            db.session.execute(db.update(Score).filter_by(meeting_id=meeting_id, round_id=None)
                               .values(round_id=round_.id))
        put_on_screen(meeting, "scaling")   # what the room is asked, the room sees
        return {"round": round_.id, "number": number}
    return record_change(meeting_id, "scaling.round_opened", change, actor=actor, key=key)


def submit_score(meeting_id, actor, round_id, value, reason, *, show_name=True,
                 for_participant=None, key=None):
    """A member gives (or changes) their own score and reason while the round is open."""
    def change():
        _, seat = acting_seat(meeting_id, actor)
        if for_participant is not None and for_participant != seat.id:
            raise Refused("You can only give your own score.", 403)
        if seat.meeting_role == OBSERVER:
            raise Refused("Observers do not score.", 403)
        round_ = _round(meeting_id, round_id)
        if not round_.is_open:
            raise Refused("Scoring has closed for this round: the chair has revealed the "
                          "scores.", 409)
        named = seat.show_name
        _save_score(seat, round_.scale, value, reason, show_name, round_id=round_.id)
        payload = {"round": round_.id, "participant": seat.id}
        if seat.show_name != named:  # what they added is now shown the other way
            payload["renamed"] = True
        return payload
    return record_change(meeting_id, "scaling.scored", change, actor=actor, key=key)


def send_in_advance(meeting_id, participant_id, value, reason, key=None):
    """Someone who cannot come sends a score and reason through their personal link."""
    def change():
        meeting = db.session.get(Meeting, meeting_id)
        seat = db.session.get(Participant, participant_id)
        if meeting is None or seat is None or seat.meeting_id != meeting_id \
                or seat.status != IN_ADVANCE:
            raise Refused("That link is not valid.", 404)
        if not meeting.is_open:
            raise Refused("This meeting has closed.", 409)
        first = first_round(meeting_id)
        if first is not None and not first.is_open:
            raise Refused("The meeting has already shared its scores, so yours can no longer "
                          "be added. Please give your score and reason to the chair.", 409)
        scale = first.scale if first is not None else meeting_scale(meeting)
        _save_score(seat, scale, value, reason, seat.show_name,
                    round_id=first.id if first is not None else None, in_advance=True)
        return {"participant": seat.id, "round": first.id if first is not None else None}
    return record_change(meeting_id, "scaling.sent_in_advance", change,
                         actor=db.session.get(Participant, participant_id), key=key)


def reveal_round(meeting_id, actor, round_id, key=None):
    def change():
        _, seat = acting_seat(meeting_id, actor)
        _chair_only(seat, "Only the chair can reveal the scores.")
        round_ = _round(meeting_id, round_id)
        if not round_.is_open:
            raise Refused("These scores are already revealed.", 409)
        shown = counted_scores(round_)
        if not shown:
            raise Refused("Nobody has scored yet, so there is nothing to reveal.", 409)
        round_.status, round_.revealed_at, round_.revealed_by_id = REVEALED, utcnow(), seat.id
        db.session.flush()  # the trail says the round was revealed, then what it showed
        trail.disclose(db.session, shown)  # the trail learns what the room now sees, no more
        return {"round": round_.id, "number": round_.number}
    return record_change(meeting_id, "scaling.round_revealed", change, actor=actor, key=key)


def reopen_round(meeting_id, actor, round_id, key=None):
    """The chair lets people change their scores again; they are hidden until the next reveal."""
    def change():
        _, seat = acting_seat(meeting_id, actor)
        _chair_only(seat, "Only the chair can reopen scoring.")
        round_ = _round(meeting_id, round_id)
        if round_.is_open:
            raise Refused("Scoring is already open for this round.", 409)
        current = open_round_of(meeting_id)
        if current is not None:
            raise Refused(f"Round {current.number} is open. Reveal it before reopening "
                          f"round {round_.number}.", 409)
        round_.status, round_.revealed_at, round_.revealed_by_id = OPEN, None, None
        return {"round": round_.id, "number": round_.number}
    return record_change(meeting_id, "scaling.round_reopened", change, actor=actor, key=key)


def _chair_only(seat, message):
    if seat.meeting_role != CHAIR:
        raise Refused(message, 403)


def _round(meeting_id, round_id):
    round_ = db.session.get(ScaleRound, round_id) if isinstance(round_id, int) else None
    if round_ is None or round_.meeting_id != meeting_id:
        raise Refused("That scaling round is not part of this meeting.", 404)
    return round_


def whole_number(value, scale):
    """A score from a form or a socket: a whole number on the scale, or a clear refusal."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,3}\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) \
            or not scale.minimum <= value <= scale.maximum:
        raise Refused(f"Choose a score from {scale.minimum} to {scale.maximum}.",
                      field="value")
    return value


def _save_score(seat, scale, value, reason, show_name, *, round_id, in_advance=False):
    number = whole_number(value, scale)
    why = clean_text(reason, label="a reason for your score", limit=REASON_LIMIT,
                     field="reason")
    score = db.session.scalar(db.select(Score).filter_by(
        meeting_id=seat.meeting_id, participant_id=seat.id, round_id=round_id))
    if score is None:
        score = Score(meeting_id=seat.meeting_id, round_id=round_id, participant_id=seat.id,
                      in_advance=in_advance)
        db.session.add(score)
    score.value, score.reason, score.updated_at = number, why, utcnow()
    # Only a young person chooses to be shown as "Young person"; everyone else gives a name. The
    # choice is theirs, not one score's: it applies to everything they add (meetings.labels).
    if seat.attends_as == YOUNG_PERSON:
        seat.show_name = bool(show_name)
    score.show_name = seat.show_name
    db.session.flush()
    return score


# ---- What people see -------------------------------------------------------------------------

def rounds_of(meeting_id):
    """The meeting's rounds, newest first."""
    return db.session.scalars(db.select(ScaleRound).filter_by(meeting_id=meeting_id)
                              .order_by(ScaleRound.number.desc())).all()


def open_round_of(meeting_id):
    return db.session.scalar(db.select(ScaleRound).filter_by(meeting_id=meeting_id, status=OPEN))


def first_round(meeting_id):
    return db.session.scalar(db.select(ScaleRound).filter_by(meeting_id=meeting_id, number=1))


def my_score(round_id, seat):
    """A person's own score in a round: shown to them alone."""
    return db.session.scalar(db.select(Score).filter_by(round_id=round_id,
                                                         participant_id=seat.id))


def advance_sent_at(seat):
    """When a score in advance was last sent: all its link shows of it before the reveal."""
    return db.session.scalar(db.select(Score.updated_at).filter_by(
        meeting_id=seat.meeting_id, participant_id=seat.id))


def round_view(round_):
    """What everyone may see of a round: who has scored, and the results only once revealed.
    Each person as the room names them (meetings.labels): `name` is their shown name,
    `room_label` what the projector shows, `role` what they attend as."""
    return round_views([round_])[0]


def round_views(rounds):
    """The round_view of each of one meeting's rounds, in their order. What the rounds share is
    read once, however many there are: the room's names, who is expected to score, and every
    round's counted scores (those of the round each is compared with included) in one query."""
    if not rounds:
        return []
    earlier = _earlier_revealed(rounds)
    scores = _counted_scores_of([*rounds, *earlier.values()])
    names, expected = room_now(rounds[0].meeting_id), _expected_to_score(rounds[0].meeting_id)
    return [_view(round_, scores, names, expected, earlier.get(round_.id)) for round_ in rounds]


def _view(round_, scores, names, expected, earlier):
    view = {"round": round_, "scale": round_.scale,
            "members": _members(scores[round_.id], names, expected)}
    view["scored"] = sum(1 for member in view["members"] if member["scored"])
    view["total"] = len(view["members"])
    view["results"] = (_results(round_, scores, names, earlier) if round_.is_revealed
                       else None)
    return view


def counted_scores(round_):
    """The scores that count: a person the chair removed from the meeting no longer counts."""
    return _counted_scores_of([round_])[round_.id]


def _counted_scores_of(rounds):
    """{round id: its counted scores, in the order given}, in one query for all the rounds."""
    found = {round_.id: [] for round_ in rounds}
    for score in db.session.scalars(db.select(Score).filter(Score.round_id.in_(found))
                                    .options(joinedload(Score.participant)).order_by(Score.id)):
        if score.participant.status != REMOVED:
            found[score.round_id].append(score)
    return found


def revealed_medians(meeting_ids):
    """{meeting id: (median, scale)} of each meeting's last revealed round, in one query for
    any number of meetings (the staff lists and a child's history show them side by side)."""
    if not meeting_ids:
        return {}
    last = (select(ScaleRound.meeting_id, func.max(ScaleRound.number).label("number"))
            .where(ScaleRound.meeting_id.in_(meeting_ids), ScaleRound.status == REVEALED)
            .group_by(ScaleRound.meeting_id).subquery())
    found = db.session.execute(
        select(ScaleRound.meeting_id, ScaleRound.scale_spec, Score.value)
        .join(last, (ScaleRound.meeting_id == last.c.meeting_id)
              & (ScaleRound.number == last.c.number))
        .join(Score, Score.round_id == ScaleRound.id)
        .join(Participant, Participant.id == Score.participant_id)
        .where(Participant.status != REMOVED))
    values, scales = {}, {}
    for meeting_id, spec, value in found:
        values.setdefault(meeting_id, []).append(value)
        scales[meeting_id] = spec
    return {meeting_id: (statistics.median(found), Scale(scales[meeting_id]))
            for meeting_id, found in values.items()}


def _expected_to_score(meeting_id):
    """Everyone in the meeting now who scores: admitted, not observing."""
    return db.session.scalars(
        db.select(Participant).filter_by(meeting_id=meeting_id, status=ADMITTED)
        .filter(Participant.meeting_role != OBSERVER)).all()


def _members(scores, names, expected):
    """Everyone expected to score and everyone whose score counts."""
    scored = {score.participant_id: score for score in scores}
    everyone = {p.id: p for p in expected}
    everyone.update({s.participant_id: s.participant for s in scored.values()})
    # A young person who asked to be shown as "Young person" is not named in the tally either.
    return [{"id": pid, "role": person.attends_as_label, "name": names[pid].shown,
             "room_label": names[pid].label,
             "scored": pid in scored, "in_advance": pid in scored and scored[pid].in_advance}
            for pid, person in sorted(everyone.items())]


def _results(round_, counted, names, earlier):
    """The revealed round's scores and their spread, with the movement since `earlier` (the
    last revealed round before it, if any); `counted` is {round id: counted scores}."""
    scale = round_.scale
    scores = sorted(counted[round_.id], key=lambda s: (s.value, s.id))
    values = [s.value for s in scores]
    if not values:  # everyone who scored was later removed from the meeting
        return None
    median = statistics.median(values)
    earlier_scores = counted[earlier.id] if earlier is not None else []
    before = {s.participant_id: s.value for s in earlier_scores}
    entries = [{"value": s.value, "label": scale.label(s.value),
                "name": names[s.participant_id].shown, "room_label": names[s.participant_id].label,
                "role": s.participant.attends_as_label, "reason": s.reason,
                "in_advance": s.in_advance, "was": before.get(s.participant_id)}
               for s in scores]
    results = {"scores": entries, "median": median, "low": values[0], "high": values[-1],
               "median_label": scale.label(int(median)) if median == int(median) else "",
               "chart": spread_chart(scale, values, median), "movement": None}
    if earlier_scores:
        earlier_median = statistics.median(s.value for s in earlier_scores)
        change = median - earlier_median
        results["movement"] = {"number": earlier.number, "median": earlier_median,
                               "change": change, "words": scale.describe_change(change)}
    return results


def _earlier_revealed(rounds):
    """{round id: the meeting's last revealed round before it}, for the revealed rounds of
    `rounds` that have one: one query, none when they are all the meeting's first round."""
    later = [round_ for round_ in rounds if round_.is_revealed and round_.number > 1]
    if not later:
        return {}
    revealed = db.session.scalars(
        db.select(ScaleRound).filter(ScaleRound.meeting_id == later[0].meeting_id,
                                     ScaleRound.number < max(r.number for r in later),
                                     ScaleRound.status == REVEALED)
        .order_by(ScaleRound.number)).all()
    found = {}
    for round_ in later:
        before = [r for r in revealed if r.number < round_.number]
        if before:
            found[round_.id] = before[-1]
    return found


def previous_result(meeting):
    """The last revealed round of the child's most recent earlier meeting, for comparison
    (read with that meeting and its type, which the results name)."""
    found = db.session.execute(
        db.select(ScaleRound, Meeting).join(Meeting, Meeting.id == ScaleRound.meeting_id)
        .filter(Meeting.child_id == meeting.child_id, Meeting.id != meeting.id,
                Meeting.scheduled_at <= meeting.scheduled_at, ScaleRound.status == REVEALED)
        .options(joinedload(Meeting.type))
        .order_by(Meeting.scheduled_at.desc(), ScaleRound.number.desc()).limit(1)).first()
    if found is None:
        return None
    earlier, earlier_meeting = found
    values = sorted(s.value for s in counted_scores(earlier))
    if not values:
        return None
    return {"meeting": earlier_meeting, "scale": earlier.scale,
            "number": earlier.number, "median": statistics.median(values), "low": values[0],
            "high": values[-1], "count": len(values)}


def panel(meeting, seat=None):
    """Everything the scaling part of a meeting page shows; `seat` adds that person's own
    scores (theirs alone) and, for the chair, the people sending scores in advance."""
    rounds = rounds_of(meeting.id)
    return {
        "rounds": [{"view": view,
                    "mine": my_score(r.id, seat) if seat is not None and r.is_open else None}
                   for r, view in zip(rounds, round_views(rounds))],
        "open_round": next((r for r in rounds if r.is_open), None),
        "previous": previous_result(meeting),
        "advance": in_advance_people(meeting.id)
        if seat is not None and seat.meeting_role == CHAIR else [],
    }


def in_advance_people(meeting_id):
    """The people sending views in advance, with whether their score has arrived (one query)."""
    sent = (db.select(Score.id).where(Score.meeting_id == meeting_id, Score.in_advance,
                                      Score.participant_id == Participant.id).exists())
    return [(person, arrived) for person, arrived in db.session.execute(
        db.select(Participant, sent).filter_by(meeting_id=meeting_id, status=IN_ADVANCE)
        .order_by(Participant.id))]
