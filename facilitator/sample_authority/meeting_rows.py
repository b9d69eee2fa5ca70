"""One meeting's rows, from its set-up to its documents, written as the services would have:
each change with its event (in time order, so `seq` follows the clock) and its audit entries.

A closed meeting ran its agenda item by item; cards went up while their column was on, the
scaling round opened and was revealed in its item, the actions were agreed and confirmed, the
decision recorded, then the chair closed the meeting and issued its documents. An open meeting
(ahead of today) has been set up, and may have people invited to send their views in advance.
"""
import hashlib
import re
from datetime import date, timedelta

from facilitator import clock
from facilitator.actions import services as action_rules
from facilitator.actions.models import (
    BEFORE_REVIEW,
    CARERS_RECORD,
    CHILDS_PLAN,
    DONE,
    NOT_DONE,
    ON_DATE,
    ONGOING,
    OPEN,
    OTHER_AGENCY,
    PLACEMENT_SUPPORT,
    PROPOSED,
    WEEKS,
    WORKING_DAYS,
)
from facilitator.agenda.phases import item_kind
from facilitator.documents.models import (
    ACTIONS_SHEET,
    EMAIL,
    IN_APP,
    KINDS,
    MINUTES,
    PANEL_AGENDA,
    PANEL_OUTCOMES,
    SENT,
)
from facilitator.meetings.models import (
    ADMITTED,
    ATTENDS_AS,
    CHAIR,
    CHAIR_ATTENDS_AS,
    CLOSED,
    DECLINED,
    IN_ADVANCE,
    LOBBY,
    MINUTE_TAKER,
    PARTICIPANT,
    TAKES_MINUTES,
    YOUNG_PERSON,
)
from facilitator.panels.models import DIRECTIONS
from facilitator.panels.services import LEAD_PERSON, deadlines, follow_up_due, outcome_choices
from facilitator.sample_authority import sizes, words
from facilitator.scaling.models import REVEALED
from facilitator.stability.models import INVOLVEMENT

DOMAIN = "county.example.org"
PANEL_TYPE = "step_up_step_down"
LABELS = {**ATTENDS_AS, **CHAIR_ATTENDS_AS}
# Who else comes, besides the carers: (attends as, how often).
GUESTS = [("young_person", 0.45), ("iro", 0.3), ("school", 0.4), ("camhs", 0.25),
          ("placement_support", 0.2)]
SOCKET_EVENTS = {"card.added", "card.edited", "card.moved", "card.removed", "scaling.scored",
                 "actions.proposed", "actions.confirmed", "decisions.view_added",
                 "decisions.offer_saved", "agenda.changed"}


def plain(value):
    """A value as the audit trail stores it (audit.trail: dates as ISO text)."""
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    return value


def minimal_pdf(title):
    """A small, valid one-page PDF naming the document: the issued record's stand-in."""
    text = title.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(")
    text = text.replace(b")", b"\\)")
    stream = b"BT /F1 12 Tf 56 780 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


class Seat:
    """A participant as the generator tracks it while it writes a meeting."""

    __slots__ = ("row", "id", "name", "attends_as", "user_id")

    def __init__(self, row):
        self.row, self.id, self.name = row, row["id"], row["name"]
        self.attends_as, self.user_id = row["attends_as"], row["user_id"]

    @property
    def label(self):
        return LABELS.get(self.attends_as, "Other")

    @property
    def who(self):
        """The audit trail's actor: the signed-in member of staff (if any), the seat, its label."""
        return (self.user_id, self.id, f"{self.name} ({self.label})")

    def payload(self):
        """meetings.services.participant_payload, as the row stands now."""
        row = self.row
        return {"id": self.id, "meeting_id": row["meeting_id"], "name": self.name,
                "attends_as": self.attends_as, "attends_as_label": self.label,
                "meeting_role": row["meeting_role"], "status": row["status"],
                "user_id": self.user_id, "takes_minutes": self.attends_as in TAKES_MINUTES}


def initials(name):
    """meetings.models.Child.initials, for a name not yet in a row."""
    parts = [p for p in re.split(r"\s+", name.strip()) if p]
    chosen = parts if len(parts) == 1 else [parts[0], parts[-1]]
    return "".join(f"{p[0].upper()}." for p in chosen)


class MeetingWriter:
    def __init__(self, world, plan):
        self.w, self.plan, self.rng = world, plan, world.rng
        self.type = world.types[plan["type"]]
        self.rules = self.type["rules"]
        self.child = plan["child"]
        self.events = []
        self.seats = []
        self.names = world.names(self.child) if not self.is_panel else {"name": "", "carer": ""}

    @property
    def is_panel(self):
        return self.plan["type"] == PANEL_TYPE

    # ---- Recording -------------------------------------------------------------------------

    def event(self, at, kind, payload, actor=None):
        self.events.append((at, len(self.events), kind, payload, actor))

    def put(self, table, row):
        self.w.put(table, row)

    def created(self, at, who, table, row, **options):
        self.w.created(at, who, table, row, meeting_id=self.id, **options)

    def changed(self, at, who, table, row, **after):
        self.w.changed(at, who, table, row, meeting_id=self.id, **after)

    def seat(self, at, name, attends_as, *, user=None, role=PARTICIPANT, status=LOBBY):
        row = {"id": self.w.next_id("participants"), "meeting_id": self.id,
               "user_id": user["id"] if user else None, "name": name, "attends_as": attends_as,
               "meeting_role": role, "status": status, "token": self.w.token(), "joined_at": at,
               "attendance": None, "email": None, "show_name": attends_as != YOUNG_PERSON}
        self.put("participants", row)
        seat = Seat(row)
        self.seats.append(seat)
        return seat

    # ---- The meeting -------------------------------------------------------------------------

    def write(self):
        plan, w = self.plan, self.w
        self.id = plan["id"]
        created_at = plan["created_at"]
        self.chair_user = plan["chair"]
        staff = w.staff_who(self.chair_user)
        join_code = None
        while join_code is None or join_code in w.join_codes:
            join_code = "".join(self.rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
                                for _ in range(6))
        w.join_codes.add(join_code)
        venue = (self.child["panel"]["locality"]["venue"] if self.is_panel else
                 w.localities[(self.child["team_id"] - 1) % len(w.localities)]["venue"])
        location = venue if self.is_panel else self.rng.choice(words.ROOMS).format(venue=venue)
        self.row = {"id": self.id, "type_code": plan["type"], "child_id": self.child["id"],
                    "scheduled_at": plan["scheduled_at"], "location": location,
                    "status": "open", "join_code": join_code, "projector_token": w.token(),
                    "last_seq": 0, "created_by_id": self.chair_user["id"],
                    "created_at": created_at, "immediate_risk": plan["immediate_risk"],
                    "due_by": plan["due_by"], "current_item_id": None, "on_screen": None}
        self.created(created_at, staff, "meetings", self.row)
        self.put("meetings", self.row)
        self.items = []
        for number, entry in enumerate(self.type["agenda"], start=1):
            kind, column = item_kind(entry, self.type["columns"])
            self.items.append(self.agenda_item(created_at, staff, number * 10, entry["title"],
                                               entry["minutes"] * 60, kind, column))
        self.chair = self.seat(created_at, self.chair_user["name"], "chair", user=self.chair_user,
                               role=CHAIR, status=ADMITTED)
        self.created(created_at, staff, "participants", self.chair.row)
        w.audit(created_at, staff, "changed", "meetings", self.id, {"last_seq": [0, 1]}, self.id)
        payload = {"type": plan["type"], "case_reference": self.child["case_reference"],
                   "chair": self.chair.id}
        if plan["concern"] is not None:
            payload.update(concern=plan["concern"]["id"], suggested=self.suggested())
        if self.is_panel:
            panel = self.child["panel"]
            payload.update(series=panel["series"]["id"], panel_date=panel["day"].isoformat())
            link = {"id": w.next_id("panel_meetings"), "series_id": panel["series"]["id"],
                    "panel_date": panel["day"], "meeting_id": self.id}
            self.put("panel_meetings", link)
            self.created(created_at, staff, "panel_meetings", link)
        self.event(created_at, "meeting.created", payload, self.chair)
        self.invite_in_advance(created_at)
        if self.is_panel:
            self.book_cases(created_at)
        if not plan["open"]:
            self.hold()
        self.write_events()

    def agenda_item(self, at, who, position, title, seconds, kind, column=None):
        row = {"id": self.w.next_id("agenda_items"), "meeting_id": self.id,
               "position": position, "title": title, "kind": kind, "board_column": column,
               "planned_seconds": seconds, "extended_seconds": 0, "started_at": None,
               "ended_at": None, "paused_at": None, "paused_seconds": 0.0}
        self.created(at, who, "agenda_items", row)
        self.put("agenda_items", row)
        return row

    def suggested(self):
        """stability.services.suggested_attendees, from the concern as planned."""
        concern = self.plan["concern"]
        people = ["{} ({})".format(*concern["raised_by"])]
        if concern["fields"]["involvement"] not in (None, "none"):
            people.append(f"{concern['involvement_worker']} "
                          f"({INVOLVEMENT[concern['fields']['involvement']]})")
        worker = next(u for u in self.w.users if u["id"] == self.child["worker_id"]) \
            if self.child["worker_id"] else None
        if worker:
            people.append(f"{worker['name']} (named worker)")
        return people + [role["who"] for role in self.type["roles"]
                         if role.get("expect") == "attend"]

    def invite_in_advance(self, created_at):
        """People who cannot come send a score and reason through their personal link."""
        if self.is_panel or not self.chance(0.3):
            return
        start = self.plan["scheduled_at"]
        self.advance = []
        for attends_as in self.rng.sample(("iro", "school", "camhs"), self.rng.randint(1, 2)):
            at = min(self.w.minutes(created_at, 60, 48 * 60), start - timedelta(minutes=90))
            if at >= self.w.now:
                continue
            person = self.seat(at, self.w.person(), attends_as, status=IN_ADVANCE)
            self.created(at, self.chair.who, "participants", person.row)
            self.event(at, "participant.invited", {"participant": person.payload()}, self.chair)
            sent = self.w.minutes(at, 60, max(61, int((start - at).total_seconds() // 60) - 30))
            if sent < self.w.now and self.chance(0.7):
                score = self.score(sent, person, None, in_advance=True)
                self.event(sent, "scaling.sent_in_advance",
                           {"participant": person.id, "round": None}, person)
                self.advance.append(score)

    def chance(self, p):
        return self.rng.random() < p

    # ---- Holding it --------------------------------------------------------------------------

    def hold(self):
        start = self.plan["scheduled_at"]
        self.gather(start)
        self.run_agenda(start)
        self.write_cards()
        self.scaling()
        if self.is_panel:
            self.decide_cases()
        self.decision()
        self.voices()
        self.write_actions()
        self.close()
        self.issue_documents()

    def gather(self, start):
        """Staff and guests join from their phones and the chair lets them in."""
        w, child = self.w, self.child
        people = []
        if self.is_panel:
            locality = self.child["panel"]["locality"]["id"]
            teams = [t for t in w.teams if t["locality_id"] == locality]
            team = self.rng.choice(teams)
            people += [(w.team_staff(team["id"], sizes.TEAM_MANAGER)[0], "other"),
                       (w.team_staff(team["id"], "Business support officer")[0], "other")]
            guests = [("Health representative", "other"), ("Education representative", "school")]
            people += [(None, attends_as, f"{w.person()}") for _, attends_as in guests]
        else:
            team = child["team_id"]
            worker = next(u for u in w.users if u["id"] == child["worker_id"])
            if self.chance(0.9) and worker is not self.chair_user:
                people.append((worker, "childs_social_worker"))
            if self.chance(0.8):
                people.append((self.rng.choice(w.team_staff(team, "Supervising social worker")),
                               "supervising_social_worker"))
            if self.chance(0.35):
                people.append((w.team_staff(team, "Business support officer")[0], "other"))
            for _ in range(self.rng.randint(1, 2)):
                first = self.rng.choice(words.ADULT_FIRST_NAMES)
                people.append((None, "carer", f"{first} {child['carers']}"))
            low, high = sizes.PER_MEETING["guests"]
            wanted = self.rng.randint(low, high) - len([p for p in people if p[0] is None])
            for attends_as, share in GUESTS:
                if wanted > 0 and self.chance(share):
                    name = child["name"] if attends_as == YOUNG_PERSON else w.person()
                    people.append((None, attends_as, name))
                    wanted -= 1
        self.present = [self.chair]
        for entry in people:
            user, attends_as = entry[0], entry[1]
            name = user["name"] if user else entry[2]
            if user is not None and user is self.chair_user:
                continue
            at = w.minutes(start, -12, 4)
            seat = self.seat(at, name, attends_as, user=user)
            who = w.staff_who(user) if user else (None, None, "the system")
            self.created(at, who, "participants", seat.row)
            self.event(at, "participant.waiting", {"participant": seat.payload()})
            admitted = w.minutes(at, 0, 3)
            if self.chance(0.015):
                self.changed(admitted, self.chair.who, "participants", seat.row, status=DECLINED)
                self.event(admitted, "participant.declined", {"participant": seat.payload()},
                           self.chair)
                continue
            self.changed(admitted, self.chair.who, "participants", seat.row, status=ADMITTED)
            self.event(admitted, "participant.admitted", {"participant": seat.payload()},
                       self.chair)
            self.present.append(seat)
            if attends_as == "other" and user is not None and user["job_title"].startswith(
                    "Business support") and not any(s.row["meeting_role"] == MINUTE_TAKER
                                                    for s in self.present):
                at = w.minutes(admitted, 0, 2)
                self.changed(at, self.chair.who, "participants", seat.row,
                             meeting_role=MINUTE_TAKER)
                self.event(at, "participant.role_changed", {"participant": seat.payload()},
                           self.chair)

    def runs(self, seat):
        return seat.row["meeting_role"] in (CHAIR, MINUTE_TAKER)

    def run_agenda(self, start):
        """The chair starts the agenda and moves on item by item (agenda.services.move)."""
        w, chair = self.w, self.chair
        at = w.minutes(start, 0, 4)
        self.windows = {}
        previous = None
        for item in sorted(self.items, key=lambda i: i["position"]):
            self.changed(at, chair.who, "agenda_items", item, started_at=at)
            self.changed(at, chair.who, "meetings", self.row, current_item_id=item["id"])
            self.event(at, "agenda.changed", {"action": "next" if previous else "start",
                                              "item": item["id"],
                                              "from": previous["id"] if previous else None},
                       chair)
            seconds = item["planned_seconds"] * self.rng.uniform(0.75, 1.2)
            if self.chance(0.08):
                extra = 300
                when = at + timedelta(seconds=seconds * 0.8)
                extension = {"id": w.next_id("agenda_extensions"), "item_id": item["id"],
                             "seconds": extra, "reason": self.rng.choice(words.EXTENSION_REASONS),
                             "by_id": chair.id, "at": when}
                self.put("agenda_extensions", extension)
                self.created(when, chair.who, "agenda_extensions", extension)
                self.changed(when, chair.who, "agenda_items", item,
                             extended_seconds=item["extended_seconds"] + extra)
                self.event(when, "agenda.changed", {"action": "extend", "item": item["id"],
                                                    "minutes": extra // 60}, chair)
                seconds += extra * self.rng.uniform(0.5, 1)
            end = at + timedelta(seconds=int(seconds))
            self.windows[item["id"]] = (at, end)
            self.changed(end, chair.who, "agenda_items", item, ended_at=end)
            previous, at = item, end
        self.changed(at, chair.who, "meetings", self.row, current_item_id=None)
        self.event(at, "agenda.changed", {"action": "next", "item": None,
                                          "from": previous["id"]}, chair)
        self.ended = at

    def window(self, *kinds, column=None):
        """The time an item of one of these kinds ran (for a column: that column's item)."""
        for item in sorted(self.items, key=lambda i: i["position"]):
            if item["kind"] in kinds and (column is None or item["board_column"] == column):
                return self.windows[item["id"]]
        return None

    def during(self, span):
        start, end = span
        return start + timedelta(seconds=self.rng.uniform(30, max(31, (end - start)
                                                               .total_seconds() - 30)))

    def anyone(self, guests_first=True):
        people = [s for s in self.present if s.row["status"] == ADMITTED]
        if guests_first and len(people) > 1 and self.chance(0.75):
            return self.rng.choice(people[1:])
        return self.rng.choice(people)

    # ---- The board -------------------------------------------------------------------------

    def card_payload(self, card, author):
        return {"id": card["id"], "column": card["column"], "position": card["position"],
                "text": card["text"], "version": card["version"], "author_id": author.id,
                "author_name": author.name, "author_role": author.label}

    def write_cards(self):
        w = self.w
        columns = [c["key"] for c in self.type["columns"]]
        low, high = sizes.PER_MEETING["cards"]
        adds = []
        whole = (self.plan["scheduled_at"], self.ended)
        cases = [self.windows[i["id"]] for i in self.items if i["kind"] == "case"]
        for _ in range(self.rng.randint(low, high)):
            column = self.rng.choice(columns)
            span = (self.window("column", column=column) or self.window("board", "actions")
                    or (self.rng.choice(cases) if cases else None) or whole)
            adds.append((self.during(span), column, self.anyone()))
        adds.sort(key=lambda a: a[0])
        cards, positions, by_author = [], {}, {}
        for at, column, author in adds:
            position = positions.get(column, 0) + 1
            positions[column] = position
            card = {"id": w.next_id("cards"), "meeting_id": self.id, "column": column,
                    "position": position, "text": w.card_text(column, self.names),
                    "author_id": author.id, "version": 1, "created_at": at, "updated_at": at,
                    "removed_at": None, "removed_by_id": None}
            self.put("cards", card)
            self.created(at, author.who, "cards", card)
            self.event(at, "card.added", {"card": self.card_payload(card, author)}, author)
            cards.append(card)
            by_author[card["id"]] = author
        changes = []
        for card in cards:
            if self.chance(0.12):
                changes.append((self.w.minutes(card["created_at"], 1, 20), "edit", card))
            if self.chance(0.04):
                changes.append((self.w.minutes(card["created_at"], 1, 25), "move", card))
            elif self.chance(0.03):
                changes.append((self.w.minutes(card["created_at"], 2, 30), "remove", card))
        for at, what, card in sorted(changes, key=lambda c: (c[0], c[2]["id"])):
            at = min(at, self.ended)
            author = by_author[card["id"]]
            if card["removed_at"] is not None:
                continue
            if what == "edit":
                editor = author if self.chance(0.6) else self.chair
                self.changed(at, editor.who, "cards", card,
                             text=w.card_text(card["column"], self.names),
                             version=card["version"] + 1, updated_at=at)
                self.event(at, "card.edited", {"card": self.card_payload(card, author)}, editor)
            elif what == "remove":
                remover = author if self.chance(0.5) else self.chair
                self.changed(at, remover.who, "cards", card, removed_at=at,
                             removed_by_id=remover.id)
                self.event(at, "card.removed", {"card": self.card_payload(card, author),
                                                "removed_by": remover.id}, remover)
            else:
                self.move_card(at, card, cards, author, columns)

    def move_card(self, at, card, cards, author, columns):
        """board.services.move_card: to the end of another column, that column renumbered."""
        others = [c for c in columns if c != card["column"]]
        if not others:
            return
        source, target = card["column"], self.rng.choice(others)

        def order(column):
            return [c for c in sorted(cards, key=lambda c: (c["position"], c["id"]))
                    if c["column"] == column and c["removed_at"] is None and c is not card]

        target_cards = order(target) + [card]
        self.changed(at, self.chair.who, "cards", card, column=target,
                     position=len(target_cards))
        for position, moved in enumerate(target_cards, start=1):
            self.changed(at, self.chair.who, "cards", moved, position=position)
        payload = {"card": self.card_payload(card, author),
                   "order": {target: [c["id"] for c in target_cards],
                             source: [c["id"] for c in order(source)]}}
        self.event(at, "card.moved", payload, self.chair)

    # ---- Scaling ---------------------------------------------------------------------------

    def score(self, at, seat, round_id, in_advance=False):
        w, spec = self.w, self.type["scale"]
        low, high = spec["min"], spec["max"]
        stable = self.child.get("stability", 0.6)
        centre = low + stable * (high - low) if spec.get("stable_end") == "high" else \
            high - stable * (high - low)
        value = round(centre + self.rng.gauss(0, (high - low) / 8))
        row = {"id": w.next_id("scores"), "meeting_id": self.id, "round_id": round_id,
               "participant_id": seat.id, "value": max(low, min(high, value)),
               "reason": w.say(words.SCORE_REASONS, **self.names), "show_name": seat.row[
                   "show_name"], "in_advance": in_advance, "created_at": at, "updated_at": at}
        self.put("scores", row)
        self.created(at, seat.who, "scores", row, private=("value", "reason"))
        return row

    def scaling(self):
        """One round, opened by the chair, scored by four to eight people, then revealed."""
        w, chair = self.w, self.chair
        span = self.window("scaling") or (
            self.windows[next(i["id"] for i in self.items if i["kind"] == "case")]
            if self.is_panel and any(i["kind"] == "case" for i in self.items) else None) or \
            (self.plan["scheduled_at"], self.ended)
        opened = span[0] + timedelta(seconds=60)
        closing = max(opened + timedelta(minutes=3), span[1] - timedelta(seconds=60))
        round_ = {"id": w.next_id("scale_rounds"), "meeting_id": self.id, "number": 1,
                  "question": self.type["scale"]["question"], "scale_spec": self.type["scale"],
                  "status": "open", "opened_at": opened, "opened_by_id": chair.id,
                  "revealed_at": None, "revealed_by_id": None}
        self.put("scale_rounds", round_)
        self.created(opened, chair.who, "scale_rounds", round_)
        scores = list(getattr(self, "advance", []))
        for score in scores:  # scores sent in advance join the first round (a bulk update)
            score["round_id"] = round_["id"]
        self.event(opened, "scaling.round_opened", {"round": round_["id"], "number": 1}, chair)
        low, high = sizes.PER_MEETING["scores"]
        people = [s for s in self.present if s.row["status"] == ADMITTED]
        wanted = max(0, self.rng.randint(low, high) - len(scores))
        for seat in self.rng.sample(people, min(wanted, len(people))):
            at = opened + (closing - opened) * self.rng.uniform(0.1, 0.85)
            score = self.score(at, seat, round_["id"])
            self.event(at, "scaling.scored", {"round": round_["id"], "participant": seat.id},
                       seat)
            if self.chance(0.1):  # changed their mind before the reveal
                later = at + (closing - at) * self.rng.uniform(0.2, 0.9)
                value = max(self.type["scale"]["min"], min(self.type["scale"]["max"],
                                                           score["value"] + 1))
                w.audit(later, seat.who, "changed", "scores", score["id"],
                        {"value": ["(private until shown to the meeting)"] * 2,
                         "updated_at": [plain(score["updated_at"]), plain(later)]}, self.id)
                score["value"], score["updated_at"] = value, later
                self.event(later, "scaling.scored", {"round": round_["id"],
                                                     "participant": seat.id}, seat)
            scores.append(score)
        if not scores:
            return
        self.changed(closing, chair.who, "scale_rounds", round_, status=REVEALED,
                     revealed_at=closing, revealed_by_id=chair.id)
        for score in sorted(scores, key=lambda s: s["id"]):  # audit.trail.disclose
            w.audit(closing, chair.who, "revealed", "scores", score["id"],
                    {"value": [None, score["value"]], "reason": [None, score["reason"]]},
                    self.id)
        self.event(closing, "scaling.round_revealed", {"round": round_["id"], "number": 1},
                   chair)

    # ---- Decision, views, offers -----------------------------------------------------------

    def decision(self):
        """The chair records the decision, the review date, monitoring and who is told."""
        w, chair, rules = self.w, self.chair, self.rules
        self.decided_at = None
        if not self.plan["decided"] or self.is_panel:
            return
        span = self.window("decision") or self.window("close", "actions") or (
            self.ended - timedelta(minutes=5), self.ended)
        at = span[0] + timedelta(seconds=60)
        outcomes = rules.get("decision", {}).get("outcomes", {})
        outcome = approval = None
        if outcomes:
            weights = {"maintain": 78, "planned_move": 14, "emergency": 8}
            keys = list(outcomes)
            outcome = self.rng.choices(keys, [weights.get(k, 5) for k in keys])[0]
            if outcomes[outcome].get("needs_approval"):
                approval = self.rng.choice(list(rules["decision"]["approvers"]))
        notifications = {}
        for entry in rules.get("notify", []):
            needed = self.chance(0.9 if entry["key"] == "iro" else 0.3)
            notifications[entry["key"]] = {"needed": needed, "done_at": None, "by": None}
        row = {"id": w.next_id("decisions"), "meeting_id": self.id, "outcome": outcome,
               "approval_by": approval,
               "rationale": w.say(words.RATIONALES, **self.names) if outcome else None,
               "review_date": self.plan["review_date"],
               "monitoring_days": self.plan.get("monitoring_days")
               if rules.get("monitoring") else None,
               "notifications": notifications, "recorded_by_id": chair.id, "recorded_at": at,
               "updated_at": at}
        self.put("decisions", row)
        self.created(at, chair.who, "decisions", row)
        self.event(at, "decisions.recorded", {
            "decision": row["id"], "redated": [],
            "review_date": row["review_date"].isoformat() if row["review_date"] else None},
            chair)
        self.decided_at = at
        for key, entry in notifications.items():
            if entry["needed"] and self.chance(0.75):
                when = w.minutes(at, 1, 60 * 24 * 2)
                if when >= w.now:
                    continue
                ticked = {**row["notifications"], key: {
                    "needed": True, "done_at": when.isoformat(timespec="seconds"),
                    "by": chair.name}}
                self.changed(when, chair.who, "decisions", row, notifications=ticked)
                self.event(when, "decisions.notified", {"decision": row["id"], "kind": key},
                           chair)

    def voices(self):
        """The child's views (seed 004) and one offer per agency, in their agenda items."""
        w = self.w
        span = self.window("childs_views")
        if span:
            young = next((s for s in self.present if s.attends_as == YOUNG_PERSON), None)
            for _ in range(self.rng.randint(*sizes.PER_MEETING["views"])):
                at = self.during(span)
                by = young or self.anyone()
                source = "child" if young else self.rng.choice(("advocate", "observed"))
                row = {"id": w.next_id("child_views"), "meeting_id": self.id, "source": source,
                       "text": w.say(words.CHILD_VIEWS, **self.names), "added_by_id": by.id,
                       "added_at": at}
                self.put("child_views", row)
                self.created(at, by.who, "child_views", row)
                self.event(at, "decisions.view_added", {"view": row["id"]}, by)
        span = self.window("offers")
        if span:
            count = self.rng.randint(*sizes.PER_MEETING["offers"])
            for agency in self.rng.sample(words.AGENCIES, min(count, len(words.AGENCIES))):
                at, by = self.during(span), self.anyone()
                row = {"id": w.next_id("agency_offers"), "meeting_id": self.id,
                       "agency": agency, "agency_key": agency.casefold(),
                       "offer": w.say(words.OFFERS, **self.names), "added_by_id": by.id,
                       "updated_at": at}
                self.put("agency_offers", row)
                self.created(at, by.who, "agency_offers", row)
                self.event(at, "decisions.offer_saved", {"offer": row["id"]}, by)

    # ---- Stability Actions -----------------------------------------------------------------

    def timescale(self, at):
        """(kind, number, on date, due date), as actions.services works the due date out."""
        day = clock.to_london(self.plan["scheduled_at"]).date()
        review = self.plan["review_date"] if self.decided_at and at > self.decided_at else None
        kind = self.rng.choices((WORKING_DAYS, WEEKS, BEFORE_REVIEW, ONGOING, ON_DATE),
                                (30, 35, 15 if review else 0, 10, 10))[0]
        number = on_date = None
        if kind == WORKING_DAYS:
            number = self.rng.choice((1, 2, 5, 5, 10, 10, 15, 20))
        elif kind == WEEKS:
            number = self.rng.choice((1, 2, 2, 4, 4, 6, 8))
        elif kind == ON_DATE:
            on_date = day + timedelta(days=self.rng.randint(10, 60))
        due = action_rules.due_date(kind, meeting_day=day, number=number, on_date=on_date,
                                    review_date=review)
        return kind, number, due

    def write_actions(self):
        w, chair = self.w, self.chair
        span = self.window("actions", "close") or self.window("decision") or \
            (self.ended - timedelta(minutes=8), self.ended)
        people = [s for s in self.present if s.row["status"] == ADMITTED]
        for _ in range(self.rng.randint(*sizes.PER_MEETING["actions"])):
            at = self.during(span)
            by = self.anyone()
            kind, number, due = self.timescale(at)
            destination = self.rng.choices(
                (CHILDS_PLAN, CARERS_RECORD, PLACEMENT_SUPPORT, OTHER_AGENCY), (50, 25, 15, 10))[0]
            owner = self.rng.choice(people) if self.chance(0.75) else None
            row = {"id": w.next_id("actions"), "meeting_id": self.id,
                   "child_id": self.child["id"], "what": w.say(words.ACTIONS, **self.names),
                   "owner_participant_id": owner.id if owner else None,
                   "owner_name": None if owner else self.rng.choice(words.AGENCIES),
                   "timescale": kind, "timescale_number": number, "due_on": due,
                   "destination": destination,
                   "agency": self.rng.choice(words.AGENCIES) if destination == OTHER_AGENCY
                   else None, "for_iro": self.chance(0.1), "status": PROPOSED,
                   "status_note": None, "status_set_at": None, "status_set_by_id": None,
                   "proposed_by_id": by.id, "proposed_at": at, "confirmed_by_id": None,
                   "confirmed_at": None}
            confirmer, confirmed_at = None, None
            if self.runs(by):
                row.update(status=OPEN, confirmed_by_id=by.id, confirmed_at=at)
            elif self.chance(0.97):
                confirmer, confirmed_at = chair, min(w.minutes(at, 1, 3), span[1])
            self.put("actions", row)
            self.created(at, by.who, "actions", row)
            self.event(at, "actions.proposed", self.action_payload(row), by)
            if confirmer is not None:
                self.changed(confirmed_at, chair.who, "actions", row, status=OPEN,
                             confirmed_by_id=chair.id, confirmed_at=confirmed_at)
                self.event(confirmed_at, "actions.confirmed", self.action_payload(row), chair)
            if row["status"] == OPEN:
                self.fate(row)

    @staticmethod
    def action_payload(row):
        return {"action": row["id"], "status": row["status"],
                "due_on": row["due_on"].isoformat() if row["due_on"] else None}

    def fate(self, row):
        """Done, not done, or still open (its due date may have passed): set later from the
        Child's Plan by the chair, recorded on the action's own meeting."""
        w = self.w
        fate = self.rng.choices(list(sizes.ACTION_FATES), list(sizes.ACTION_FATES.values()))[0]
        if fate == "open" and self.plan["scheduled_at"] < w.now - timedelta(days=180) \
                and self.chance(0.85):
            fate = "done"  # an old action left open is the exception: most were seen to
        if fate == "open":
            return
        start = self.ended
        due = row["due_on"] or (clock.to_london(start).date() + timedelta(days=60))
        days = max(1, (due - clock.to_london(start).date()).days)
        days = int(days * (self.rng.uniform(0.3, 1.0) if self.chance(0.85) else
                           self.rng.uniform(1.0, 1.6)))
        at = w.at_work(w.working_day(clock.to_london(start).date() + timedelta(days=days)))
        if at <= start or at >= w.now:
            return
        status = DONE if fate == "done" else NOT_DONE
        note = w.say(words.ACTION_NOTES[fate], **self.names)
        self.changed(at, self.chair.who, "actions", row, status=status, status_note=note,
                     status_set_at=at, status_set_by_id=self.chair.id)
        self.event(at, "actions.status_set", {**self.action_payload(row),
                                              "from_meeting": self.id}, self.chair)

    # ---- A panel's cases -------------------------------------------------------------------

    def book_cases(self, created_at):
        """The chair books the cases in the days before the panel (panels.services.add_case)."""
        w, chair = self.w, self.chair
        starts = self.plan["scheduled_at"]
        due = deadlines(self.rules, starts)
        closing = max(self.items, key=lambda i: i["position"])
        self.slots = []
        for number in range(1, self.rng.randint(*sizes.PER_MEETING["cases"]) + 1):
            at = w.minutes(created_at, 30, max(31, int((starts - created_at).total_seconds()
                                                       // 60) - 120))
            if at >= w.now:
                break
            child = w.any_child()
            direction = self.rng.choice(tuple(DIRECTIONS))
            lead = w.person() if direction == "down" and self.chance(0.8) else None
            papers = None
            if self.chance(0.95):
                papers = due["papers_due"] - timedelta(hours=self.rng.randint(2, 120))
                if self.chance(0.12):
                    papers = due["papers_due"] + timedelta(hours=self.rng.randint(2, 100))
                papers = min(papers, starts - timedelta(hours=1), w.now - timedelta(hours=1))
            position = closing["position"]
            self.changed(at, chair.who, "agenda_items", closing, position=position + 10)
            item = self.agenda_item(at, chair.who, position,
                                    f"Case {number}: {initials(child['name'])}, "
                                    f"{DIRECTIONS[direction]}",
                                    self.rules["slot_minutes"] * 60, "case")
            self.items.append(item)
            keys = {c["key"] for c in self.rules["criteria"].get(direction, [])}
            slot = {"id": w.next_id("case_slots"), "meeting_id": self.id, "number": number,
                    "agenda_item_id": item["id"], "child_id": child["id"],
                    "direction": direction,
                    "presenting_worker": next(u["name"] for u in w.users
                                              if u["id"] == child["worker_id"]),
                    "lead_person": lead, "papers_received_at": papers,
                    "criteria": {LEAD_PERSON: True} if lead and LEAD_PERSON in keys else {},
                    "outcome": None, "rationale": None, "decided_at": None,
                    "decided_by_id": None, "added_by_id": chair.id, "created_at": at}
            self.put("case_slots", slot)
            self.created(at, chair.who, "case_slots", slot)
            self.event(at, "panel.case_added", {
                "slot": slot["id"], "number": number, "direction": direction,
                "case_reference": child["case_reference"], "agenda_item": item["id"]}, chair)
            self.slots.append(slot)
        agenda_out = due["agenda_out"]
        if agenda_out < w.now and self.slots:
            self.document(agenda_out, PANEL_AGENDA)

    def decide_cases(self):
        w, chair = self.w, self.chair
        for slot in self.slots:
            span = self.windows[slot["agenda_item_id"]]
            criteria = dict(slot["criteria"])
            for criterion in self.rules["criteria"].get(slot["direction"], []):
                if criterion["key"] not in criteria and self.chance(0.8):
                    at = self.during(span)
                    criteria[criterion["key"]] = True
                    self.changed(at, chair.who, "case_slots", slot, criteria=dict(criteria))
                    self.event(at, "panel.criterion_set", {"slot": slot["id"],
                                                           "criterion": criterion["key"],
                                                           "met": True}, chair)
            choices = list(outcome_choices(self.rules, slot["direction"]))
            outcome = self.rng.choice(choices)
            decided = span[1] - timedelta(seconds=30)
            follow = []
            for rule in self.rules["outcomes"][outcome].get("follow_ups", []):
                due_at, words_, whole_day = follow_up_due(rule, decided)
                row = {"id": w.next_id("follow_ups"), "slot_id": slot["id"],
                       "what": rule["what"], "due_at": due_at, "rule": words_,
                       "whole_day": whole_day}
                self.put("follow_ups", row)
                self.w.created(decided, chair.who, "follow_ups", row, meeting_id=self.id)
                follow.append({"what": row["what"], "due_at": due_at.isoformat()})
            self.changed(decided, chair.who, "case_slots", slot, outcome=outcome,
                         rationale=self.rng.choice(words.PANEL_RATIONALES), decided_at=decided,
                         decided_by_id=chair.id)
            self.event(decided, "panel.outcome_recorded", {"slot": slot["id"],
                                                           "outcome": outcome,
                                                           "follow_ups": follow}, chair)
            if self.chance(0.05):
                by = self.anyone()
                row = {"id": w.next_id("disagreements"), "slot_id": slot["id"],
                       "who": f"{by.name} ({by.label})",
                       "what": self.rng.choice(words.DISAGREEMENTS), "outcome": outcome,
                       "recorded_by_id": by.id, "recorded_at": decided + timedelta(seconds=20)}
                self.put("disagreements", row)
                self.created(row["recorded_at"], by.who, "disagreements", row)
                self.event(row["recorded_at"], "panel.disagreement_recorded",
                           {"slot": slot["id"], "disagreement": row["id"]}, by)

    # ---- Closing and the documents ---------------------------------------------------------

    def close(self):
        w, chair = self.w, self.chair
        at = w.minutes(self.ended, 1, 5)
        for seat in self.seats:
            status = seat.row["status"]
            after = {}
            if status == IN_ADVANCE:
                after["attendance"] = "views_sent"
            elif status == ADMITTED:
                after["attendance"] = "remote" if self.chance(0.2) else "present"
                if seat.user_id is None and seat.attends_as != YOUNG_PERSON and self.chance(0.5):
                    first, _, last = seat.name.partition(" ")
                    after["email"] = f"{first}.{last}".lower().replace(" ", "").replace(
                        "'", "") + "@example.net"
            if after:
                self.changed(at, chair.who, "participants", seat.row, **after)
        self.changed(at, chair.who, "meetings", self.row, status=CLOSED)
        closure = {"meeting_id": self.id, "closed_at": at, "closed_by_id": chair.id}
        self.put("meeting_closures", closure)
        self.created(at, chair.who, "meeting_closures", closure)
        self.event(at, "meeting.closed", {"closed_by": chair.name}, chair)
        self.closed_at = at

    def issue_documents(self):
        w = self.w
        kinds = [PANEL_OUTCOMES] if self.is_panel else [MINUTES, ACTIONS_SHEET]
        if not self.chance(0.95):
            return
        at = w.minutes(self.closed_at, 30, 60 * 24 * 2)
        for kind in kinds:
            if at >= w.now:
                return
            self.document(at, kind)
            at = w.minutes(at, 1, 10)

    def document(self, at, kind):
        """An issued PDF (document.issued) with its deliveries: staff in the app, external
        attendees and the type's fixed recipients by email; some staff download it."""
        w, chair = self.w, self.chair
        if self.is_panel:
            title = (f"{KINDS[kind]}: {self.child['panel']['locality']['name']} panel, "
                     f"{self.type['name']}")
        else:
            title = (f"{KINDS[kind]}: {self.type['name']}, {self.child['name']} "
                     f"({self.child['case_reference']})")
        reference = re.sub(r"[^A-Za-z0-9-]+", "-", self.child["case_reference"]).strip("-")
        day = clock.london_format(self.plan["scheduled_at"], "%Y-%m-%d")
        pdf = minimal_pdf(title)
        row = {"id": w.next_id("documents"), "meeting_id": self.id, "kind": kind, "version": 1,
               "title": title, "filename": f"{reference}-{day}-{kind.replace('_', '-')}-v1.pdf",
               "pdf": pdf, "sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf),
               "reason": None, "issued_at": at, "issued_by_id": self.chair_user["id"]}
        self.put("documents", row)
        self.created(at, chair.who, "documents", row)
        recipients = [s for s in self.seats if s.row["status"] in (ADMITTED, IN_ADVANCE)]
        fixed = self.rules.get("distribution", {}).get("fixed", [])
        for seat in recipients:
            if seat.user_id is not None:
                self.delivery(at, row, IN_APP, seat.name, user_id=seat.user_id)
            elif seat.row["email"]:
                self.delivery(at, row, EMAIL, seat.name, address=seat.row["email"])
        for entry in fixed:
            self.delivery(at, row, EMAIL, entry["name"], address=entry["email"])
        self.event(at, "document.issued", {"document_id": row["id"], "kind": kind,
                                           "version": 1, "sha256": row["sha256"],
                                           "title": title}, chair)
        for seat in recipients:
            if seat.user_id is not None and self.chance(0.35):
                when = w.minutes(at, 10, 60 * 24 * 5)
                if when < w.now:
                    download = {"id": w.next_id("document_downloads"), "document_id": row["id"],
                                "user_id": seat.user_id, "at": when,
                                "address": f"10.20.{self.rng.randint(0, 255)}."
                                           f"{self.rng.randint(1, 254)}"}
                    self.put("document_downloads", download)
                    self.w.created(when, w.staff_who({"id": seat.user_id, "name": seat.name}),
                                   "document_downloads", download)

    def delivery(self, at, document, channel, name, user_id=None, address=None):
        w = self.w
        sent = w.minutes(at, 0, 2)
        row = {"id": w.next_id("deliveries"), "document_id": document["id"], "channel": channel,
               "name": name, "address": address, "user_id": user_id, "status": SENT,
               "attempts": 1, "error": None,
               "message_id": f"<{w.token()[:32]}@{DOMAIN}>" if channel == EMAIL else None,
               "claimed_at": sent if channel == EMAIL else None, "sent_at": sent,
               "seen_at": w.minutes(sent, 30, 60 * 24 * 3) if user_id and self.chance(0.6)
               else None, "created_at": at}
        if row["seen_at"] and row["seen_at"] >= w.now:
            row["seen_at"] = None
        self.put("deliveries", row)
        self.created(at, self.chair.who, "deliveries", row)

    # ---- The event log ---------------------------------------------------------------------

    def write_events(self):
        """The meeting's events in time order: seq 1, 2, 3… and last_seq the last of them."""
        w = self.w
        self.events.sort(key=lambda e: (e[0], e[1]))
        for seq, (at, _, kind, payload, actor) in enumerate(self.events, start=1):
            keyed = kind in SOCKET_EVENTS and actor is not None and self.chance(0.7)
            w.put("meeting_events", {
                "meeting_id": self.id, "seq": seq, "type": kind,
                "actor_id": actor.id if actor is not None else None, "payload": payload,
                "idempotency_key": w.token()[:32] if keyed else None, "created_at": at}, at)
        self.row["last_seq"] = len(self.events)
