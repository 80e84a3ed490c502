"""The audit log's tables: the chained records and the signed checkpoints.

The audit log has its own declarative base (it must not depend on `hanji.serve` or
`hanji.tenants`) and creates its tables on whatever engine it is given, next to the
gateway's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class AuditBase(DeclarativeBase):
    pass


class AuditRecordRow(AuditBase):
    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    tenant_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    data: Mapped[str] = mapped_column(Text)
    """Canonical JSON of the record, including ``seq`` and ``prev_hash``."""
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpointRow(AuditBase):
    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(256))
