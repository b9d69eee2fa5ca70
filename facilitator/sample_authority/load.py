"""Loading a sample authority into the configured database, fast: PostgreSQL's COPY (psycopg 3,
through the SQLAlchemy connection's driver connection), or SQLAlchemy Core's executemany on
other databases (SQLite, for the tests). One transaction: all of it, or nothing.

The schema comes from the migrations first (`flask db upgrade`); the meeting types and the
stability authorities they seed are what the records follow, and are kept when the tables
are emptied. Every other table is emptied before loading (TRUNCATE … RESTART IDENTITY CASCADE
on PostgreSQL); afterwards each table's id sequence continues after its last row.
"""
import json
import time

from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import JSON, LargeBinary, func, inspect, select

from facilitator.accounts.models import User
from facilitator.accounts.services import hasher
from facilitator.extensions import db
from facilitator.meetings.models import Meeting, MeetingType
from facilitator.sample_authority.build import TABLES, build
from facilitator.sample_authority.sizes import TEAM_MANAGER
from facilitator.stability.models import Authority

PASSWORD = "sample-authority-password"
# What the migrations seed and the records follow.
KEPT = {"alembic_version", "meeting_types", "stability_authorities"}
CHUNK = 5000


def prepare():
    """The schema, by the migrations (nothing to do when it is up to date)."""
    upgrade()


def has_records():
    """Whether the database holds anyone's meetings or staff accounts."""
    return bool(db.session.scalar(select(func.count()).select_from(Meeting)) or
                db.session.scalar(select(func.count()).select_from(User)))


def reference():
    """What the records follow: the seeded meeting types and the configured authority."""
    types = {row.code: dict(row._mapping)
             for row in db.session.execute(select(MeetingType.__table__))}
    code = current_app.config["FACILITATOR_AUTHORITY"]
    row = db.session.execute(select(Authority.__table__).filter_by(code=code)).first()
    if row is None:
        raise LookupError(f"No stability authority {code!r} (FACILITATOR_AUTHORITY).")
    return {"types": types, "authority": dict(row._mapping),
            "password_hash": hasher.hash(PASSWORD)}


def load(size, *, scale=1.0, seed=1, today=None):
    """Empty the tables and load the authority; returns what was loaded and how long it took."""
    started = time.monotonic()
    world = build(reference(), size=size, scale=scale, seed=seed, today=today)
    db.session.remove()
    engine = db.engine
    postgres = engine.dialect.name == "postgresql"
    counts = dict.fromkeys(TABLES, 0)
    with engine.begin() as connection:
        _empty(connection, postgres)
        writer = _Copier(connection) if postgres else _Inserter(connection)
        for table, rows in world:
            writer.write(db.metadata.tables[table], rows)
            counts[table] += len(rows)
        if postgres:
            _continue_sequences(connection)
    if postgres:
        # What autovacuum does to a database in use, at once: statistics for the planner and
        # the visibility map that lets an index answer a count without reading the table.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    return {"counts": counts, "seconds": time.monotonic() - started, **_sign_in(),
            "password": PASSWORD, "database_size": _size(postgres)}


def _empty(connection, postgres):
    present = set(inspect(connection).get_table_names())
    tables = [t for t in db.metadata.sorted_tables if t.name in present and t.name not in KEPT]
    if postgres:
        names = ", ".join(f'"{t.name}"' for t in tables)
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        for table in reversed(tables):
            connection.execute(table.delete())


def _continue_sequences(connection):
    for table in TABLES:
        if "id" not in db.metadata.tables[table].columns:
            continue  # meeting_closures: keyed by its meeting
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f"COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1, false)")


def _columns(table, rows):
    """The table's columns, each with the value a row leaves out (the model's default)."""
    names = [c.name for c in table.columns]
    unknown = set(rows[0]) - set(names)
    if unknown:
        raise KeyError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    defaults = {}
    for column in table.columns:
        default = column.default
        defaults[column.name] = default.arg if default is not None and default.is_scalar \
            else None
    return names, defaults


class _Inserter:
    """SQLAlchemy Core executemany, a chunk at a time."""

    def __init__(self, connection):
        self.connection = connection

    def write(self, table, rows):
        names, defaults = _columns(table, rows)
        for start in range(0, len(rows), CHUNK):
            chunk = [{name: row.get(name, defaults[name]) for name in names}
                     for row in rows[start:start + CHUNK]]
            self.connection.execute(table.insert(), chunk)


class _Copier:
    """PostgreSQL COPY … FROM STDIN through psycopg 3, one statement per table and batch."""

    def __init__(self, connection):
        self.cursor = connection.connection.driver_connection.cursor()

    def write(self, table, rows):
        names, defaults = _columns(table, rows)
        jsons = {c.name for c in table.columns if isinstance(c.type, JSON)}
        blobs = {c.name for c in table.columns if isinstance(c.type, LargeBinary)}
        getters = []
        for name in names:
            default = defaults[name]
            if name in jsons:
                getters.append(lambda row, n=name, d=default: json.dumps(row.get(n, d)))
            elif name in blobs:
                getters.append(lambda row, n=name, d=default: bytes(row.get(n, d)))
            else:
                getters.append(lambda row, n=name, d=default: row.get(n, d))
        columns = ", ".join(f'"{name}"' for name in names)
        with self.cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([get(row) for get in getters])


def _sign_in():
    """The sign-in emails to print: a team manager's and an administrator's."""
    manager = db.session.scalar(select(User.email).filter_by(job_title=TEAM_MANAGER)
                                .order_by(User.id).limit(1))
    admin = db.session.scalar(select(User.email).filter_by(is_admin=True)
                              .order_by(User.id).limit(1))
    db.session.remove()
    return {"team_manager": manager, "administrator": admin}


def _size(postgres):
    """The database's size on disk, in bytes (PostgreSQL), or None."""
    if not postgres:
        return None
    size = db.session.scalar(select(func.pg_database_size(func.current_database())))
    db.session.remove()
    return size
