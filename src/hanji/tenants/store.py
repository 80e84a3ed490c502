"""Tenants and API keys in SQLAlchemy 2: a SQLite file by default, PostgreSQL by URL.

The store never sees a key in clear: it is given the HMAC of a key (see `hanji.tenants.keys`)
and a short hint for people to tell keys apart. Rows leave the store as frozen dataclasses
so that no session or lazy load escapes into request handling.
"""

from __future__ import annotations

import re
import secrets
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from sqlalchemy import Float, String, bindparam, case, create_engine, delete, event, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from hanji.tenants.tables import (
    ApiKeyRow,
    DeletedTenantRow,
    RateBucketRow,
    TenantBase,
    TenantPolicyRow,
    TenantRow,
)

Profile = Literal["finance", "public", "general"]
PROFILES: tuple[str, ...] = get_args(Profile)

_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?)*$"
)


class StoreError(ValueError):
    """A store operation that cannot be done; the message says which name or id is wrong."""


_WATCHED_TABLES = ("api_keys", "tenants", "tenant_policies")


_OPS = ("insert", "update", "delete")


def _install_change_triggers(engine: Engine) -> bool:
    """SQLite triggers that bump `auth_changes` on every write to a watched table.

    Checked before written, so that a CLI starting beside a busy server takes no write lock.
    False if they are missing and cannot be made (a read-only file): then nothing is cached.
    """
    names = {f"auth_changes_{table}_{op}" for table in _WATCHED_TABLES for op in _OPS}
    with engine.connect() as conn:
        present = set(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
        )
        seeded = conn.exec_driver_sql("SELECT 1 FROM auth_changes WHERE id = 1").first()
    if names <= present and seeded is not None:
        return True
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT OR IGNORE INTO auth_changes (id, count) VALUES (1, 0)")
            for table in _WATCHED_TABLES:
                for op in _OPS:
                    conn.exec_driver_sql(
                        f"CREATE TRIGGER IF NOT EXISTS auth_changes_{table}_{op} "
                        f"AFTER {op.upper()} ON {table} "
                        "BEGIN UPDATE auth_changes SET count = count + 1 WHERE id = 1; END"
                    )
    except OperationalError:
        return False
    return True


def _install_pg_change_triggers(engine: Engine) -> bool:
    """PostgreSQL's statement triggers that bump `auth_changes`, like the SQLite ones.

    Checked before written; made under a transaction-scoped advisory lock, so replicas that
    start together do not race. False if they are missing and cannot be made (no rights).
    """
    names = {f"auth_changes_{table}" for table in _WATCHED_TABLES}
    query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    with engine.connect() as conn:
        present = set(conn.exec_driver_sql(query).scalars())
        seeded = conn.exec_driver_sql("SELECT 1 FROM auth_changes WHERE id = 1").first()
    if names <= present and seeded is not None:
        return True
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7210531)")  # any fixed number
            conn.exec_driver_sql(
                "INSERT INTO auth_changes (id, count) VALUES (1, 0) ON CONFLICT DO NOTHING"
            )
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION hanji_auth_changes_bump() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN "
                "UPDATE auth_changes SET count = count + 1 WHERE id = 1; RETURN NULL; END $$"
            )
            for table in _WATCHED_TABLES:
                conn.exec_driver_sql(
                    f"CREATE OR REPLACE TRIGGER auth_changes_{table} "
                    f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION hanji_auth_changes_bump()"
                )
    except (OperationalError, ProgrammingError):
        return False
    return True


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    profile: str
    allowed_models: tuple[str, ...]
    """Models this tenant may use; empty means every served model."""
    allowed_hosts: tuple[str, ...]
    """Upstream hosts inside this tenant's perimeter (used by the policy layer)."""
    created_at: datetime
    policy: dict[str, Any] = field(default_factory=dict, compare=False)
    """Overrides of the profile's policy, as stored (validated by `hanji.tenants.policy`)."""

    def may_use(self, model: str) -> bool:
        return not self.allowed_models or model in self.allowed_models


@dataclass(frozen=True)
class ApiKey:
    id: str
    tenant_id: str
    hint: str
    label: str | None
    rpm: int | None
    tpm: int | None
    created_at: datetime
    revoked_at: datetime | None = None
    tenant_name: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _tenant(row: Any, policy: dict[str, Any] | None = None) -> Tenant:
    return Tenant(
        id=row.id,
        name=row.name,
        profile=row.profile,
        allowed_models=tuple(row.allowed_models or ()),
        allowed_hosts=tuple(row.allowed_hosts or ()),
        created_at=_utc(row.created_at),  # type: ignore[arg-type]
        policy=dict(policy or {}),
    )


def _key(row: ApiKeyRow, tenant_name: str | None = None) -> ApiKey:
    return ApiKey(
        id=row.id,
        tenant_id=row.tenant_id,
        hint=row.hint,
        label=row.label,
        rpm=row.rpm,
        tpm=row.tpm,
        created_at=_utc(row.created_at),  # type: ignore[arg-type]
        revoked_at=_utc(row.revoked_at),
        tenant_name=tenant_name,
    )


def check_tenant_name(name: str) -> str:
    """NFC, 1-64 characters, no spaces or control characters (Korean names are welcome)."""
    name = unicodedata.normalize("NFC", name.strip())
    if not 1 <= len(name) <= 64:
        raise StoreError("tenant name must be 1 to 64 characters")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in name):
        raise StoreError("tenant name must not contain spaces or control characters")
    if name.startswith("-"):
        raise StoreError("tenant name must not start with '-'")
    return name


def check_hosts(hosts: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for host in hosts:
        clean = host.strip().lower().rstrip(".")
        if not _HOST.match(clean):
            raise StoreError(f"--allow-host: '{host}' is not a host name")
        if clean not in out:
            out.append(clean)
    return tuple(out)


class Store:
    """Repository for tenants and keys over one SQLAlchemy engine."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        parsed = make_url(url)
        kwargs: dict[str, Any] = {
            "echo": echo,
            "pool_pre_ping": not parsed.drivername.startswith("sqlite"),
        }
        if parsed.drivername.startswith("sqlite"):
            database = parsed.database
            if database and database != ":memory:":
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        self.url = parsed.render_as_string(hide_password=True)
        self.engine: Engine = create_engine(url, **kwargs)
        if parsed.drivername.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        TenantBase.metadata.create_all(self.engine)
        self._changes: _ChangeCounter | None = None
        if parsed.drivername.startswith("sqlite"):
            counted = _install_change_triggers(self.engine)
            if counted and parsed.database and parsed.database != ":memory:":
                self._changes = _ChangeCounter(self.engine)
        elif self.engine.dialect.name == "postgresql" and _install_pg_change_triggers(self.engine):
            self._changes = _ChangeCounter(self.engine)
        self._buckets = _BucketStatements(self.engine.dialect.name)
        self._bucket_engine: Engine | None = None
        if self.engine.dialect.name == "postgresql":
            # buckets on connections of their own: autocommit (each statement is atomic, one
            # round trip instead of BEGIN/UPDATE/COMMIT) and no wait for the WAL flush (a
            # bucket is a minute's allowance, not a record: a crash may forget its last
            # moves, which only refills it early). A connection the database dropped fails
            # one statement, which `take_allowance` retries on a fresh one.
            self._bucket_engine = create_engine(
                url,
                isolation_level="AUTOCOMMIT",
                pool_pre_ping=False,  # a ping per request doubled its cost; see below
                connect_args={"options": "-c synchronous_commit=off"},
            )
        keys, tenants = ApiKeyRow.__table__, TenantRow.__table__
        policies = TenantPolicyRow.__table__
        self._auth_query = (
            select(
                keys.c.id.label("k_id"),
                keys.c.hint.label("k_hint"),
                keys.c.label.label("k_label"),
                keys.c.rpm.label("k_rpm"),
                keys.c.tpm.label("k_tpm"),
                keys.c.created_at.label("k_created"),
                tenants.c.id.label("t_id"),
                tenants.c.name.label("t_name"),
                tenants.c.profile.label("t_profile"),
                tenants.c.allowed_models.label("t_models"),
                tenants.c.allowed_hosts.label("t_hosts"),
                tenants.c.created_at.label("t_created"),
                policies.c.overrides.label("t_policy"),
            )
            .join_from(keys, tenants, keys.c.tenant_id == tenants.c.id)
            .outerjoin(policies, policies.c.tenant_id == tenants.c.id)
            .where(keys.c.key_hash == bindparam("key_hash"), keys.c.revoked_at.is_(None))
        )

    def close(self) -> None:
        if self._changes is not None:
            self._changes.close()
        if self._bucket_engine is not None:
            self._bucket_engine.dispose()
        self.engine.dispose()

    def _bucket_connection(self) -> Any:
        if self._bucket_engine is not None:
            return self._bucket_engine.connect()
        return self.engine.begin()

    def auth_changes(self) -> int | None:
        """How many times keys, tenants or policies changed; None where it is not counted.

        Cheap enough for every request (one primary-key read on a connection of its own);
        counted for SQLite files and PostgreSQL, where triggers keep it. None means: do not
        cache.
        """
        return self._changes.read() if self._changes is not None else None

    # ------------------------------------------------------------ tenants

    def create_tenant(
        self,
        name: str,
        profile: str,
        *,
        allowed_models: Sequence[str] = (),
        allowed_hosts: Sequence[str] = (),
    ) -> Tenant:
        name = check_tenant_name(name)
        if profile not in PROFILES:
            raise StoreError(f"--profile must be one of {', '.join(PROFILES)}, got '{profile}'")
        row = TenantRow(
            id=self._fresh_tenant_id(),
            name=name,
            profile=profile,
            allowed_models=[m.strip() for m in allowed_models if m.strip()],
            allowed_hosts=list(check_hosts(allowed_hosts)),
            created_at=datetime.now(UTC),
        )
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
                session.flush()
                tenant = _tenant(row)
        except IntegrityError:
            raise StoreError(f"a tenant named '{name}' already exists") from None
        return tenant

    def _fresh_tenant_id(self) -> str:
        """A random id that no tenant, living or deleted, ever had."""
        with Session(self.engine) as session:
            while True:
                tenant_id = "ten_" + secrets.token_hex(8)
                if (
                    session.get(TenantRow, tenant_id) is None
                    and session.get(DeletedTenantRow, tenant_id) is None
                ):
                    return tenant_id

    def rename_tenant(self, old: str, new: str) -> Tenant:
        """Give a tenant a new name; its id, and so everything keyed by it, stays."""
        tenant = self.require_tenant(old)
        new = check_tenant_name(new)
        if new == tenant.name:
            raise StoreError(f"tenant '{tenant.name}' already has that name")
        try:
            with Session(self.engine) as session, session.begin():
                row = session.get(TenantRow, tenant.id)
                if row is None:
                    raise StoreError(f"no tenant named '{old}'")
                row.name = new
        except IntegrityError:
            raise StoreError(f"a tenant named '{new}' already exists") from None
        return self.require_tenant(new)

    def delete_tenant(self, tenant_id: str) -> int:
        """Remove a tenant's row, policy and API keys; keep its id as a tombstone.

        Returns how many API keys were removed. The id goes to `deleted_tenants`, so it is
        never given out again and reports can still name it.
        """
        with Session(self.engine) as session, session.begin():
            row = session.get(TenantRow, tenant_id)
            if row is None:
                raise StoreError(f"no tenant with id '{tenant_id}'")
            session.add(DeletedTenantRow(id=row.id, name=row.name, deleted_at=datetime.now(UTC)))
            key_ids = select(ApiKeyRow.id).where(ApiKeyRow.tenant_id == tenant_id)
            session.execute(delete(RateBucketRow).where(RateBucketRow.key_id.in_(key_ids)))
            keys = session.execute(delete(ApiKeyRow).where(ApiKeyRow.tenant_id == tenant_id))
            session.execute(delete(TenantPolicyRow).where(TenantPolicyRow.tenant_id == tenant_id))
            session.delete(row)
            return int(keys.rowcount or 0)

    def list_tenants(self) -> list[Tenant]:
        with Session(self.engine) as session:
            rows = session.scalars(select(TenantRow).order_by(TenantRow.created_at)).all()
            policies = {p.tenant_id: p.overrides for p in session.scalars(select(TenantPolicyRow))}
            return [_tenant(r, policies.get(r.id)) for r in rows]

    def get_tenant(self, name: str) -> Tenant | None:
        name = unicodedata.normalize("NFC", name.strip())
        with Session(self.engine) as session:
            row = session.scalars(select(TenantRow).where(TenantRow.name == name)).first()
            if row is None:
                return None
            policy = session.get(TenantPolicyRow, row.id)
            return _tenant(row, policy.overrides if policy else None)

    def require_tenant(self, name: str) -> Tenant:
        tenant = self.get_tenant(name)
        if tenant is None:
            raise StoreError(f"no tenant named '{name}'; list them with `hanji tenant list`")
        return tenant

    def tenant_names(self) -> dict[str, str]:
        """Tenant id -> name, for reports that hold ids only (the audit log).

        Deleted tenants are named too, as ``NAME (deleted)``.
        """
        with Session(self.engine) as session:
            gone = session.execute(select(DeletedTenantRow.id, DeletedTenantRow.name)).all()
            names = {tenant_id: f"{name} (deleted)" for tenant_id, name in gone}
            living = session.execute(select(TenantRow.id, TenantRow.name)).all()
            names.update((tenant_id, name) for tenant_id, name in living)
            return names

    def set_policy(self, name: str, overrides: dict[str, Any]) -> Tenant:
        """Replace a tenant's policy overrides (the caller validated them)."""
        tenant = self.require_tenant(name)
        with Session(self.engine) as session, session.begin():
            row = session.get(TenantPolicyRow, tenant.id)
            if row is None:
                session.add(
                    TenantPolicyRow(
                        tenant_id=tenant.id, overrides=dict(overrides), updated_at=datetime.now(UTC)
                    )
                )
            else:
                row.overrides = dict(overrides)
                row.updated_at = datetime.now(UTC)
        return self.require_tenant(name)

    def revoke_tenant_keys(self, tenant_id: str) -> int:
        """Revoke every active key of a tenant (e.g. when it is shredded); returns how many."""
        now = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            rows = session.scalars(
                select(ApiKeyRow).where(
                    ApiKeyRow.tenant_id == tenant_id, ApiKeyRow.revoked_at.is_(None)
                )
            ).all()
            for row in rows:
                row.revoked_at = now
            return len(rows)

    # ------------------------------------------------------------ keys

    def add_key(
        self,
        tenant_name: str,
        *,
        key_hash: str,
        hint: str,
        label: str | None = None,
        rpm: int | None = None,
        tpm: int | None = None,
    ) -> ApiKey:
        """Record a key by its HMAC; the caller generated the key and shows it once."""
        tenant = self.get_tenant(tenant_name)
        if tenant is None:
            raise StoreError(
                f"no tenant named '{tenant_name}'; create it with `hanji tenant create`"
            )
        for flag, value in (("--rpm", rpm), ("--tpm", tpm)):
            if value is not None and value < 1:
                raise StoreError(f"{flag} must be at least 1, got {value}")
        row = ApiKeyRow(
            id="key_" + secrets.token_hex(8),
            tenant_id=tenant.id,
            key_hash=key_hash,
            hint=hint,
            label=label,
            rpm=rpm,
            tpm=tpm,
            created_at=datetime.now(UTC),
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return _key(row, tenant.name)

    def list_keys(self, tenant_name: str | None = None) -> list[ApiKey]:
        query = select(ApiKeyRow, TenantRow.name).join(
            TenantRow, ApiKeyRow.tenant_id == TenantRow.id
        )
        if tenant_name is not None:
            if self.get_tenant(tenant_name) is None:
                raise StoreError(f"no tenant named '{tenant_name}'")
            query = query.where(TenantRow.name == unicodedata.normalize("NFC", tenant_name.strip()))
        with Session(self.engine) as session:
            rows = session.execute(query.order_by(ApiKeyRow.created_at)).all()
            return [_key(key, name) for key, name in rows]

    def revoke_key(self, key_id: str) -> ApiKey:
        with Session(self.engine) as session, session.begin():
            row = session.get(ApiKeyRow, key_id.strip())
            if row is None:
                raise StoreError(
                    f"no key with id '{key_id}'; list them with `hanji tenant key list`"
                )
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
            session.flush()
            return _key(row)

    def authenticate(self, key_hash: str) -> tuple[Tenant, ApiKey] | None:
        """The tenant and key for an active key hash: one indexed query on every request.

        Core, not the ORM: this runs per request and the ORM session costs ~10x more.
        """
        with self.engine.connect() as conn:
            row = conn.execute(self._auth_query, {"key_hash": key_hash}).first()
        if row is None:
            return None
        m = row._mapping
        tenant = Tenant(
            id=m["t_id"],
            name=m["t_name"],
            profile=m["t_profile"],
            allowed_models=tuple(m["t_models"] or ()),
            allowed_hosts=tuple(m["t_hosts"] or ()),
            created_at=_utc(m["t_created"]),  # type: ignore[arg-type]
            policy=dict(m["t_policy"] or {}),
        )
        key = ApiKey(
            id=m["k_id"],
            tenant_id=m["t_id"],
            hint=m["k_hint"],
            label=m["k_label"],
            rpm=m["k_rpm"],
            tpm=m["k_tpm"],
            created_at=_utc(m["k_created"]),  # type: ignore[arg-type]
            tenant_name=m["t_name"],
        )
        return tenant, key

    # ------------------------------------------------------------ shared rate limits

    def take_allowance(
        self, key_id: str, kind: str, capacity: int, amount: float, now: float
    ) -> tuple[float, float, float] | None:
        """Refill a key's bucket to ``now`` and take ``amount`` from it, atomically.

        One UPDATE that only matches while the refilled level covers ``amount``: concurrent
        replicas serialise on the row, and none sees a level another has spent. Returns
        None when taken, else the bucket's (capacity, level, updated) for the wait.
        ``amount`` 0 only checks for a positive level (tokens/min admission).
        """
        params = {"b_key": key_id, "b_kind": kind, "b_cap": float(capacity), "b_now": now}
        params["b_amount"] = float(amount)
        stm = self._buckets
        resets, broken = 0, 0
        while True:
            try:
                with self._bucket_connection() as conn:
                    if amount > 0 and conn.execute(stm.take, params).first() is not None:
                        return None
                    row = conn.execute(stm.read, params).first()
                    if row is not None and row.capacity == float(capacity):
                        level = stm.refill(row, now)
                        if amount == 0 and level > 0:
                            return None
                        return row.capacity, level, max(row.updated, now)
                    conn.execute(stm.reset, params)  # new bucket, or the key's limit changed
            except DBAPIError as exc:
                broken += 1
                if not exc.connection_invalidated or broken > 1:
                    raise
                continue  # the database restarted: once more on a fresh connection
            resets += 1
            if resets > 1:
                raise RuntimeError("rate bucket reset twice in a row")  # pragma: no cover

    def charge_allowance(
        self, key_id: str, kind: str, capacity: int, amount: float, now: float
    ) -> None:
        """Take ``amount`` whatever the level (tokens known after a generation may overdraw)."""
        params = {
            "b_key": key_id,
            "b_kind": kind,
            "b_cap": float(capacity),
            "b_now": now,
            "b_amount": float(amount),
        }
        for attempt in range(2):
            try:
                with self._bucket_connection() as conn:
                    if conn.execute(self._buckets.charge, params).first() is None:
                        conn.execute(self._buckets.reset, params)
                        conn.execute(self._buckets.charge, params)
                return
            except DBAPIError as exc:
                if not exc.connection_invalidated or attempt:
                    raise


class _BucketStatements:
    """The compiled-once statements of `Store.take_allowance` (portable SQL plus an upsert)."""

    def __init__(self, dialect: str) -> None:
        t = RateBucketRow.__table__
        now, cap = bindparam("b_now", type_=Float), bindparam("b_cap", type_=Float)
        amount = bindparam("b_amount", type_=Float)
        elapsed = case((now > t.c.updated, now - t.c.updated), else_=0.0)
        raw = t.c.level + elapsed * t.c.capacity / 60.0
        refilled = case((raw > t.c.capacity, t.c.capacity), else_=raw)
        newer = case((now > t.c.updated, now), else_=t.c.updated)
        mine = (
            t.c.key_id == bindparam("b_key", type_=String),
            t.c.kind == bindparam("b_kind", type_=String),
            t.c.capacity == cap,
        )
        self.take = (
            update(t)
            .where(*mine, refilled >= amount)
            .values(level=refilled - amount, updated=newer)
            .returning(t.c.level)
        )
        self.charge = (
            update(t)
            .where(*mine)
            .values(level=refilled - amount, updated=newer)
            .returning(t.c.level)
        )
        self.read = select(t.c.capacity, t.c.level, t.c.updated).where(*mine[:2])
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        fresh = insert(t).values(
            key_id=bindparam("b_key", type_=String),
            kind=bindparam("b_kind", type_=String),
            capacity=cap,
            level=cap,
            updated=now,
        )
        self.reset = fresh.on_conflict_do_update(
            index_elements=[t.c.key_id, t.c.kind],
            set_={
                "capacity": fresh.excluded.capacity,
                "level": fresh.excluded.level,
                "updated": fresh.excluded.updated,
            },
            where=t.c.capacity != fresh.excluded.capacity,
        )

    @staticmethod
    def refill(row: Any, now: float) -> float:
        elapsed = max(now - row.updated, 0.0)
        return min(row.capacity, row.level + elapsed * row.capacity / 60.0)


class _ChangeCounter:
    """Reads `auth_changes` on a DBAPI connection kept apart from the pool, for speed.

    Outside a transaction each read sees the latest commit of any process (SQLite's WAL;
    PostgreSQL in autocommit). A PostgreSQL connection that broke is opened again on the
    next read; the failed read answers None (do not cache).
    """

    _QUERY = "SELECT count FROM auth_changes WHERE id = 1"

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._conn: Any = None
        self._open()

    def _open(self) -> None:
        pooled = self._engine.raw_connection()
        conn = pooled.driver_connection
        if self._engine.dialect.name == "postgresql":
            conn.autocommit = True
        pooled.detach()  # ours for good: never handed to another caller, closed by close()
        self._conn = conn

    def read(self) -> int | None:
        """The count; None if its row is gone (then triggers count nothing: do not cache)."""
        with self._lock:
            try:
                if self._conn is None:
                    self._open()
                row = self._conn.execute(self._QUERY).fetchone()
            except Exception:
                if self._engine.dialect.name != "postgresql":
                    raise
                self._drop()
                return None
        return int(row[0]) if row else None

    def _drop(self) -> None:
        try:
            if self._conn is not None:
                self._conn.close()
        except Exception:  # already broken
            pass
        self._conn = None

    def close(self) -> None:
        with self._lock:
            self._drop()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets `hanji tenant key revoke` write while the server reads."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # deleted rows (shredded keys, purged records, pruned audit) are zeroed, not left in
    # free pages of the file
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
