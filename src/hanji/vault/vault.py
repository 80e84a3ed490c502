"""Envelope encryption per tenant: data keys (DEKs) wrapped by the tenant's KEK.

Each tenant has one active data key (AES-256) and possibly older, retired ones; every data
key is stored only wrapped by the tenant's key-encryption key, which lives with a
`KeyProvider` (a file the customer holds, an environment variable, a KMS). Records are
sealed with AES-256-GCM under the active data key, with associated data binding tenant,
record id and purpose.

- rotate: a new active data key, and every data key re-wrapped under the new KEK version
  (or a new provider); records are not re-encrypted and stay readable.
- shred: the wrapped data keys are deleted (SQLite pages zeroed), the KEK destroyed when
  hanji holds it; every record of the tenant, in this database and in any backup, can
  then never be decrypted.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hanji.vault import aead
from hanji.vault.errors import RecordNotFound, Shredded, VaultError
from hanji.vault.providers import KeyProvider, LocalFileKeyProvider, provider_from_spec
from hanji.vault.tables import DataKeyRow, SealedRecordRow, VaultBase, VaultTenantRow

_BLOB_FORMAT = 1


@dataclass(frozen=True)
class TenantKeys:
    tenant_id: str
    provider: str
    location: str
    data_keys: int
    active_key: str | None
    records: int
    created_at: datetime
    rotated_at: datetime | None
    shredded_at: datetime | None


@dataclass(frozen=True)
class RecordInfo:
    id: str
    tenant_id: str
    purpose: str
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class RotateReport:
    tenant_id: str
    rewrapped: int
    active_key: str
    provider: str


@dataclass(frozen=True)
class ShredReport:
    tenant_id: str
    keys_destroyed: int
    records_unreadable: int
    kek_destroyed: bool
    kek_location: str


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _sqlite_secure_delete(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class Vault:
    """Per-tenant envelope encryption over one SQLAlchemy engine.

    Args:
        engine: the gateway's engine (or a URL); the vault's tables are created on it.
        default_provider: spec for a tenant that has none yet, from its id (None: refuse).
        managed_dir: KEK files under this folder belong to hanji and are destroyed on
            shred; any other KEK is the customer's to destroy.
        providers: spec -> provider (tests inject KMS transports here).
        cache_ttl_s: how long an unwrapped data key stays in memory (saves KMS calls);
            the wrapped row is read on every use, so a shred in another process counts
            at once.
    """

    def __init__(
        self,
        engine: Engine | str,
        *,
        default_provider: Callable[[str], str] | None = None,
        managed_dir: Path | None = None,
        providers: Callable[[str], KeyProvider] = provider_from_spec,
        cache_ttl_s: float = 60.0,
    ) -> None:
        if isinstance(engine, str):
            from sqlalchemy import create_engine

            engine = create_engine(engine)
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        if self._sqlite:
            from sqlalchemy import event

            if not event.contains(engine, "connect", _sqlite_secure_delete):
                event.listen(engine, "connect", _sqlite_secure_delete)
        VaultBase.metadata.create_all(engine)
        self.default_provider = default_provider
        self.managed_dir = managed_dir.resolve() if managed_dir else None
        self._providers = providers
        self._ttl = cache_ttl_s
        self._cache: dict[tuple[str, bytes], tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ keys

    def provider(self, spec: str) -> KeyProvider:
        return self._providers(spec)

    def configure(self, tenant_id: str, spec: str | None = None) -> TenantKeys:
        """Give a tenant its key provider and first data key (idempotent for the same spec)."""
        with Session(self.engine) as session:
            row = session.get(VaultTenantRow, tenant_id)
        if row is not None:
            if row.shredded_at is not None:
                raise Shredded(f"tenant {tenant_id} was shredded; its vault cannot be reused")
            if spec is not None and spec != row.provider:
                raise VaultError(
                    f"tenant {tenant_id} already uses key provider {row.provider}; "
                    "change it with `hanji tenant rotate-key --key-provider`"
                )
            return self.status(tenant_id)  # type: ignore[return-value]
        if spec is None:
            if self.default_provider is None:
                raise VaultError(f"tenant {tenant_id} has no key provider configured")
            spec = self.default_provider(tenant_id)
        provider = self.provider(spec)
        provider.ensure()
        dek_id = "dek_" + secrets.token_hex(8)
        wrapped = provider.wrap(aead.new_key(), aead.dek_aad(tenant_id, dek_id))
        now = _now()
        with Session(self.engine) as session, session.begin():
            if session.get(VaultTenantRow, tenant_id) is None:  # lost a race: keep theirs
                session.add(VaultTenantRow(tenant_id=tenant_id, provider=spec, created_at=now))
                session.flush()
                session.add(
                    DataKeyRow(
                        id=dek_id, tenant_id=tenant_id, wrapped=wrapped, active=True, created_at=now
                    )
                )
        return self.status(tenant_id)  # type: ignore[return-value]

    def status(self, tenant_id: str) -> TenantKeys | None:
        with Session(self.engine) as session:
            row = session.get(VaultTenantRow, tenant_id)
            if row is None:
                return None
            keys = session.scalars(
                select(DataKeyRow).where(DataKeyRow.tenant_id == tenant_id)
            ).all()
            records = session.scalar(
                select(func.count())
                .select_from(SealedRecordRow)
                .where(SealedRecordRow.tenant_id == tenant_id)
            )
            active = next((k.id for k in keys if k.active), None)
            try:
                location = self.provider(row.provider).location
            except VaultError:
                location = row.provider
            return TenantKeys(
                tenant_id=tenant_id,
                provider=row.provider,
                location=location,
                data_keys=len(keys),
                active_key=active,
                records=int(records or 0),
                created_at=_utc(row.created_at),  # type: ignore[arg-type]
                rotated_at=_utc(row.rotated_at),
                shredded_at=_utc(row.shredded_at),
            )

    def _forget(self, tenant_id: str | None = None) -> None:
        with self._lock:
            if tenant_id is None:
                self._cache.clear()
            else:
                for k in [k for k in self._cache if k[0] == tenant_id]:
                    del self._cache[k]

    def _unwrap(self, spec: str, key: DataKeyRow) -> bytes:
        """The data key in clear, from the short cache or the provider."""
        digest = hashlib.sha256(key.id.encode() + b"\x00" + key.wrapped).digest()
        slot = (key.tenant_id, digest)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(slot)
            if hit is not None and hit[1] > now:
                return hit[0]
        dek = self.provider(spec).unwrap(key.wrapped, aead.dek_aad(key.tenant_id, key.id))
        with self._lock:
            self._cache[slot] = (dek, now + self._ttl)
        return dek

    def _tenant(self, session: Session, tenant_id: str) -> VaultTenantRow:
        row = session.get(VaultTenantRow, tenant_id)
        if row is None:
            raise VaultError(f"tenant {tenant_id} has no vault keys")
        if row.shredded_at is not None:
            raise Shredded(f"tenant {tenant_id} was shredded: its data can no longer be read")
        return row

    def _active(self, session: Session, tenant_id: str) -> DataKeyRow:
        key = session.scalars(
            select(DataKeyRow).where(DataKeyRow.tenant_id == tenant_id, DataKeyRow.active)
        ).first()
        if key is None:
            raise VaultError(f"tenant {tenant_id} has no active data key")
        return key

    def _key(self, session: Session, tenant_id: str, dek_id: str) -> DataKeyRow:
        key = session.get(DataKeyRow, dek_id)
        if key is None or key.tenant_id != tenant_id:
            raise VaultError(f"the data key of this record is gone (tenant {tenant_id})")
        return key

    # ------------------------------------------------------------ records

    def seal(
        self,
        tenant_id: str,
        purpose: str,
        plaintext: bytes,
        *,
        expires_at: datetime | None = None,
    ) -> str:
        """Encrypt and store a record; returns its id. Configures the tenant on first use."""
        with Session(self.engine) as session:
            known = session.get(VaultTenantRow, tenant_id) is not None
        if not known:
            self.configure(tenant_id)
        record_id = "rec_" + secrets.token_hex(12)
        with Session(self.engine) as session, session.begin():
            tenant = self._tenant(session, tenant_id)
            key = self._active(session, tenant_id)
            dek = self._unwrap(tenant.provider, key)
            nonce, ct = aead.seal(dek, plaintext, aead.record_aad(tenant_id, record_id, purpose))
            session.add(
                SealedRecordRow(
                    id=record_id,
                    tenant_id=tenant_id,
                    purpose=purpose,
                    dek_id=key.id,
                    nonce=nonce,
                    ciphertext=ct,
                    created_at=_now(),
                    expires_at=expires_at,
                )
            )
        return record_id

    def open(self, tenant_id: str, record_id: str) -> bytes:
        """Decrypt a record of this tenant; another tenant's record id is simply not found."""
        with Session(self.engine) as session:
            row = session.get(SealedRecordRow, record_id)
            if row is None or row.tenant_id != tenant_id:
                raise RecordNotFound(f"no record '{record_id}' for tenant {tenant_id}")
            tenant = self._tenant(session, tenant_id)
            key = self._key(session, tenant_id, row.dek_id)
            dek = self._unwrap(tenant.provider, key)
            return aead.open_sealed(
                dek, row.nonce, row.ciphertext, aead.record_aad(tenant_id, record_id, row.purpose)
            )

    def records(self, tenant_id: str, purpose: str | None = None) -> list[RecordInfo]:
        query = select(SealedRecordRow).where(SealedRecordRow.tenant_id == tenant_id)
        if purpose is not None:
            query = query.where(SealedRecordRow.purpose == purpose)
        with Session(self.engine) as session:
            rows = session.scalars(query.order_by(SealedRecordRow.created_at)).all()
            return [
                RecordInfo(
                    r.id,
                    r.tenant_id,
                    r.purpose,
                    _utc(r.created_at),  # type: ignore[arg-type]
                    _utc(r.expires_at),
                )
                for r in rows
            ]

    def encrypt(self, tenant_id: str, purpose: str, ref: str, plaintext: bytes) -> bytes:
        """A sealed blob to store elsewhere (not in the vault's table), bound to ``ref``."""
        with Session(self.engine) as session:
            known = session.get(VaultTenantRow, tenant_id) is not None
        if not known:
            self.configure(tenant_id)
        with Session(self.engine) as session:
            tenant = self._tenant(session, tenant_id)
            key = self._active(session, tenant_id)
            dek = self._unwrap(tenant.provider, key)
        nonce, ct = aead.seal(dek, plaintext, aead.record_aad(tenant_id, ref, purpose))
        kid = key.id.encode()
        return bytes([_BLOB_FORMAT, len(kid)]) + kid + nonce + ct

    def decrypt(self, tenant_id: str, purpose: str, ref: str, blob: bytes) -> bytes:
        if len(blob) < 2 or blob[0] != _BLOB_FORMAT:
            raise VaultError("not a hanji vault blob")
        n = blob[1]
        dek_id = blob[2 : 2 + n].decode(errors="replace")
        nonce = blob[2 + n : 2 + n + aead.NONCE_BYTES]
        ct = blob[2 + n + aead.NONCE_BYTES :]
        with Session(self.engine) as session:
            tenant = self._tenant(session, tenant_id)
            key = self._key(session, tenant_id, dek_id)
            dek = self._unwrap(tenant.provider, key)
        return aead.open_sealed(dek, nonce, ct, aead.record_aad(tenant_id, ref, purpose))

    # ------------------------------------------------------------ life cycle

    def rotate(self, tenant_id: str, new_spec: str | None = None) -> RotateReport:
        """New active data key; every data key re-wrapped under a new KEK version or provider.

        Crash-safe: a new KEK version is added before the database changes and old ones
        are retired only after the re-wrapped keys are committed.
        """
        with Session(self.engine) as session:
            known = session.get(VaultTenantRow, tenant_id) is not None
        if not known:
            self.configure(tenant_id)
        with Session(self.engine) as session:
            old_spec = self._tenant(session, tenant_id).provider
        old = self.provider(old_spec)
        in_place = new_spec is None or new_spec == old_spec
        if in_place:
            new = old
            old.rotate()
        else:
            new = self.provider(new_spec)  # type: ignore[arg-type]
            new.ensure()
        new_id = "dek_" + secrets.token_hex(8)
        with Session(self.engine) as session, session.begin():
            tenant = self._tenant(session, tenant_id)
            keys = session.scalars(
                select(DataKeyRow).where(DataKeyRow.tenant_id == tenant_id)
            ).all()
            for key in keys:
                context = aead.dek_aad(tenant_id, key.id)
                key.wrapped = new.wrap(old.unwrap(key.wrapped, context), context)
                key.active = False
            session.add(
                DataKeyRow(
                    id=new_id,
                    tenant_id=tenant_id,
                    wrapped=new.wrap(aead.new_key(), aead.dek_aad(tenant_id, new_id)),
                    active=True,
                    created_at=_now(),
                )
            )
            tenant.provider = new.spec
            tenant.rotated_at = _now()
            rewrapped = len(keys)
        if in_place:
            new.retire_old()
        self._forget(tenant_id)
        return RotateReport(tenant_id, rewrapped, new_id, new.spec)

    def _managed(self, provider: KeyProvider) -> bool:
        if self.managed_dir is None or not isinstance(provider, LocalFileKeyProvider):
            return False
        return provider.path.resolve().is_relative_to(self.managed_dir)

    def shred(self, tenant_id: str) -> ShredReport:
        """Destroy the tenant's wrapped data keys (and its KEK when hanji holds it)."""
        now = _now()
        with Session(self.engine) as session, session.begin():
            self._secure(session)
            tenant = session.get(VaultTenantRow, tenant_id)
            if tenant is None:  # never used the vault: refuse it from now on all the same
                tenant = VaultTenantRow(tenant_id=tenant_id, provider="none:", created_at=now)
                session.add(tenant)
            spec = tenant.provider
            destroyed = session.execute(
                delete(DataKeyRow).where(DataKeyRow.tenant_id == tenant_id)
            ).rowcount
            records = session.scalar(
                select(func.count())
                .select_from(SealedRecordRow)
                .where(SealedRecordRow.tenant_id == tenant_id)
            )
            if tenant.shredded_at is None:
                tenant.shredded_at = now
        self._forget(tenant_id)
        self.compact()
        kek_destroyed, location = False, spec
        if spec != "none:":
            try:
                provider = self.provider(spec)
                location = provider.location
                if self._managed(provider):
                    kek_destroyed = provider.destroy()
            except VaultError:
                pass
        if self.managed_dir is not None:
            # a KEK hanji made for this tenant and later rotated away from still opens
            # old backups: destroy it too
            default = self.managed_dir / f"{tenant_id}.json"
            if default.exists():
                LocalFileKeyProvider(f"local-file:{default}", default).destroy()
        return ShredReport(
            tenant_id, int(destroyed or 0), int(records or 0), kek_destroyed, location
        )

    def purge(self, now: datetime | None = None) -> int:
        """Delete expired records and every record of a shredded tenant; returns how many."""
        now = now or _now()
        with Session(self.engine) as session, session.begin():
            self._secure(session)
            shredded = select(VaultTenantRow.tenant_id).where(
                VaultTenantRow.shredded_at.is_not(None)
            )
            gone = session.execute(
                delete(SealedRecordRow).where(
                    or_(
                        SealedRecordRow.expires_at <= now,
                        SealedRecordRow.tenant_id.in_(shredded),
                    )
                )
            ).rowcount
        if gone:
            self.compact()
        return int(gone or 0)

    def expire_now(self, tenant_id: str) -> None:
        """Make every record of a tenant expire now (the next purge deletes them)."""
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(SealedRecordRow)
                .where(SealedRecordRow.tenant_id == tenant_id)
                .values(expires_at=_now())
            )

    def _secure(self, session: Session) -> None:
        if self._sqlite:
            session.connection().exec_driver_sql("PRAGMA secure_delete=ON")

    def compact(self) -> None:
        """SQLite: move the WAL into the main file and truncate it, so deleted pages go."""
        if not self._sqlite:
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
