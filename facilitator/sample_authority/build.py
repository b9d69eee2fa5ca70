"""A sample authority's records as plain rows: `build` yields (table, rows) in an order the
foreign keys allow, a month of the authority's life at a time, so that a county's millions of
rows never sit in memory at once.

The records follow the app's rules as its services would have written them: every meeting's
child exists and its participants belong to it; an action's child is its meeting's child; due
dates come from the same functions the services use (clock, routing, actions, panels,
monitoring); every meeting change has its event (seq contiguous per meeting, `last_seq` the
last) and audit entries shaped as audit.trail writes them (a score's value and reason recorded
only as its round's reveal showed them); every round of a closed meeting is revealed.

Deterministic: the same reference data, size, scale, seed and day give the same rows.
"""
import heapq
import random
from bisect import bisect
from datetime import time, timedelta
from itertools import accumulate
from types import SimpleNamespace

from facilitator import clock
from facilitator.audit.trail import HIDDEN, NOT_RECORDED, PRIVATE
from facilitator.meetings.services import due_date as meeting_due_date
from facilitator.sample_authority import sizes, words
from facilitator.sample_authority.meeting_rows import DOMAIN, PANEL_TYPE, MeetingWriter, plain
from facilitator.stability import monitoring, routing

# Every table the loader fills, parents before children (the loader writes each batch in this
# order). `audit_events` and `meeting_events` get their ids when a batch is written, in time
# order, so the trail reads oldest first by id as a real one does.
TABLES = (
    "localities", "teams", "users", "children", "panel_series", "meetings", "participants",
    "agenda_items", "agenda_extensions", "cards", "scale_rounds", "scores", "decisions",
    "actions", "child_views", "agency_offers", "meeting_closures", "documents", "deliveries",
    "document_downloads", "panel_meetings", "case_slots", "follow_ups", "disagreements",
    "stability_concerns", "route_tasks", "monitored_placements", "monitoring_calls",
    "stability_notices", "placement_moves", "meeting_events", "audit_events",
)
SYSTEM = (None, None, "the system")
MEETING_TIMES = (time(9, 30), time(10, 0), time(11, 0), time(13, 30), time(14, 0), time(15, 0))
REVIEW_TYPE = "stability_review"
DISRUPTION_TYPE = "disruption"


def build(reference, size="team", scale=1.0, seed=1, today=None):
    """Yield (table, [row dict, ...]) for a whole authority, parents first.

    `reference` is what the migrations seeded and the loader read: {"types": {code: type row},
    "authority": the stability authority's row, "password_hash": one hash for every account}.
    """
    return _World(reference, size, scale, seed, today).batches()


class _World:
    def __init__(self, reference, size, scale, seed, today):
        self.rng = random.Random(f"sample-authority:{size}:{scale}:{seed}")
        self.n = sizes.counts(size, scale)
        self.types = reference["types"]
        self.authority = reference["authority"]
        self.password_hash = reference["password_hash"]
        self.today = today or clock.london_today()
        # Everything recorded happened before today began; the open meetings lie ahead.
        self.now = clock.from_london(self.today, time(0, 0))
        self.first_day = self.today - timedelta(days=365 * sizes.YEARS)
        self.last_day = self.today + timedelta(weeks=sizes.WEEKS_AHEAD)
        self.ids = {}
        self.buckets = {}
        self.home = None
        self.order = 0
        self.join_codes = set()
        self.panel_children = []

    # ---- Small helpers ----------------------------------------------------------------------

    def next_id(self, table):
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def token(self):
        return f"{self.rng.getrandbits(192):048x}"

    def chance(self, p):
        return self.rng.random() < p

    def between(self, low, high):
        return self.rng.randint(low, high)

    def minutes(self, moment, low, high):
        return moment + timedelta(seconds=self.rng.randint(low * 60, high * 60))

    def working_day(self, day):
        return day if clock.is_working_day(day) else clock.add_working_days(day, 0)

    def at_work(self, day, start=9, end=17):
        """A moment in working hours (London) on `day`, as UTC."""
        minute = self.rng.randint(start * 60, end * 60 - 1)
        return clock.from_london(day, time(minute // 60, minute % 60))

    def person(self, first_names=words.ADULT_FIRST_NAMES, surname=None):
        return f"{self.rng.choice(first_names)} {surname or self.rng.choice(words.SURNAMES)}"

    def say(self, options, **names):
        return self.rng.choice(options).format(**names)

    def card_text(self, column, names):
        """60 to 200 characters in the column's words: one to three sentences."""
        low, high = sizes.PER_MEETING["card_length"]
        wanted = self.between(low, high)
        pool = words.COLUMN_WORDS.get(column, words.WORRIED)
        text = self.say(pool, **names)
        while len(text) < wanted:
            longer = f"{text} {self.say(pool, **names)}"
            if len(longer) > high and len(text) >= low:
                break
            text = longer
        if len(text) > high:
            text = text[:high - 1].rsplit(" ", 1)[0].rstrip(",.;") + "…"
        return text

    def day(self, moment):
        return clock.london_today(moment)

    # ---- Where rows go -----------------------------------------------------------------------

    def put(self, table, row, at=None):
        """File a row in the batch of the month being written, or of its own later month (an
        event or entry that happened after the thing it belongs to)."""
        key = self.home
        if at is not None:
            key = max(key, (at.year, at.month))
        bucket = self.buckets.setdefault(key, {})
        if at is not None:
            self.order += 1
            bucket.setdefault(table, []).append((at, self.order, row))
        else:
            bucket.setdefault(table, []).append(row)

    def audit(self, at, who, action, subject, subject_id, changes, meeting_id=None):
        user_id, seat_id, label = who
        self.put("audit_events", {
            "at": at, "actor_user_id": user_id, "actor_participant_id": seat_id, "actor": label,
            "meeting_id": meeting_id, "action": action, "subject": subject,
            "subject_id": str(subject_id), "changes": changes}, at)

    def created(self, at, who, table, row, meeting_id=None, private=()):
        """The trail's entry for a new row: each value given, secrets and private values as
        words only (audit.trail._changes)."""
        changes = {}
        for key, value in row.items():
            if value is None:
                continue
            if key in NOT_RECORDED or isinstance(value, bytes):
                value = HIDDEN
            elif key in private:
                value = PRIVATE
            changes[key] = [None, plain(value)]
        if meeting_id is None and table == "meetings":
            meeting_id = row["id"]
        self.audit(at, who, "created", table, row.get("id", row.get("meeting_id")), changes,
                   meeting_id if meeting_id is not None else row.get("meeting_id"))

    def changed(self, at, who, table, row, meeting_id=None, key="id", **after):
        """Change `row` in place and record the change (only the values that differ)."""
        changes = {}
        for name, value in after.items():
            if row.get(name) != value:
                changes[name] = [plain(row.get(name)), plain(value)]
                row[name] = value
        if changes:
            self.audit(at, who, "changed", table, row[key], changes,
                       meeting_id if meeting_id is not None else row.get("meeting_id"))

    def flush(self, key):
        """One batch: its tables in TABLES order, the timed rows with their ids in time order."""
        bucket = self.buckets.pop(key, {})
        for table in TABLES:
            rows = bucket.get(table)
            if not rows:
                continue
            if table in ("audit_events", "meeting_events"):
                rows.sort(key=lambda entry: (entry[0], entry[1]))
                rows = [entry[2] for entry in rows]
                for row in rows:
                    row["id"] = self.next_id(table)
            elif isinstance(rows[0], tuple):
                rows = [entry[2] for entry in sorted(rows, key=lambda e: (e[0], e[1]))]
            yield table, rows

    # ---- The whole run -------------------------------------------------------------------------

    def batches(self):
        self.home = (self.first_day.year, self.first_day.month)
        self.plan_people()
        self.plan_children()
        self.plan_moves()
        self.plan_concerns()
        self.plan_panels()
        self.plan_meetings()
        self.plan_placements()
        yield "localities", self.localities
        yield "teams", self.teams
        yield "users", self.users
        yield "children", self.children_rows()
        yield "panel_series", self.series_rows
        work = {}
        for write, items in ((self.write_meeting, self.meetings),
                             (self.write_concern, self.concerns),
                             (self.write_placement, self.placements),
                             (self.write_move, self.moves)):
            for item in items:
                work.setdefault(item["home"], []).append((write, item))
        month = min([(self.first_day.year, self.first_day.month), *work])
        last = max([(self.last_day.year, self.last_day.month), *work, *self.buckets])
        while month <= last or self.buckets:
            self.home = month
            for write, item in work.pop(month, []):
                write(item)
            yield from self.flush(month)
            month = (month[0] + month[1] // 12, month[1] % 12 + 1)

    # ---- People ---------------------------------------------------------------------------------

    def new_user(self, title, team_id=None, admin=False, created_at=None):
        first, surname = self.rng.choice(words.ADULT_FIRST_NAMES), self.rng.choice(words.SURNAMES)
        local = f"{first}.{surname}".lower().replace("'", "").replace(" ", "")
        email, n = f"{local}@{DOMAIN}", 2
        while email in self.emails:
            email, n = f"{local}{n}@{DOMAIN}", n + 1
        self.emails.add(email)
        row = {"id": self.next_id("users"), "email": email, "name": f"{first} {surname}",
               "job_title": title, "password_hash": self.password_hash, "active": True,
               "is_admin": admin, "team_id": team_id,
               "created_at": created_at or self.at_work(self.working_day(
                   self.first_day - timedelta(days=self.between(20, 400))))}
        self.users.append(row)
        return row

    def plan_people(self):
        n = self.n
        self.users, self.emails = [], set()
        self.localities = [{"id": i + 1, "name": words.LOCALITY_NAMES[i], "venue": words.VENUES[i]}
                           for i in range(n["localities"])]
        self.teams = []
        for i in range(n["teams"]):
            town = words.TOWNS[i % len(words.TOWNS)]
            number = i // len(words.TOWNS) + 1
            self.teams.append({"id": i + 1, "name": f"{town} Children in Care Team {number}",
                               "locality_id": self.localities[i % len(self.localities)]["id"]})
        admins = [self.new_user(sizes.ADMINISTRATOR, admin=True)
                  for _ in range(n["administrators"])]
        self.admins = admins
        self.staff = {}  # (team id, job title) -> [user]
        for team in self.teams:
            for title, count in sizes.TEAM:
                self.staff[(team["id"], title)] = [self.new_user(title, team["id"])
                                                   for _ in range(count)]
        self.locality_staff = {}
        if n["locality_staff"]:
            for locality in self.localities:
                for title, count in sizes.LOCALITY_STAFF:
                    self.locality_staff[(locality["id"], title)] = [
                        self.new_user(title) for _ in range(count)]
            self.new_user(sizes.HEAD_OF_SERVICE)
        for row in self.users:
            who = SYSTEM if row is admins[0] else (admins[0]["id"], None,
                                                   f"{admins[0]['name']} (staff)")
            self.audit(row["created_at"], who, "created", "users", row["id"],
                       {key: [None, HIDDEN if key == "password_hash" else plain(value)]
                        for key, value in row.items() if value is not None})

    def team_staff(self, team_id, title):
        return self.staff[(team_id, title)]

    # ---- Children -------------------------------------------------------------------------------

    def plan_children(self):
        n = self.n
        self.children = []
        window = (self.today - self.first_day).days
        for i in range(n["children"]):
            surname = self.rng.choice(words.SURNAMES)
            if self.chance(0.08):
                surname = f"{surname}-{self.rng.choice(words.SURNAMES)}"
            team = self.teams[i % len(self.teams)]
            in_care = i < n["children_in_care"]
            start = self.first_day + timedelta(days=self.between(-900, window - 60))
            if in_care:
                end = None
            else:
                earliest = max(start + timedelta(days=90), self.first_day + timedelta(days=45))
                end = earliest + timedelta(days=self.between(
                    0, max(0, (self.today - timedelta(days=10) - earliest).days)))
            self.children.append({
                "id": i + 1, "case_reference": f"CASE-{10001 + i}",
                "name": f"{self.rng.choice(words.FIRST_NAMES)} {surname}",
                "team_id": team["id"],
                "worker_id": self.rng.choice(self.team_staff(team["id"], "Social worker"))["id"],
                "from": max(start, self.first_day), "until": end or self.today,
                "in_care": in_care, "first_record": None,
                "carers": self.rng.choice(words.SURNAMES),
                "stability": self.rng.uniform(0.25, 0.9)})
        self.care_weights = list(accumulate(
            max(1, (c["until"] - c["from"]).days) for c in self.children))

    def any_child(self):
        """A child, weighted by their days in care in the five years."""
        index = bisect(self.care_weights, self.rng.random() * self.care_weights[-1])
        return self.children[min(index, len(self.children) - 1)]

    def child_day(self, child, before=0):
        """A working day within the child's time in care (`before` days short of its end), and
        before today."""
        span = max(0, (child["until"] - child["from"]).days - before)
        day = self.working_day(child["from"] + timedelta(days=self.between(0, span)))
        return min(day, clock.on_or_before_working_day(self.today - timedelta(days=1)))

    def names(self, child):
        return {"name": child["name"].split()[0],
                "carer": f"{self.rng.choice(('Mrs', 'Mr', 'Ms'))} {child['carers']}"}

    def note_record(self, child, at):
        if child["first_record"] is None or at < child["first_record"]:
            child["first_record"] = at

    def children_rows(self):
        """Every child's row (and each panel date's own record), with the trail's entry from
        the first record that named them."""
        rows = []
        for child in [*self.children, *self.panel_children]:
            rows.append({"id": child["id"], "case_reference": child["case_reference"],
                         "name": child["name"], "team_id": child["team_id"],
                         "worker_id": child["worker_id"]})
            at = child["first_record"] or self.at_work(child["from"])
            self.created(at, SYSTEM, "children", rows[-1])
        return rows

    # ---- Moves ----------------------------------------------------------------------------------

    def placement_name(self, child, town=None):
        return self.say(words.PLACEMENTS, surname=self.rng.choice(words.SURNAMES),
                        agency=self.rng.choice(words.FOSTER_AGENCIES),
                        town=town or self.rng.choice(words.TOWNS))

    def plan_moves(self):
        self.moves = []
        for i in range(self.n["moves"]):
            child = self.children[i] if i < len(self.children) // 3 else self.any_child()
            day = self.child_day(child)
            if day >= self.today:
                day = self.today - timedelta(days=1)
            emergency = self.chance(0.3)
            officer = self.rng.choice(self.team_staff(child["team_id"],
                                                      "Placement stability officer"))
            created_at = self.at_work(self.working_day(day + timedelta(days=self.between(0, 3))))
            created_at = min(created_at, self.now - timedelta(hours=1))
            self.note_record(child, created_at)
            self.moves.append({"child": child, "day": day, "emergency": emergency,
                               "officer": officer, "created_at": created_at,
                               "home": (created_at.year, created_at.month)})
        self.moves.sort(key=lambda m: m["created_at"])

    def write_move(self, move):
        child = move["child"]
        reason = words.MOVE_REASONS[1] if move["emergency"] else self.rng.choice(
            [r for r in words.MOVE_REASONS if "emergency" not in r])
        row = {"id": self.next_id("placement_moves"), "child_id": child["id"],
               "team_id": child["team_id"], "moved_on": move["day"],
               "from_placement": self.placement_name(child),
               "to_placement": self.placement_name(child),
               "reason": reason, "created_by_id": move["officer"]["id"],
               "created_at": move["created_at"]}
        self.put("placement_moves", row)
        self.created(row["created_at"], self.staff_who(move["officer"]), "placement_moves", row)

    @staticmethod
    def staff_who(user):
        return (user["id"], None, f"{user['name']} (staff)")

    # ---- Concerns -------------------------------------------------------------------------------

    def rules_of_kind(self, kind):
        return [rule for rule in self.authority["rules"] if (kind in rule) or (
            kind == "monitoring" and "meeting" not in rule and "monitoring" not in rule)]

    def concern_fields(self, rule):
        """A consultation record's answers that the authority's rules route to `rule`."""
        asks, when = self.authority["asks"], rule["when"]
        low, high = when["scale"]
        fields = {"scale": self.between(low, high), "involvement": None,
                  "immediate_risk": None}
        if asks.get("involvement"):
            involved = when.get("involvement", self.chance(0.5))
            fields["involvement"] = self.rng.choice(("ast", "camhs")) if involved else "none"
        if asks.get("immediate_risk"):
            fields["immediate_risk"] = when.get("immediate_risk", self.chance(0.2))
        return fields

    def plan_concerns(self):
        meeting_type = next((rule["meeting"]["type"] for rule in self.authority["rules"]
                             if "meeting" in rule), None)
        self.route_type = meeting_type
        linked = 0
        if meeting_type:
            linked = round(sizes.FROM_CONCERNS * self.type_counts()[meeting_type])
        authority = SimpleNamespace(rules=self.authority["rules"])
        self.concerns = []
        n = self.n["concerns"]
        chosen = set(self.rng.sample(range(n), min(linked, n)))
        for i in range(n):
            child = self.children[i] if i < len(self.children) else self.any_child()
            kind = "meeting" if i in chosen else "monitoring"
            rules = self.rules_of_kind(kind) or self.authority["rules"]
            for _ in range(20):
                fields = self.concern_fields(self.rng.choice(rules))
                rule = routing.propose(authority, scale=fields["scale"],
                                       involvement=fields["involvement"] not in (None, "none"),
                                       immediate_risk=fields["immediate_risk"])
                if rule is not None and ("meeting" in rule) == (kind == "meeting"):
                    break
            day = self.child_day(child, before=20 if kind == "meeting" else 0)
            raised_at = self.at_work(day)
            officer = self.rng.choice(self.team_staff(child["team_id"],
                                                      "Placement stability officer"))
            carer = self.chance(0.6)
            raised_by = ((f"{self.rng.choice(words.ADULT_FIRST_NAMES)} {child['carers']}",
                          "Foster carer") if carer else
                         (self.person(), self.rng.choice(words.RELATIONSHIPS)))
            self.concerns.append({"child": child, "rule": rule, "fields": fields,
                                  "raised_at": raised_at, "officer": officer, "meeting": None,
                                  "placement": None, "raised_by": raised_by,
                                  "involvement_worker": self.person()})
        self.concerns.sort(key=lambda c: c["raised_at"])
        for concern in self.concerns:
            concern["id"] = self.next_id("stability_concerns")
            raised = concern["raised_at"]
            created = min(self.minutes(raised, 10, 180), self.now - timedelta(minutes=5))
            concern["created_at"] = created
            recent = raised > self.now - timedelta(days=2)
            confirm = "meeting" in concern["rule"] or not (recent and self.chance(0.5))
            concern["confirmed_at"] = min(self.minutes(created, 20, 26 * 60),
                                          self.now - timedelta(minutes=1)) if confirm else None
            self.note_record(concern["child"], created)

    def write_concern(self, concern):
        child, rule, fields = concern["child"], concern["rule"], concern["fields"]
        officer = concern["officer"]
        who = self.staff_who(officer)
        names = self.names(child)
        raised_by, relationship = concern["raised_by"]
        involved = fields["involvement"] not in (None, "none")
        first = self.chance(0.7) if fields["involvement"] is not None else None
        row = {
            "id": concern["id"], "child_id": child["id"],
            "authority_code": self.authority["code"], "team_id": child["team_id"],
            "raised_by": raised_by, "relationship_to_child": relationship,
            "raised_at": concern["raised_at"], "concern": self.say(words.CONCERNS, **names),
            "involvement": fields["involvement"],
            "involvement_worker": concern["involvement_worker"] if involved else None,
            "first_consultation": first,
            "earlier_consultations": (f"{self.rng.choice(('January', 'March', 'June'))} and "
                                      f"{self.rng.choice(('July', 'September', 'November'))}"
                                      if first is False else None),
            "notice_given": self.chance(0.1) if fields["involvement"] is not None else None,
            "immediate_risk": fields["immediate_risk"], "scale": fields["scale"],
            "outcome": "Discussed with the carer; the route below agreed.",
            "sent_to": "Child's social worker; supervising social worker",
            "named_worker_id": child["worker_id"], "proposed_route": rule["key"], "route": None,
            "override_reason": None, "confirmed_at": None, "confirmed_by_id": None,
            "meeting_id": None, "closed_at": None, "closed_by_id": None,
            "created_by_id": officer["id"], "created_at": concern["created_at"]}
        self.created(row["created_at"], who, "stability_concerns", row)
        self.put("stability_concerns", row)
        concern["row"] = row
        if concern["confirmed_at"] is None:
            return
        confirmed = concern["confirmed_at"]
        self.changed(confirmed, who, "stability_concerns", row, route=rule["key"],
                     confirmed_at=confirmed, confirmed_by_id=officer["id"])
        meeting = concern["meeting"]
        last_done = confirmed
        for position, step in enumerate(rule["tasks"], start=1):
            due_at, whole_day = routing.due_at(step.get("due"), row["raised_at"])
            task = {"id": self.next_id("route_tasks"), "concern_id": row["id"],
                    "position": position, "what": step["what"], "who": step["who"],
                    "due_at": due_at, "due_on": clock.london_today(due_at) if due_at else None,
                    "rule": routing.describe_due(step.get("due")),
                    "whole_day": whole_day, "is_meeting": bool(step.get("calls_meeting")),
                    "done_at": None, "done_by_id": None, "created_by_id": officer["id"],
                    "created_at": confirmed}
            self.created(confirmed, who, "route_tasks", task)
            self.put("route_tasks", task)
            if task["is_meeting"]:
                done = meeting["created_at"] if meeting else None
            else:
                limit = due_at or confirmed + timedelta(days=10)
                done = self.minutes(confirmed, 30, max(31, int(
                    (limit - confirmed).total_seconds() // 60 * (1.3 if self.chance(0.1)
                                                                   else 0.9))))
                if self.chance(0.04):
                    done = None
            if done is not None and done < self.now:
                self.changed(done, who, "route_tasks", task, done_at=done,
                             done_by_id=officer["id"])
                last_done = max(last_done, done)
        if meeting:
            chair = meeting["chair"]
            self.changed(meeting["created_at"], self.staff_who(chair), "stability_concerns",
                         row, meeting_id=meeting["id"])
            last_done = max(last_done, meeting["scheduled_at"])
        placement = concern["placement"]
        if placement:
            last_done = max(last_done, placement["last_at"])
        closed = last_done + timedelta(days=self.between(1, 40))
        if closed < self.now - timedelta(days=14) and self.chance(0.97):
            closed = self.at_work(self.working_day(self.day(closed)))
            if closed < self.now:
                self.changed(closed, who, "stability_concerns", row, closed_at=closed,
                             closed_by_id=officer["id"])

    # ---- Meetings: what happens, planned before any row is written ---------------------------

    def type_counts(self):
        if hasattr(self, "_type_counts"):
            return self._type_counts
        total = self.n["meetings"]
        result = {code: max(1, round(share * total)) for code, share in sizes.MEETING_MIX.items()
                  if code in self.types}
        biggest = max(result, key=result.get)
        result[biggest] += total - sum(result.values())
        self._type_counts = result
        return result

    def plan_panels(self):
        """Each locality's fortnightly series: its most recent dates held, the next one set up."""
        self.panels, self.series_rows = [], []
        count = self.type_counts().get(PANEL_TYPE, 0)
        if not count:
            return
        rules = self.types[PANEL_TYPE]["rules"]
        at = time.fromisoformat(rules["series"]["time"])
        weeks = int(rules["series"].get("interval_weeks", 1))
        weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(rules["series"]["weekday"])
        fit = (self.today - self.first_day).days // (7 * weeks)  # the dates in five years
        per = [min(fit, count // len(self.localities) + (i < count % len(self.localities)))
               for i in range(len(self.localities))]
        for locality, held in zip(self.localities, per):
            if not held:
                continue
            next_date = self.today + timedelta(days=(weekday - self.today.weekday()) % 7 or 7)
            dates = [next_date - timedelta(weeks=weeks * k) for k in range(held)]
            chair = (self.locality_staff.get((locality["id"], "Service manager")) or
                     [self.team_staff(next(t["id"] for t in self.teams
                                           if t["locality_id"] == locality["id"]),
                                      sizes.TEAM_MANAGER)[0]])[0]
            series = {"id": self.next_id("panel_series"), "locality_id": locality["id"],
                      "type_code": PANEL_TYPE, "first_date": min(dates),
                      "created_by_id": chair["id"],
                      "created_at": self.at_work(self.working_day(min(dates) - timedelta(
                          days=self.between(7, 30))))}
            self.series_rows.append(series)
            self.created(series["created_at"], self.staff_who(chair), "panel_series", series)
            for day in dates:
                starts = clock.from_london(day, at)
                self.panels.append({"series": series, "locality": locality, "day": day,
                                    "scheduled_at": starts, "chair": chair})

    def plan_meetings(self):
        """Every meeting and when: panels, meetings routed from concerns, disruption meetings
        after emergency moves, meetings staff set up directly, then reviews on the review dates
        decisions set. A few hundred lie ahead, open; the rest were held and closed."""
        self.left = dict(self.type_counts())
        self.planned = []
        for panel in self.panels:
            self.add_meeting(PANEL_TYPE, {"id": None, "panel": panel}, panel["scheduled_at"],
                             chair=panel["chair"])
        for concern in self.concerns:
            self.plan_routed(concern)
        emergencies = [move for move in self.moves if move["emergency"]]
        held = self.rng.sample(emergencies, min(len(emergencies),
                                                max(0, self.left.get(DISRUPTION_TYPE, 0))))
        for move in sorted(held, key=lambda m: m["created_at"]):
            day = clock.add_working_days(move["day"], self.between(2, 15))
            if day < self.today or self.may_open():
                self.add_meeting(DISRUPTION_TYPE, move["child"],
                                 clock.from_london(day, self.rng.choice(MEETING_TIMES)))
        reviews = self.left.pop(REVIEW_TYPE, 0)
        direct = [code for code in self.left if code not in (PANEL_TYPE, DISRUPTION_TYPE)]
        for code, left in list(self.left.items()):
            for _ in range(max(0, left)):
                self.standalone(code if code in direct else self.rng.choice(direct),
                                ahead=self.chance(0.3) and self.may_open())
        for meeting in self.planned:
            self.plan_decision(meeting)
        self.plan_reviews(reviews)
        while len(self.planned) < self.n["meetings"]:
            self.plan_decision(self.standalone(direct[0], ahead=self.may_open()))
        self.planned.sort(key=lambda m: (m["created_at"], m["scheduled_at"]))
        for meeting in self.planned:
            meeting["id"] = self.next_id("meetings")
            meeting["home"] = (meeting["scheduled_at"].year, meeting["scheduled_at"].month)
            if meeting["child"].get("panel"):
                meeting["child"] = self.panel_child(meeting["child"]["panel"])
            self.note_record(meeting["child"], meeting["created_at"])
        self.meetings = self.planned
        for concern in self.concerns:
            home = (concern["created_at"].year, concern["created_at"].month)
            if concern["meeting"]:
                home = max(home, concern["meeting"]["home"])
            concern["home"] = home

    def may_open(self):
        return sum(1 for m in self.planned if m["open"]) < self.n["open_meetings"]

    def add_meeting(self, type_code, child, scheduled_at, chair=None, created_after=None,
                    **extra):
        if chair is None:
            title = self.rng.choices(
                (sizes.TEAM_MANAGER, "Assistant team manager", "Placement stability officer"),
                (45, 25, 30))[0]
            chair = self.rng.choice(self.team_staff(child["team_id"], title))
        set_up = self.working_day(self.day(scheduled_at) - timedelta(days=self.between(2, 12)))
        created_at = min(self.at_work(set_up), scheduled_at - timedelta(hours=2),
                         self.now - timedelta(hours=self.between(1, 30)))
        if created_after is not None:
            created_at = max(created_at, min(created_after + timedelta(hours=2),
                                             scheduled_at - timedelta(hours=1)))
        meeting = {"type": type_code, "child": child, "scheduled_at": scheduled_at,
                   "created_at": created_at, "chair": chair, "concern": None,
                   "immediate_risk": None, "due_by": None, "review_date": None,
                   "decided": False, "open": scheduled_at >= self.now, **extra}
        self.left[type_code] = self.left.get(type_code, 0) - 1
        self.planned.append(meeting)
        return meeting

    def plan_routed(self, concern):
        """The meeting a concern's route calls, held by the date the type's rule sets."""
        rule = concern["rule"]
        if "meeting" not in rule or concern["confirmed_at"] is None:
            return
        code = rule["meeting"]["type"]
        if self.left.get(code, 0) <= 0:
            return
        due_rule = self.types[code]["rules"].get("due")
        risk = rule["meeting"].get("immediate_risk", concern["fields"]["immediate_risk"])
        start_day = self.day(concern["raised_at"])
        due_by = meeting_due_date(due_rule, bool(risk), start_day) if due_rule else None
        task = next((t for t in rule["tasks"] if t.get("calls_meeting")), {})
        limit = due_by or clock.due_day(start_day, **task.get("due", {"working_days": 10}))
        first = clock.add_working_days(self.day(concern["confirmed_at"]), 1)
        day = first + timedelta(days=self.between(0, max(0, (limit - first).days)))
        if self.chance(0.08):
            day += timedelta(days=self.between(1, 7))  # booked late: the pages flag it
        day = self.working_day(day)
        if day >= self.today and not self.may_open():
            return
        concern["meeting"] = self.add_meeting(
            code, concern["child"], clock.from_london(day, self.rng.choice(MEETING_TIMES)),
            concern=concern, immediate_risk=bool(risk) if due_rule else None, due_by=due_by,
            created_after=concern["confirmed_at"])

    def standalone(self, code, ahead=False):
        """A meeting a member of staff set up directly: held already, or in the weeks ahead."""
        child = self.any_child()
        if ahead:
            while not child["in_care"]:
                child = self.any_child()
            day = self.working_day(self.today + timedelta(days=self.between(
                1, sizes.WEEKS_AHEAD * 7 - 3)))
        else:
            day = self.child_day(child)
        due_rule = self.types[code]["rules"].get("due")
        risk = self.chance(0.2) if due_rule else None
        meeting = self.add_meeting(code, child,
                                   clock.from_london(day, self.rng.choice(MEETING_TIMES)),
                                   immediate_risk=risk)
        if due_rule:
            meeting["due_by"] = meeting_due_date(due_rule, risk, self.day(meeting["created_at"]))
        return meeting

    def plan_decision(self, meeting):
        """Whether a closed meeting recorded its decision, and the review date it set."""
        rules = self.types[meeting["type"]]["rules"]
        if meeting["open"] or meeting["type"] == PANEL_TYPE or meeting.get("planned_decision"):
            return
        meeting["planned_decision"] = True
        meeting["decided"] = self.chance(sizes.DECISION_SHARE)
        if meeting["decided"] and rules.get("monitoring"):
            days = [choice["days"] for choice in rules["monitoring"]]
            meeting["monitoring_days"] = self.rng.choices(
                days, [6 if d == 7 else 1 for d in days])[0]
        if meeting["decided"] and rules.get("review_date"):
            weeks = rules.get("review_within_weeks") or self.rng.choice((4, 6, 6, 8, 12))
            meeting["review_date"] = clock.due_day(self.day(meeting["scheduled_at"]),
                                                   weeks=self.between(3, weeks))

    def plan_reviews(self, count):
        """Reviews held on the review date a decision set, and one review leads to the next:
        each decision's date taken up about as often as makes `count` over the five years."""
        base = [m for m in self.planned if m["review_date"]]
        heap = [(m["review_date"], i, m) for i, m in enumerate(base)]
        heapq.heapify(heap)
        chain = 0.35
        take = min(0.9, count * (1 - chain) / max(1, len(base)))
        order, reviews = len(base), []
        while heap:
            _, _, earlier = heapq.heappop(heap)
            review_day = earlier["review_date"]
            if (review_day > earlier["child"]["until"] and review_day < self.today) or \
                    review_day > self.last_day - timedelta(days=3) or \
                    (review_day >= self.today and not self.may_open()) or \
                    not self.chance(chain if earlier["type"] == REVIEW_TYPE else take):
                continue
            review = self.add_meeting(
                REVIEW_TYPE, earlier["child"],
                clock.from_london(review_day, self.rng.choice(MEETING_TIMES)),
                chair=earlier["chair"])
            reviews.append(review)
            self.plan_decision(review)
            if review["review_date"]:
                order += 1
                heapq.heappush(heap, (review["review_date"], order, review))
        # Chance made a few too many: the surplus were never held.
        surplus = {id(r) for r in self.rng.sample(reviews, max(0, len(reviews) - count))}
        self.planned = [m for m in self.planned if id(m) not in surplus]
        for _ in range(count - len(reviews)):
            self.plan_decision(self.standalone(REVIEW_TYPE))

    def panel_child(self, panel):
        """A panel's own record: the app keeps one "child" per panel date (panels.services)."""
        child = {"id": len(self.children) + 1 + len(self.panel_children),
                 "case_reference": f"PANEL-{panel['series']['id']}-{panel['day']:%Y%m%d}",
                 "name": f"{panel['locality']['name']} panel",
                 "team_id": None, "worker_id": None, "carers": "", "panel": panel,
                 "first_record": None, "stability": 0.6}
        self.panel_children.append(child)
        return child

    # ---- Monitoring --------------------------------------------------------------------------

    def plan_placements(self):
        """The contact list: every concern routed to monitoring, and each meeting called from a
        concern that agreed a frequency; then the calls, as many as the size says in all."""
        self.placements = []
        for concern in self.concerns:
            rule = concern["rule"]
            if concern["confirmed_at"] is not None and rule.get("monitoring"):
                self.placements.append({
                    "concern": concern, "meeting": None,
                    "start": self.day(concern["confirmed_at"]),
                    "every": rule["monitoring"]["every_days"],
                    "weeks": rule["monitoring"]["weeks"], "by": concern["officer"],
                    "created_at": concern["confirmed_at"]})
        for meeting in self.meetings:
            concern = meeting["concern"]
            if concern is None or not meeting.get("monitoring_days") or meeting["open"]:
                continue
            self.placements.append({
                "concern": concern, "meeting": meeting, "start": self.day(meeting["scheduled_at"]),
                "every": meeting["monitoring_days"], "weeks": 4, "by": concern["officer"],
                "created_at": self.minutes(meeting["scheduled_at"], 60, 120)})
        self.placements = [p for p in self.placements if p["created_at"] < self.now]
        self.placements.sort(key=lambda p: p["created_at"])
        if not self.placements:
            return
        # Calls: weekly for at least the weeks the rule says, longer for some; then the total
        # brought to the size's by extending or shortening placements that have finished.
        for placement in self.placements:
            weeks = placement["weeks"] + (self.between(0, 20) if self.chance(0.45) else 0)
            placement["planned"] = max(1, weeks * 7 // placement["every"])
            placement["calls"] = self.call_days(placement, placement["planned"])
        total = sum(len(p["calls"]) for p in self.placements)
        target = self.n["calls"]
        finished = [p for p in self.placements
                    if p["start"] < self.today - timedelta(days=400)] or self.placements
        guard = 0
        while total != target and guard < 10 * target:
            guard += 1
            placement = self.rng.choice(finished)
            if total < target:
                extra = self.call_days(placement, len(placement["calls"]) + 1)
                if len(extra) > len(placement["calls"]):
                    placement["calls"] = extra
                    total += 1
            elif len(placement["calls"]) > 1:
                placement["calls"].pop()
                total -= 1
        for placement in self.placements:
            calls = placement["calls"]
            placement["last_at"] = calls[-1] if calls else placement["created_at"]
            concern = placement["concern"]
            placement["home"] = max((placement["created_at"].year, placement["created_at"].month),
                                    concern["home"])
            if placement["meeting"]:
                placement["home"] = max(placement["home"], placement["meeting"]["home"])
            concern["placement"] = placement

    def call_days(self, placement, count):
        """Up to `count` call moments, every so many days from the start, before today."""
        moments, day = [], placement["start"]
        for _ in range(count):
            day = clock.on_or_before_working_day(day + timedelta(days=placement["every"]),
                                                 not_before=day + timedelta(days=1))
            if self.chance(0.12):
                day = clock.add_working_days(day, self.between(1, 3))
            if day >= self.today:
                break
            moments.append(self.at_work(day))
        return moments

    def write_placement(self, placement):
        concern, by = placement["concern"], placement["by"]
        who = self.staff_who(by)
        row_concern = concern["row"]
        authority = self.authority
        band = authority["monitoring"]["escalate"]
        scale_spec = authority["scale_spec"]
        weekly = authority["monitoring"]
        ends_on = clock.due_day(placement["start"], weeks=placement["weeks"])
        calls = placement["calls"]
        if calls:
            ends_on = max(ends_on, self.day(calls[-1]))
        row = {"id": self.next_id("monitored_placements"), "child_id": row_concern["child_id"],
               "concern_id": row_concern["id"],
               "call_who": f"{row_concern['raised_by']} ({row_concern['relationship_to_child']})",
               "every_days": placement["every"], "starts_on": placement["start"],
               "ends_on": ends_on, "status": monitoring.MONITORING, "next_due_on": None,
               "meeting_id": placement["meeting"]["id"] if placement["meeting"] else None,
               "ended_at": None, "ended_by_id": None, "end_reason": None,
               "created_by_id": by["id"], "created_at": placement["created_at"]}
        view = SimpleNamespace(calls=[], starts_on=row["starts_on"], every_days=row["every_days"])
        row["next_due_on"] = monitoring.next_due(view)
        self.created(row["created_at"], who, "monitored_placements", row)
        self.put("monitored_placements", row)
        value = row_concern["scale"]
        names = self.names(concern["child"])
        for number, called_at in enumerate(calls, start=1):
            drift = self.rng.choice((-1, 0, 0, 0, 1))
            calmer = 1 if scale_spec.get("stable_end") == "high" else -1
            if self.chance(0.6):
                drift += calmer
            value = max(scale_spec["min"], min(scale_spec["max"], value + drift))
            concern_band = band["min"] <= value <= band["max"]
            change = None
            if concern_band and row["status"] != monitoring.ESCALATED:
                change = monitoring.ESCALATION
            elif not concern_band and row["status"] == monitoring.ESCALATED:
                change = monitoring.DE_ESCALATION
            call = {"id": self.next_id("monitoring_calls"), "placement_id": row["id"],
                    "called_at": called_at, "scale": value,
                    "note": self.say(words.CALL_NOTES, **names), "change": change,
                    "created_by_id": by["id"],
                    "created_at": min(self.minutes(called_at, 5, 90), self.now)}
            self.put("monitoring_calls", call, called_at)
            self.created(call["created_at"], who, "monitoring_calls", call)
            view.calls.append(SimpleNamespace(called_at=called_at, id=call["id"]))
            after = {}
            if change == monitoring.ESCALATION:
                after["status"] = monitoring.ESCALATED
                self.notice(concern, call, value, scale_spec)
            elif change == monitoring.DE_ESCALATION:
                after["status"] = monitoring.MONITORING
                after["every_days"] = weekly["every_days"]
                view.every_days = weekly["every_days"]
                after["ends_on"] = max(row["ends_on"], clock.due_day(
                    self.day(called_at), weeks=weekly["weeks"]))
            after["next_due_on"] = monitoring.next_due(view)
            self.changed(call["created_at"], who, "monitored_placements", row, **after)
        finished = placement["last_at"] < self.now - timedelta(days=60)
        if finished and (row["status"] == monitoring.ESCALATED or self.chance(0.7)):
            ended = self.at_work(self.working_day(self.day(placement["last_at"]) +
                                                  timedelta(days=self.between(0, 5))))
            if ended < self.now:
                self.changed(ended, who, "monitored_placements", row,
                             status=monitoring.ENDED, ended_at=ended, ended_by_id=by["id"],
                             end_reason=self.rng.choice(words.END_REASONS))
        elif finished:
            # Run its course: the next call would fall after the end date.
            row["ends_on"] = min(row["ends_on"], row["next_due_on"] - timedelta(days=1))
            row["ends_on"] = max(row["ends_on"], row["starts_on"])

    def notice(self, concern, call, value, scale_spec):
        child = concern["child"]
        label = scale_spec.get("labels", {}).get(str(value), "")
        text = (f"Telephone monitoring for {child['name']} ({child['case_reference']}) "
                f"escalated to {value}{f' ({label})' if label else ''}.")
        read = self.minutes(call["called_at"], 60, 60 * 24 * 3)
        row = {"id": self.next_id("stability_notices"), "user_id": child["worker_id"],
               "child_id": child["id"], "concern_id": concern["id"], "text": text[:500],
               "read_at": read if read < self.now else None, "created_at": call["created_at"]}
        self.put("stability_notices", row, call["called_at"])
        self.created(row["created_at"], self.staff_who(concern["officer"]), "stability_notices",
                     row)

    # ---- Writing one meeting -------------------------------------------------------------------

    def write_meeting(self, plan):
        MeetingWriter(self, plan).write()
