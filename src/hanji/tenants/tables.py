"""The tenant store's tables: tenants, policy overrides, API keys, deleted ids, change counter,
and the rate-limit buckets that gateway replicas share.

The tenants have their own declarative base, like the vault (`hanji.vault.tables`) and the
audit log (`hanji.audit.tables`): each creates its tables on the one engine it is given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class TenantBase(DeclarativeBase):
    pass


class TenantRow(TenantBase):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    profile: Mapped[str] = mapped_column(String(16))
    allowed_models: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowed_hosts: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TenantPolicyRow(TenantBase):
    """Per-tenant overrides of the profile's policy (see `hanji.tenants.policy`)."""

    __tablename__ = "tenant_policies"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeletedTenantRow(TenantBase):
    """A deleted tenant's id, kept for good: ids are never reused, and reports still name it.

    The tenant's own row, policy and API keys are gone; the audit log and the vault's
    shredded-tenant row go on referring to this id.
    """

    __tablename__ = "deleted_tenants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(TenantBase):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    hint: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(128), nullable=True)
    rpm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tpm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuthChangesRow(TenantBase):
    """One row counting every change to keys, tenants and policies (kept by triggers).

    The gateway caches authenticated keys and reads this counter on each request: one
    primary-key read instead of the key lookup, and any change, by any process, through
    any code path, empties the cache before the next request is authenticated.
    """

    __tablename__ = "auth_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)


class RateBucketRow(TenantBase):
    """One key's token bucket (``kind`` ``rpm`` or ``tpm``), shared by every gateway replica.

    Not watched by the change counter: a bucket moves on every request. ``updated`` is a
    Unix time in seconds; refill, take and charge are single atomic UPDATEs (see
    `hanji.tenants.store.Store.take_allowance`).
    """

    __tablename__ = "rate_buckets"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    capacity: Mapped[float] = mapped_column(Float)
    level: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float)
