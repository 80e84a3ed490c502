"""The search tables: files, vector stores, and each store's files with their chunks.

Every column that could carry the tenant's words (file content and names, store names and
metadata, file attributes, chunks and their index terms) holds a vault blob, sealed under
the tenant's data key (`hanji.vault.Vault.encrypt`). Ids, sizes, counts, statuses and
failure codes are in clear: the gateway needs them without the key, and they say nothing
of the content. Own declarative base, like the vault's and the tenants' tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class SearchBase(DeclarativeBase):
    pass


class FileRow(SearchBase):
    __tablename__ = "search_files"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    bytes: Mapped[int] = mapped_column(Integer)
    name: Mapped[bytes] = mapped_column(LargeBinary)
    """The file name, sealed (names say a lot: 홍길동_진단서.pdf)."""
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoreRow(SearchBase):
    __tablename__ = "search_stores"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    """``{"name": ..., "metadata": {...}}``, sealed."""
    chunking: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Two integers: max_tokens, overlap_tokens."""
    version: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped whenever the store's searchable chunks change: in-memory indexes follow it."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_active_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoreFileRow(SearchBase):
    __tablename__ = "search_store_files"
    __table_args__ = (Index("ix_search_store_files_tenant", "tenant_id"),)

    store_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error_message: Mapped[str | None] = mapped_column(String(512), nullable=True)
    """Written by hanji (format and cause), never quoting the file."""
    chunking: Mapped[dict[str, Any]] = mapped_column(JSON)
    attributes: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    chunks: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    """``[[text, [term, ...]], ...]``, sealed."""
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    usage_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
