"""Versioned storage in SQLAlchemy: every import or rollback is one transaction recorded as a revision.

Each dataset table keeps every row ever stored with the revision that added it (``valid_from``) and the one
that removed it (``valid_to``, NULL while current), so the state after any revision can be read back exactly.
"""

from __future__ import annotations

import datetime as dt
import getpass
import itertools
import os
import weakref
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from kpi.ingest.schemas import DATASETS, NOTES, STORED_TYPES, columns_of
from kpi.text.worded import Worded

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE = PROJECT_ROOT / "var" / "kpi.sqlite3"
INSERT_CHUNK = 50_000

metadata = sa.MetaData()
revisions = sa.Table(
    "revisions", metadata,
    sa.Column("revision", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(32), nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),  # append | replace | rollback
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.String(128), nullable=False),
    sa.Column("file_name", sa.String(512), nullable=False, default=""),
    sa.Column("sha256", sa.String(64), nullable=False, default=""),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("restores", sa.Integer, nullable=True),  # the revision a rollback brought back
    # The plan the person confirmed (kpi.store.plan): a second click or a replayed request finds it and stores nothing.
    sa.Column("plan_token", sa.String(64), nullable=True, unique=True),
)

profiles = sa.Table(
    "mapping_profiles", metadata,
    sa.Column("profile_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("dataset", sa.String(32), nullable=False),
    sa.Column("signature", sa.String(64), nullable=False, index=True),
    sa.Column("mapping", sa.JSON, nullable=False),
    sa.Column("constants", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.String(128), nullable=False),
)

# The sign-in throttle (kpi.store.identity.Throttle): failed attempts per key (browser session, client address),
# in the database so that every replica counts the same guesses and a restart forgets none.
signin_attempts = sa.Table(
    "signin_attempts", metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False),  # seconds since the epoch: the same clock on every replica
)
THROTTLE_FORGET_S = 24 * 3600.0  # a key idle this long starts over

# Analyst accounts created in the browser from the one-time setup link (kpi.store.identity): scrypt hashes only.
db_accounts = sa.Table(
    "analyst_accounts", metadata,
    sa.Column("name", sa.String(128), primary_key=True),  # casefolded
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_via", sa.String(32), nullable=False),
)
setup_tokens = sa.Table(
    "setup_tokens", metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),  # the link's token is never stored, only its hash
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("used_by", sa.String(128), nullable=True),
)

_SQL_TYPES = {"int64": sa.BigInteger, "float64": sa.Float, "datetime64[ns]": sa.Date, "str": sa.Text}


def _dataset_table(name: str) -> sa.Table:
    columns = [sa.Column(col.name, _SQL_TYPES[STORED_TYPES[col.kind]], nullable=not col.required)
               for col in columns_of(name)]
    return sa.Table(
        f"data_{name}", metadata,
        sa.Column("row_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("valid_from", sa.Integer, nullable=False, index=True),
        sa.Column("valid_to", sa.Integer, nullable=True, index=True),
        *columns,
    )


TABLES = {name: _dataset_table(name) for name in [*DATASETS, *NOTES]}


class StorageError(Worded, RuntimeError):
    """A storage problem worded for the user (unreachable, read-only, unknown revision): a catalogue key and its
    fields (``str()`` is the English text, for the CLI and logs; ``text_in(lang)`` the reader's), or an already
    worded message."""

    def __init__(self, key: str, **fields):
        super().__init__(key, **fields)
        self.args = (self.text_in("en"),)


class AlreadyStored(StorageError):
    """This plan was committed before (double click, replayed request): nothing more was stored."""

    def __init__(self, revision: int):
        super().__init__("store.already_stored", revision=revision)
        self.revision = revision


class StalePlan(StorageError):
    """The dataset changed after the plan was shown (someone else committed): nothing was stored."""

    def __init__(self, dataset: str, expected: int, found: int):
        super().__init__("store.stale_plan", dataset=dataset, found=found, expected=expected)
        self.dataset, self.expected, self.found = dataset, expected, found


def database_url() -> str:
    return os.environ.get("KPI_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:  # a read-only database keeps its journal mode
        pass
    cursor.execute(f"PRAGMA busy_timeout={int(os.environ.get('KPI_SQLITE_BUSY_TIMEOUT_MS', '30000'))}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_engines: dict[str, sa.Engine] = {}
_read_only_engines: weakref.WeakSet = weakref.WeakSet()  # engines opened read-only: a write is refused at once


class ReadOnly(StorageError):
    """The database can be read but not written by this program: nothing was stored."""


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?")[0].removeprefix("file:")
    return None if path in ("", ":memory:") else Path(path)


def _cannot_write(path: Path) -> bool:
    """An existing SQLite file this process may not change: the file, or its folder (journal and WAL files)."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _read_only_url(path: Path) -> str:
    """Read-only, and immutable when the folder cannot hold SQLite's shared-memory file for a WAL database."""
    flags = "mode=ro" if os.access(path.parent, os.W_OK) else "immutable=1"
    return f"sqlite:///file:{path}?{flags}&uri=true"


def get_engine(url: str | None = None) -> sa.Engine:
    """One engine per URL; creates the SQLite folder and the tables on first use.

    A SQLite file (or folder) this process cannot write is opened read-only: the pages and `kpi values` read it,
    and a write is refused with ReadOnly before anything starts.
    """
    url = url or database_url()
    if url not in _engines:
        path = _sqlite_path(url)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                if not path.exists():
                    raise StorageError("store.folder", reason=str(exc)) from None
        opened = _read_only_url(path) if path is not None and not _read_only(url) and _cannot_write(path) else url
        engine = sa.create_engine(opened, future=True)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        if _read_only(opened):
            _read_only_engines.add(engine)
        try:
            if not _read_only(opened):
                metadata.create_all(engine)
                _add_missing_columns(engine)
            else:
                with engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1 FROM revisions LIMIT 1")
        except sa.exc.OperationalError as exc:
            raise StorageError("store.cannot_open", url=engine.url.render_as_string(hide_password=True),
                               reason=str(exc.orig)) from None
        _engines[url] = engine
    return _engines[url]


def _read_only(url: str) -> bool:
    return "mode=ro" in url or "immutable=1" in url


def is_read_only(engine: sa.Engine) -> bool:
    return engine in _read_only_engines


# Columns renamed in the contract (old -> new), applied to a database created before the rename.
RENAMED_COLUMNS = {"data_enrolment": {"level": "study_level", "international": "intl_students"},
                   "data_staff": {"total": "headcount", "foreign": "foreign_staff"}}


def _add_missing_columns(engine: sa.Engine) -> None:
    """Migrations that keep stored rows: renamed columns get their new names, a column added to the contract is
    added (nullable), and a column the contract no longer requires stops being NOT NULL (a target whose source
    states no year has no target period)."""
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table in [revisions, *TABLES.values()]:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for old, new in RENAMED_COLUMNS.get(table.name, {}).items():
                if old in present and new not in present:
                    conn.exec_driver_sql(f'ALTER TABLE {table.name} RENAME COLUMN "{old}" TO "{new}"')
                    present = (present - {old}) | {new}
            for column in table.columns:
                if column.name not in present:
                    kind = column.type.compile(dialect=engine.dialect)
                    conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                    if column.unique:
                        conn.exec_driver_sql(f'CREATE UNIQUE INDEX IF NOT EXISTS uq_{table.name}_{column.name} '
                                             f'ON {table.name} ("{column.name}")')
    inspector = sa.inspect(engine)
    for table in TABLES.values():
        stored = {c["name"]: c for c in inspector.get_columns(table.name)}
        relax = [c.name for c in table.columns if c.nullable and c.name in stored and not stored[c.name]["nullable"]]
        if relax:
            _drop_not_null(engine, table, relax, list(stored))


def _drop_not_null(engine: sa.Engine, table: sa.Table, names: list[str], stored: list[str]) -> None:
    """PostgreSQL drops the constraint in place; SQLite cannot, so the table is rebuilt with its rows."""
    with engine.begin() as conn:
        if engine.dialect.name != "sqlite":
            for name in names:
                conn.exec_driver_sql(f'ALTER TABLE {table.name} ALTER COLUMN "{name}" DROP NOT NULL')
            return
        old = f"{table.name}_before_migration"
        for index in sa.inspect(conn).get_indexes(table.name):
            conn.exec_driver_sql(f'DROP INDEX "{index["name"]}"')
        conn.exec_driver_sql(f"ALTER TABLE {table.name} RENAME TO {old}")
        table.create(conn)
        kept = ", ".join(f'"{c.name}"' for c in table.columns if c.name in stored)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({kept}) SELECT {kept} FROM {old}")
        conn.exec_driver_sql(f"DROP TABLE {old}")


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _column_values(series: pd.Series, kind: str) -> list:
    """Python values the driver accepts (int, float, str, date or None), converted column-wise."""
    if kind.startswith("datetime"):
        dates = pd.to_datetime(series)
        return [d if not pd.isna(d) else None for d in dates.dt.date.tolist()]
    if kind == "int64":
        return pd.array(series, dtype="Int64").to_numpy(dtype=object, na_value=None).tolist()
    if kind == "float64":
        return pd.array(series, dtype="Float64").to_numpy(dtype=object, na_value=None).tolist()
    return series.astype(object).where(series.notna(), None).tolist()


def _rows(dataset: str, frame: pd.DataFrame, revision: int):
    """Plain tuples (valid_from, *columns) for the driver, chunk by chunk so a million rows never sit in memory
    as Python objects at once."""
    columns = columns_of(dataset)
    frame = frame.reindex(columns=[col.name for col in columns])
    for start in range(0, len(frame), INSERT_CHUNK):
        part = frame.iloc[start:start + INSERT_CHUNK]
        values = [_column_values(part[col.name], STORED_TYPES[col.kind]) for col in columns]
        yield list(zip(itertools.repeat(revision, len(part)), *values))


def _insert_sql(conn: sa.Connection, table: sa.Table, names: list[str]) -> str:
    placeholder = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in ["valid_from", *names])
    return f"INSERT INTO {table.name} ({quoted}) VALUES ({', '.join([placeholder] * (len(names) + 1))})"


def _new_revision(conn: sa.Connection, dataset: str, action: str, *, user: str | None, file_name: str,
                  sha256: str, row_count: int, note: str, restores: int | None = None,
                  token: str | None = None) -> int:
    result = conn.execute(revisions.insert().values(
        dataset=dataset, action=action, created_at=dt.datetime.now(dt.UTC), user=user or _current_user(),
        file_name=file_name, sha256=sha256, row_count=row_count, note=note, restores=restores,
        plan_token=token or None))
    return int(result.inserted_primary_key[0])


def _check_plan(conn: sa.Connection, dataset: str, token: str | None, expect_base: int | None) -> None:
    """Inside the write transaction: a plan runs once, and only on the data it was made from."""
    def already_stored() -> None:
        done = conn.execute(sa.select(revisions.c.revision).where(revisions.c.plan_token == token)).scalar()
        if done is not None:
            raise AlreadyStored(int(done))

    if token:
        already_stored()
    if expect_base is not None:
        found = _dataset_revision(conn, dataset)
        if found != expect_base:
            if token:  # the same plan may have landed between the two reads (a second click, another replica):
                already_stored()  # under READ COMMITTED each statement sees what committed before it began
            raise StalePlan(dataset, expect_base, found)


def _dataset_revision(conn: sa.Connection, dataset: str) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(revisions.c.revision), 0))
                            .where(revisions.c.dataset == dataset)).scalar_one())


def dataset_revision(dataset: str, *, engine: sa.Engine | None = None) -> int:
    """The newest revision of one dataset (0 when it has none): what a plan is made from."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        return _dataset_revision(conn, dataset)


def revisions_with_sha(dataset: str, sha256: str, *, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Imports (append or replace) of the file with this sha256 into ``dataset``, oldest first."""
    engine = engine or get_engine()
    if not sha256:
        return pd.DataFrame(columns=[c.name for c in revisions.columns])
    query = (sa.select(revisions).where(revisions.c.dataset == dataset, revisions.c.sha256 == sha256,
                                        revisions.c.action.in_(["append", "replace"]))
             .order_by(revisions.c.revision))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in revisions.columns])


SLICE_BATCH = 200  # slices per UPDATE: keeps the OR-of-ANDs well inside every database's expression limits


def _slice_condition(table: sa.Table, part: dict):
    return sa.and_(*[table.c[name].is_(None) if value is None else table.c[name] == value
                     for name, value in part.items()])


def _begin(engine: sa.Engine):
    """A write transaction; on SQLite take the write lock at once so two imports queue instead of failing."""
    refuse_if_read_only(engine)
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.begin()
    return conn


def store(dataset: str, frame: pd.DataFrame, *, mode: str = "append", user: str | None = None,
          file_name: str = "", sha256: str = "", note: str = "", scope: dict[str, list] | None = None,
          slices: list[dict] | None = None, token: str | None = None, expect_base: int | None = None,
          engine: sa.Engine | None = None, progress=None) -> int:
    """Write validated rows as one revision. Returns the revision id.

    ``replace`` removes the current rows first: all of them, only those in ``slices`` (each a dict column ->
    value, e.g. {"direction": "inbound", "fiscal_year": 2023}: exactly what the file holds), or those whose
    columns take the values listed in ``scope``. ``token`` (the confirmed plan) makes a repeat store nothing
    (AlreadyStored); ``expect_base`` refuses to write when the dataset moved on since the plan (StalePlan).
    """
    if mode not in ("append", "replace"):
        raise ValueError("mode must be append or replace")
    engine = engine or get_engine()
    table = TABLES[dataset]
    with _begin(engine) as conn:
        try:
            _check_plan(conn, dataset, token, expect_base)
            revision = _new_revision(conn, dataset, mode, user=user, file_name=file_name, sha256=sha256,
                                     row_count=len(frame), note=note, token=token)
            if mode == "replace" and slices is not None:
                for start in range(0, len(slices), SLICE_BATCH):
                    batch = [_slice_condition(table, part) for part in slices[start:start + SLICE_BATCH]]
                    if batch:
                        conn.execute(table.update().where(table.c.valid_to.is_(None), sa.or_(*batch))
                                     .values(valid_to=revision))
            elif mode == "replace":
                condition = [table.c.valid_to.is_(None)]
                condition += [table.c[name].in_(values) for name, values in (scope or {}).items()]
                conn.execute(table.update().where(*condition).values(valid_to=revision))
            names = [col.name for col in columns_of(dataset)]
            sql = _insert_sql(conn, table, names)
            done = 0
            for chunk in _rows(dataset, frame, revision):
                conn.exec_driver_sql(sql, chunk)  # the driver's executemany: far faster than ORM-style dicts
                done += len(chunk)
                if progress:
                    progress(done / max(len(frame), 1))
            conn.commit()
        except BaseException as exc:
            conn.rollback()
            _raise_if_raced(engine, token, exc)
            raise
    return revision


def refuse_if_read_only(engine: sa.Engine) -> None:
    if is_read_only(engine):
        where = str(engine.url.database or "").removeprefix("file:")
        raise ReadOnly("store.read_only", where=where)


def rollback(revision: int, *, dataset: str | None = None, user: str | None = None, note: str = "",
             token: str | None = None, expect_base: int | None = None, engine: sa.Engine | None = None) -> int:
    """Restore a dataset to its state right after ``revision``, as a new revision (history is kept).

    With ``dataset``, a revision of another dataset is refused (the person chose the dataset first).
    """
    engine = engine or get_engine()
    with _begin(engine) as conn:
        try:
            target = conn.execute(sa.select(revisions).where(revisions.c.revision == revision)).mappings().first()
            if target is None:
                raise StorageError("store.no_revision", revision=revision)
            if dataset is not None and target["dataset"] != dataset:
                raise StorageError("store.other_dataset", revision=revision, found=target["dataset"], dataset=dataset)
            _check_plan(conn, target["dataset"], token, expect_base)
            table = TABLES[target["dataset"]]
            names = [col.name for col in columns_of(target["dataset"])]
            state = sa.select(*[table.c[n] for n in names]).where(_live_at(table, revision))
            count = conn.execute(sa.select(sa.func.count()).select_from(state.subquery())).scalar_one()
            new = _new_revision(conn, target["dataset"], "rollback", user=user, file_name=target["file_name"],
                                sha256=target["sha256"], row_count=count,
                                note=note or f"rollback to revision {revision}", restores=revision, token=token)
            conn.execute(table.update().where(table.c.valid_to.is_(None)).values(valid_to=new))
            conn.execute(table.insert().from_select(
                [*names, "valid_from"], sa.select(*[table.c[n] for n in names], sa.literal(new))
                .where(_live_at(table, revision))))
            conn.commit()
        except BaseException as exc:
            conn.rollback()
            _raise_if_raced(engine, token, exc)
            raise
    return new


def _raise_if_raced(engine: sa.Engine, token: str | None, exc: BaseException) -> None:
    """Two commits of one plan at the same moment (PostgreSQL lets both pass the check): the unique token stops
    the second at insert; report it as the AlreadyStored it is."""
    if not token or not isinstance(exc, sa.exc.IntegrityError):
        return
    with engine.connect() as conn:
        done = conn.execute(sa.select(revisions.c.revision).where(revisions.c.plan_token == token)).scalar()
    if done is not None:
        raise AlreadyStored(int(done)) from None


def _live_at(table: sa.Table, revision: int):
    return sa.and_(table.c.valid_from <= revision,
                   sa.or_(table.c.valid_to.is_(None), table.c.valid_to > revision))


def load(dataset: str, *, at_revision: int | None = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """The rows of a dataset as they stand now (or right after ``at_revision``), typed as in the contract."""
    engine = engine or get_engine()
    table = TABLES[dataset]
    names = [col.name for col in columns_of(dataset)]
    condition = table.c.valid_to.is_(None) if at_revision is None else _live_at(table, at_revision)
    query = sa.select(*[table.c[n] for n in names]).where(condition).order_by(table.c.row_id)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=names)
    for col in columns_of(dataset):
        kind = STORED_TYPES[col.kind]
        if kind == "int64":
            frame[col.name] = pd.to_numeric(frame[col.name]).astype("int64" if col.required else "Int64")
        elif kind == "float64":
            frame[col.name] = pd.to_numeric(frame[col.name]).astype("float64")
        elif kind.startswith("datetime"):
            frame[col.name] = pd.to_datetime(frame[col.name])
    return frame


def load_all(*, at_revision: int | None = None, engine: sa.Engine | None = None) -> dict[str, pd.DataFrame]:
    return {name: load(name, at_revision=at_revision, engine=engine) for name in DATASETS}


def history(*, engine: sa.Engine | None = None) -> pd.DataFrame:
    engine = engine or get_engine()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(revisions).order_by(revisions.c.revision)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in revisions.columns])


def latest_revision(*, engine: sa.Engine | None = None) -> int:
    """The newest revision id (0 when empty): the cache key for everything computed from the data."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(revisions.c.revision), 0))).scalar_one())


def save_profile(name: str, dataset: str, signature: str, mapping: dict[str, str], constants: dict[str, str], *,
                 user: str | None = None, engine: sa.Engine | None = None) -> int:
    """Remember how a source's files map onto the contract; the newest profile for a header signature wins."""
    engine = engine or get_engine()
    refuse_if_read_only(engine)
    with engine.begin() as conn:
        result = conn.execute(profiles.insert().values(
            name=name, dataset=dataset, signature=signature, mapping=mapping, constants=constants,
            created_at=dt.datetime.now(dt.UTC), user=user or _current_user()))
        return int(result.inserted_primary_key[0])


def find_profile(dataset: str, signature: str | None, *, engine: sa.Engine | None = None) -> dict | None:
    if not signature:
        return None
    engine = engine or get_engine()
    query = (sa.select(profiles).where(profiles.c.dataset == dataset, profiles.c.signature == signature)
             .order_by(profiles.c.profile_id.desc()).limit(1))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def throttle_state(keys: list[str], *, engine: sa.Engine | None = None) -> dict[str, tuple[int, float]]:
    """key -> (failed attempts, time of the last one) for the keys that have any."""
    engine = engine or get_engine()
    query = sa.select(signin_attempts).where(signin_attempts.c.key.in_([k[:255] for k in keys]))
    with engine.connect() as conn:
        return {row.key: (int(row.failures), float(row.last_at)) for row in conn.execute(query)}


def throttle_failed(keys: list[str], now: float, *, engine: sa.Engine | None = None) -> None:
    """One more failed attempt under each key, counted atomically (two replicas at once both count)."""
    engine = engine or get_engine()
    table = signin_attempts
    for key in dict.fromkeys(k[:255] for k in keys):
        for _ in range(3):  # an insert racing another replica's insert of the same key: update instead
            try:
                with engine.begin() as conn:
                    done = conn.execute(table.update().where(table.c.key == key)
                                        .values(failures=table.c.failures + 1, last_at=now)).rowcount
                    if not done:
                        conn.execute(table.insert().values(key=key, failures=1, last_at=now))
                break
            except sa.exc.IntegrityError:
                continue
    with engine.begin() as conn:
        conn.execute(table.delete().where(table.c.last_at < now - THROTTLE_FORGET_S))


def throttle_clear(keys: list[str], *, engine: sa.Engine | None = None) -> None:
    engine = engine or get_engine()
    with engine.begin() as conn:
        conn.execute(signin_attempts.delete().where(signin_attempts.c.key.in_([k[:255] for k in keys])))


# --- accounts made from the setup link ---------------------------------------------------------------------------

def stored_accounts(*, engine: sa.Engine | None = None) -> dict[str, str]:
    """Analyst accounts kept in the database (name -> scrypt hash)."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        return {row.name: row.password_hash for row in conn.execute(sa.select(db_accounts))}


def add_setup_token(token_sha256: str, *, engine: sa.Engine | None = None) -> None:
    """A new one-time setup link; links not used yet are withdrawn (only the newest printed one works)."""
    engine = engine or get_engine()
    with engine.begin() as conn:
        conn.execute(setup_tokens.delete().where(setup_tokens.c.used_at.is_(None)))
        conn.execute(setup_tokens.insert().values(token_sha256=token_sha256, created_at=dt.datetime.now(dt.UTC)))


def setup_token_state(token_sha256: str, *, engine: sa.Engine | None = None) -> str:
    """'valid', 'used' or 'unknown'."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        row = conn.execute(sa.select(setup_tokens).where(setup_tokens.c.token_sha256 == token_sha256)).first()
    return "unknown" if row is None else "used" if row.used_at is not None else "valid"


def claim_setup_token(token_sha256: str, name: str, password_hash: str, *, engine: sa.Engine | None = None) -> bool:
    """In one transaction: the token is still unused, so it is spent and the first account created. False when the
    token is unknown or spent already (a second tab, a replayed request): nothing is written then."""
    engine = engine or get_engine()
    with _begin(engine) as conn:
        try:
            spent = conn.execute(setup_tokens.update().where(setup_tokens.c.token_sha256 == token_sha256,
                                                             setup_tokens.c.used_at.is_(None))
                                 .values(used_at=dt.datetime.now(dt.UTC), used_by=name))
            if spent.rowcount != 1:
                conn.rollback()
                return False
            conn.execute(db_accounts.insert().values(name=name, password_hash=password_hash,
                                                     created_at=dt.datetime.now(dt.UTC), created_via="setup_link"))
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return True
