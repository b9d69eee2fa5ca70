"""`flask sample-authority`: a realistic authority on demand, for measuring.

A tiny world (the team size at a twentieth) built through the command on SQLite: the counts the
sizes say, records consistent with each other as a person using the app would notice (each
action on its meeting's child, the event log's numbers, every round of a closed meeting
revealed and no score shown before it, the telephone calls due when monitoring says), and the
printed sign-in working on the staff pages. The same world through PostgreSQL's COPY loads the
same rows; in CI (CI=true) that test fails, not skips, when PostgreSQL cannot be reached.
"""
import hashlib
import os
import re
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from facilitator.accounts.services import create_user
from facilitator.audit.trail import PRIVATE
from facilitator.config import psycopg_url
from facilitator.extensions import db
from facilitator.sample_authority import load as loader
from facilitator.sample_authority.build import TABLES, build
from facilitator.sample_authority.sizes import PER_MEETING, counts
from facilitator.stability import monitoring
from facilitator.stability.models import MonitoredPlacement
from tests.conftest import build_app, missing, sign_in

SCALE, SEED = "0.05", "3"
DAY = "2026-11-24"  # the PostgreSQL and SQLite worlds are built as of the same day
POSTGRES = os.environ.get("SAMPLE_AUTHORITY_DATABASE_URL",
                          "postgresql+psycopg://postgres@127.0.0.1/postgres")


def run(app, *options):
    return app.test_cli_runner().invoke(args=["sample-authority", "--size", "team",
                                              "--scale", SCALE, "--seed", SEED, *options])


def printed(output, label):
    match = re.search(rf"{label}\s+(\S+)", output)
    assert match, f"the command did not print {label!r}:\n{output}"
    return match.group(1)


def table_counts(app):
    with app.app_context():
        return {table: db.session.scalar(select(func.count()).select_from(
            db.metadata.tables[table])) for table in TABLES}


def scalar(sql):
    return db.session.scalar(text(sql))


@pytest.fixture
def world(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'world.db'}")
    result = run(app)
    assert result.exit_code == 0, result.output
    yield app, result.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_counts_are_the_sizes_at_the_scale(world):
    app, output = world
    wanted = counts("team", float(SCALE))
    with app.app_context():
        assert scalar("SELECT count(*) FROM children WHERE case_reference NOT LIKE 'PANEL-%'") \
            == wanted["children"]
        assert scalar("SELECT count(*) FROM meetings") == wanted["meetings"]
        assert scalar("SELECT count(*) FROM stability_concerns") == wanted["concerns"]
        assert scalar("SELECT count(*) FROM monitoring_calls") == wanted["calls"]
        assert scalar("SELECT count(*) FROM placement_moves") == wanted["moves"]
        assert scalar("SELECT count(*) FROM teams") == wanted["teams"]
        assert 1 <= scalar("SELECT count(*) FROM meetings WHERE status = 'open'") \
            <= wanted["open_meetings"]
        assert scalar("SELECT count(*) FROM meetings WHERE status = 'open' AND scheduled_at "
                      "< CURRENT_TIMESTAMP") == 0
        assert scalar("SELECT count(DISTINCT type_code) FROM meetings") == 5
        closed = scalar("SELECT count(*) FROM meetings WHERE status = 'closed'")
        low, high = PER_MEETING["cards"]
        assert scalar(f"SELECT count(*) FROM (SELECT meeting_id, count(*) AS n FROM cards "
                      f"GROUP BY meeting_id) WHERE n BETWEEN {low} AND {high}") == closed
        low, high = PER_MEETING["actions"]
        assert scalar(f"SELECT count(*) FROM (SELECT meeting_id, count(*) AS n FROM actions "
                      f"GROUP BY meeting_id) WHERE n BETWEEN {low} AND {high}") == closed
        scores = scalar("SELECT avg(n) FROM (SELECT round_id, count(*) AS n FROM scores "
                        "WHERE round_id IS NOT NULL GROUP BY round_id)")
        assert PER_MEETING["scores"][0] - 1 <= scores <= PER_MEETING["scores"][1]
        # Staff in their teams: a team manager in each, and two or three administrators.
        assert scalar("SELECT count(*) FROM users WHERE job_title = 'Team manager' AND "
                      "team_id IS NOT NULL") == wanted["teams"]
        assert 2 <= scalar("SELECT count(*) FROM users WHERE is_admin") <= 3
    rows = int(re.search(r"Loaded ([\d,]+) rows", output).group(1).replace(",", ""))
    assert rows == sum(table_counts(app).values())


def test_the_records_agree_with_each_other(world):
    app, _ = world
    with app.app_context():
        # Each action is on its own meeting's child; each card, score and action by someone in
        # that meeting.
        assert scalar("SELECT count(*) FROM actions a JOIN meetings m ON m.id = a.meeting_id "
                      "WHERE a.child_id != m.child_id") == 0
        for table, column in (("cards", "author_id"), ("scores", "participant_id"),
                              ("actions", "proposed_by_id"), ("decisions", "recorded_by_id"),
                              ("meeting_events", "actor_id")):
            assert scalar(f"SELECT count(*) FROM {table} t JOIN participants p ON p.id = "
                          f"t.{column} WHERE p.meeting_id != t.meeting_id") == 0, table
        # The event log: seq 1, 2, 3… in every meeting, and last_seq the last of them.
        assert scalar("SELECT count(*) FROM meetings m WHERE m.last_seq != (SELECT count(*) "
                      "FROM meeting_events e WHERE e.meeting_id = m.id) OR m.last_seq != "
                      "(SELECT coalesce(max(seq), 0) FROM meeting_events e WHERE "
                      "e.meeting_id = m.id) OR (SELECT min(seq) FROM meeting_events e WHERE "
                      "e.meeting_id = m.id) != 1") == 0
        # Every round of a closed meeting revealed; an open meeting has no round, and a score
        # sent in advance is in the trail only as private until a reveal shows it.
        assert scalar("SELECT count(*) FROM scale_rounds r JOIN meetings m ON m.id = "
                      "r.meeting_id WHERE m.status = 'closed' AND r.status != 'revealed'") == 0
        assert scalar("SELECT count(*) FROM scale_rounds r JOIN meetings m ON m.id = "
                      "r.meeting_id WHERE m.status = 'open'") == 0
        for (changes,) in db.session.execute(text(
                "SELECT changes FROM audit_events WHERE subject = 'scores' AND action IN "
                "('created', 'changed')")):
            assert PRIVATE in str(changes) and "reason" not in str(changes).replace(
                f'"reason": [null, "{PRIVATE}"]', "")
        assert scalar("SELECT count(*) FROM audit_events WHERE subject = 'scores' AND "
                      "action = 'revealed'") == scalar(
            "SELECT count(*) FROM scores WHERE round_id IS NOT NULL")
        # Children keep their team and social worker; staff their team.
        assert scalar("SELECT count(*) FROM children WHERE case_reference NOT LIKE 'PANEL-%' "
                      "AND (team_id IS NULL OR worker_id IS NULL)") == 0
        assert scalar("SELECT count(*) FROM users WHERE team_id IS NULL AND NOT is_admin") == 0
        # A closed meeting that recorded a review date; its decision on the meeting's types.
        assert scalar("SELECT count(*) FROM decisions WHERE review_date IS NOT NULL") > 0
        # The day each monitored placement's next call is due, as monitoring works it out.
        for placement in db.session.scalars(select(MonitoredPlacement)):
            assert placement.next_due_on == monitoring.next_due(placement), placement.id
        # Nothing recorded lies ahead of today but the open meetings.
        assert scalar("SELECT count(*) FROM monitoring_calls WHERE called_at > "
                      "CURRENT_TIMESTAMP") == 0
        assert scalar("SELECT count(*) FROM audit_events WHERE at > CURRENT_TIMESTAMP") == 0


def test_the_printed_sign_in_works_and_the_staff_pages_answer(world):
    app, output = world
    password = printed(output, "Every account's password:")
    manager = printed(output, "Team manager signs in as")
    admin = printed(output, "Administrator signs in as")
    with app.app_context():
        meeting = scalar(f"SELECT m.id FROM meetings m JOIN participants p ON p.meeting_id = "
                         f"m.id JOIN users u ON u.id = p.user_id WHERE u.email = '{manager}' "
                         f"AND p.meeting_role = 'chair' AND m.status = 'closed' "
                         f"ORDER BY m.last_seq DESC")
        child = scalar(f"SELECT child_id FROM meetings WHERE id = {meeting}")
        concern = scalar("SELECT id FROM stability_concerns ORDER BY id DESC")
    pages = {manager: ["/", "/panels", "/documents", "/stability/", "/stability/monitoring",
                       f"/meetings/{meeting}", f"/meetings/{meeting}/documents",
                       f"/meetings/{meeting}/trail", f"/children/{child}/plan",
                       f"/children/{child}/plan.csv", f"/stability/children/{child}",
                       f"/stability/concerns/{concern}"],
             admin: ["/admin/accounts", "/admin/audit", "/admin/meetings", "/admin/audit.csv",
                     "/admin/meeting-types", f"/children/{child}/plan.json"]}
    for email, urls in pages.items():
        client = app.test_client()
        response = sign_in(client, email, password)
        assert response.status_code == 302 and "/sign-in" not in response.headers["Location"]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200 and response.get_data(), url  # exports stream
            response.close()


def test_a_database_with_records_is_emptied_only_when_asked(world):
    app, _ = world
    before = table_counts(app)
    refused = run(app)
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert table_counts(app) == before
    again = run(app, "--yes")
    assert again.exit_code == 0, again.output
    with app.app_context():
        # The sequences carry on after the loaded rows: the app adds records as usual.
        assert create_user("new.person@example.org", "New Person", "a long password").id \
            == before["users"] + 1


def test_the_same_seed_builds_the_same_records(world):
    app, _ = world

    def digest(seed):
        with app.app_context():
            reference = {**loader.reference(), "password_hash": "the same"}
            hashed = hashlib.sha256()
            for table, rows in build(reference, size="team", scale=0.05, seed=seed,
                                     today=date(2026, 11, 24)):
                hashed.update(repr((table, rows)).encode())
            return hashed.hexdigest()

    assert digest(3) == digest(3) != digest(4)


def test_the_generator_gives_every_column_of_every_table(world):
    """A column added to a model must be filled here too (else it would load empty)."""
    app, _ = world
    with app.app_context():
        reference = loader.reference()
        given = {}
        for table, rows in build(reference, size="team", seed=3):  # every table has rows
            for row in rows:
                given.setdefault(table, set()).update(row)
        for table in TABLES:
            columns = {c.name for c in db.metadata.tables[table].columns}
            assert given.get(table) == columns, table


@pytest.fixture
def postgres_database():
    """A throwaway PostgreSQL database with a name of its own, dropped afterwards."""
    server = create_engine(psycopg_url(POSTGRES), isolation_level="AUTOCOMMIT",
                           poolclass=NullPool)
    name = f"facilitator_sample_{uuid.uuid4().hex[:12]}"
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as error:  # no server: a failure in CI, a skip on a developer's machine
        missing(f"PostgreSQL is not reachable at {POSTGRES}: {error}")
    yield make_url(psycopg_url(POSTGRES)).set(database=name).render_as_string(
        hide_password=False)
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_copy_loads_the_same_rows_as_sqlite(tmp_path, postgres_database):
    worlds = {}
    for label, url in (("sqlite", f"sqlite:///{tmp_path / 'same.db'}"),
                       ("postgresql", postgres_database)):
        app = build_app(url)
        result = run(app, "--today", DAY)
        assert result.exit_code == 0, result.output
        worlds[label] = table_counts(app)
        if label == "postgresql":
            with app.app_context():
                assert db.engine.dialect.name == "postgresql"
                assert "GiB" in result.output  # the database's size, from PostgreSQL
                # COPY kept every value: the JSON, the PDFs, the dates.
                assert scalar("SELECT count(*) FROM documents WHERE substr(pdf, 1, 5) = "
                              "'%PDF-'::bytea") == worlds[label]["documents"]
                assert scalar("SELECT count(*) FROM meeting_events WHERE payload::text LIKE "
                              "'{%'") == worlds[label]["meeting_events"]
                # The sequences carry on after the loaded rows.
                assert create_user("next@example.org", "Next Person", "a long password").id \
                    == worlds[label]["users"] + 1
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert worlds["postgresql"] == worlds["sqlite"]
    assert worlds["sqlite"]["audit_events"] > worlds["sqlite"]["meeting_events"] > 0
