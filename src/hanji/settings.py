"""The one settings object of the gateway and its operator commands (`hanji serve`,
`hanji tenant`, `hanji audit`): defaults < serve.toml < HANJI_* env < CLI flags.

Secrets (the key pepper, the admin key, upstream keys) never come from the TOML file in
clear: the pepper and admin key come from the environment or a 0600 file under
``HANJI_HOME``, an upstream key from the environment variable the config names.
"""

from __future__ import annotations

import os
import secrets
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# Values people paste from examples; a secret equal to one of these is refused outright.
PLACEHOLDER_SECRETS = frozenset(
    {
        "admin",
        "change-me",
        "change_me",
        "changeme",
        "default",
        "example",
        "pepper",
        "password",
        "secret",
        "test",
        "todo",
        "xxx",
    }
)
MIN_SECRET_CHARS = 16

_CONFIG_FILE: ContextVar[Path | None] = ContextVar("hanji_settings_config_file", default=None)


def default_home() -> Path:
    """``$HANJI_HOME`` or ``~/.local/share/hanji``: the store, the pepper, audit and vault files."""
    return Path(os.environ.get("HANJI_HOME", Path.home() / ".local" / "share" / "hanji"))


def check_secret(value: str, what: str) -> str:
    """Refuse empty, short and placeholder secrets; the message names the setting, not the value."""
    stripped = value.strip()
    squashed = stripped.lower().replace("-", "").replace("_", "")
    if stripped.lower() in PLACEHOLDER_SECRETS or "changeme" in squashed:
        raise ValueError(f"{what} is a placeholder value; generate one with `openssl rand -hex 32`")
    if len(stripped) < MIN_SECRET_CHARS:
        raise ValueError(f"{what} must be at least {MIN_SECRET_CHARS} characters")
    return stripped


class LocalModelConfig(BaseModel):
    """A model dir (or any reference `hanji.modeling` resolves) served in-process."""

    model_config = ConfigDict(extra="forbid")

    ref: str
    name: str | None = None
    max_concurrency: int | None = Field(default=None, ge=1)
    """Generations running at once for this model; default: ``local_max_concurrency``
    (llama.cpp runs one at a time per model)."""
    engine: Literal["auto", "transformers", "llama.cpp"] = "auto"
    """What runs it in-process: ``auto`` is llama.cpp for a ``.gguf`` file (llama-cpp-python,
    the ``llamacpp`` extra) and transformers for everything else (the embedded base too)."""

    @property
    def served_name(self) -> str:
        """The name clients use: ``name``, else the folder name of a path, else ``ref``."""
        if self.name:
            return self.name
        path = Path(self.ref)
        return path.name if path.exists() and path.name else self.ref

    @property
    def runs_on(self) -> Literal["transformers", "llama.cpp"]:
        """The engine ``auto`` resolves to."""
        if self.engine != "auto":
            return self.engine
        return "llama.cpp" if self.ref.lower().endswith(".gguf") else "transformers"


class UpstreamConfig(BaseModel):
    """An OpenAI-compatible server (vLLM, llama.cpp, Azure OpenAI) reached over HTTP."""

    model_config = ConfigDict(extra="forbid")

    url: str
    """Base URL including the API prefix, e.g. ``http://10.0.0.5:8000/v1``."""
    model: str
    """The model name the upstream knows."""
    name: str | None = None
    """The name clients use; default: ``model``."""
    key_env: str | None = None
    """Environment variable that holds the upstream API key (never the key itself)."""
    timeout_s: float = Field(default=120.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    connect_retries: int = Field(default=2, ge=0, le=10)
    max_connections: int = Field(default=512, ge=1)
    pool_shards: int = Field(default=64, ge=1, le=256)
    """Independent connection pools the connections are spread over (see the backend)."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"upstream url must start with http:// or https://, got '{value}'")
        return value.rstrip("/")

    @property
    def served_name(self) -> str:
        return self.name or self.model


class Settings(BaseSettings):
    """Gateway settings: env vars ``HANJI_<FIELD>``; ``--config serve.toml`` sets the same keys."""

    model_config = SettingsConfigDict(env_prefix="HANJI_", extra="forbid", validate_default=True)

    home: Path = Field(default_factory=default_home)
    db: str | None = None
    """SQLAlchemy URL of the tenant store; default: ``sqlite:///$HANJI_HOME/hanji.db``."""
    pepper: SecretStr | None = None
    """HMAC key for API-key hashes; default: read (or create once) ``$HANJI_HOME/pepper``."""
    pepper_file: Path | None = None
    admin_key: SecretStr | None = None
    """Bearer key for operator routes (``/metrics``); unset means those routes answer 403."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    """Gateway processes on the one port (uvicorn's supervisor): each loads the served
    models; above 1, rate buckets live in the database (as for replicas)."""
    models: list[LocalModelConfig] = Field(default_factory=list)
    upstreams: list[UpstreamConfig] = Field(default_factory=list)

    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_header_bytes: int = Field(default=32 * 1024, ge=1024)
    """All request header names and values together; larger: 431."""
    max_json_depth: int = Field(default=64, ge=2, le=200)
    """Nesting of JSON arrays and objects in a body; deeper: 400 (the parser stops at 200)."""
    body_read_timeout_s: float = Field(default=30.0, gt=0)
    """A body that has not arrived this long after the headers: 408, connection closed."""
    header_read_timeout_s: float = Field(default=10.0, gt=0)
    """A connection must deliver a request's headers this long after it opened (or after its
    first byte, on a kept-alive connection); else 408 and the connection is closed."""
    keep_alive_timeout_s: int = Field(default=5, ge=1)
    """An idle keep-alive connection is closed after this long (uvicorn's timeout_keep_alive)."""
    request_timeout_s: float = Field(default=300.0, gt=0)
    local_max_concurrency: int = Field(default=1, ge=1)
    local_max_queue: int = Field(default=64, ge=0)
    """Requests waiting for a local generation slot before new ones get 429."""
    default_max_tokens: int = Field(default=512, ge=1)
    guard_max_scan_chars: int = Field(default=1_000_000, ge=1)
    """Characters of text the PII guard scans per request (and again per reply); a request
    carrying more is refused with 413, a longer reply with 502 (never passed on unscanned)."""
    guard_scan_processes: int | None = Field(default=None, ge=0)
    """Worker processes that scan long texts (16 K characters and more) for PII, so that the
    event loop stays free for other tenants; None: by the cores (one left to the loop, at
    most four), 0: scan on a thread instead."""
    files_max_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    """A file uploaded to /v1/files (the whole multipart body); larger: 413."""
    search_ingest_wait_s: float = Field(default=10.0, ge=0)
    """How long adding a file to a vector store waits for it to be indexed before answering
    ``in_progress`` (the work goes on; clients poll)."""
    search_embedding_model: str | None = None
    """A served model answering /v1/embeddings: chunks and queries get its vectors, and search
    fuses their cosine ranking with BM25 (RRF), for tenants that may use it; None: BM25 only."""
    search_max_results: int = Field(default=8, ge=1, le=50)
    """Passages a /v1/responses file_search puts in the prompt unless the tool says."""
    default_rpm: int | None = Field(default=None, ge=1)
    """Requests/min for keys created without ``--rpm``; None: unlimited."""
    default_tpm: int | None = Field(default=None, ge=1)
    log_level: str = "info"

    audit: bool = True
    """Write the hash-chained audit log (requests are refused while it cannot be written)."""
    audit_retention_days: int = Field(default=730, ge=1)
    """Audit records are kept at least this long (Korean rules ask for two years or more)."""
    audit_checkpoint_every: int = Field(default=100, ge=1)
    """Sign a checkpoint after this many records (records after the last checkpoint can be
    deleted unseen unless a sink keeps a copy: `hanji audit verify` reports how many)."""
    audit_checkpoint_interval_s: float = Field(default=10.0, gt=0)
    """... or this long after the first unsigned record, whichever comes first."""
    audit_checkpoint_sink: str | None = None
    """Also append every checkpoint here: a file path (on another volume, append-only) or
    ``syslog``. `hanji audit verify --sink FILE` checks the log against it."""
    audit_linger_s: float = Field(default=0.02, ge=0, le=60)
    """How long the audit thread waits after a first record to batch more into one commit
    (the journal keeps them safe meanwhile)."""
    audit_signing_key: SecretStr | None = None
    """Ed25519 seed (64 hex) for checkpoints; default: ``$HANJI_HOME/audit/signing.key``."""
    audit_signing_key_file: Path | None = None
    vault_key_provider: str | None = None
    """Key provider for tenants created without one; ``{tenant_id}`` and ``{home}`` are
    filled in. Default: ``local-file:{home}/vault/keks/{tenant_id}.json`` (a KEK held on
    the gateway host: set a customer-held provider per tenant for production)."""
    purge_interval_s: float = Field(default=3600.0, gt=0)
    """How often the server deletes expired conversations and audit records past retention."""

    @field_validator("pepper", "admin_key")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None, info: Any) -> SecretStr | None:
        if value is None:
            return None
        return SecretStr(check_secret(value.get_secret_value(), f"HANJI_{info.field_name.upper()}"))

    @model_validator(mode="after")
    def _unique_names(self) -> Settings:
        names = [m.served_name for m in self.models] + [u.served_name for u in self.upstreams]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"model names served twice: {', '.join(dupes)}; set a distinct name")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = _CONFIG_FILE.get()
        if config is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config))
        return tuple(sources)

    @classmethod
    def load(cls, config: Path | None = None, **overrides: Any) -> Settings:
        """Build settings from an optional TOML file, the environment and explicit overrides."""
        if config is not None and not config.is_file():
            raise ValueError(f"--config: no such file '{config}'")
        token = _CONFIG_FILE.set(config)
        try:
            return cls(**{k: v for k, v in overrides.items() if v is not None})
        finally:
            _CONFIG_FILE.reset(token)

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{self.home / 'hanji.db'}"

    def pepper_bytes(self) -> bytes:
        """The pepper: from the setting, else from the pepper file, created 0600 on first use."""
        if self.pepper is not None:
            return self.pepper.get_secret_value().encode()
        path = self.pepper_file or self.home / "pepper"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process created it first; read theirs
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32) + "\n")
        return check_secret(path.read_text(), f"pepper file {path}").encode()

    def admin_key_value(self) -> str | None:
        return self.admin_key.get_secret_value() if self.admin_key is not None else None

    @property
    def kek_dir(self) -> Path:
        """Where hanji keeps the KEK files it creates itself (destroyed on shred)."""
        return self.home / "vault" / "keks"

    def key_provider_for(self, tenant_id: str) -> str:
        """The default key-provider spec of a tenant."""
        template = self.vault_key_provider or f"local-file:{self.kek_dir}/{{tenant_id}}.json"
        return template.replace("{home}", str(self.home)).replace("{tenant_id}", tenant_id)

    def audit_key_path(self) -> Path:
        return self.audit_signing_key_file or self.home / "audit" / "signing.key"

    def audit_journal_dir(self) -> Path:
        """The audit journal files of the gateway processes (`hanji.audit.journal`)."""
        return self.home / "audit" / "journal"
