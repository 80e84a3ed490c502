"""The vault's tables: tenants' provider specs, wrapped data keys, sealed records.

Nothing here is readable without a tenant's KEK: ``wrapped`` is a data key encrypted by
the KEK, ``ciphertext`` is a record encrypted by a data key. The vault has its own
declarative base (it must not depend on `hanji.serve`) and creates its tables on whatever
engine it is given, next to the gateway's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class VaultBase(DeclarativeBase):
    pass


class VaultTenantRow(VaultBase):
    __tablename__ = "vault_tenants"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(512))
    """The key provider's spec (where the KEK lives): never a key."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    shredded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DataKeyRow(VaultBase):
    __tablename__ = "vault_data_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64), index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SealedRecordRow(VaultBase):
    __tablename__ = "vault_records"
    __table_args__ = (Index("ix_vault_records_tenant_purpose", "tenant_id", "purpose"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(64))
    dek_id: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )
