"""Authentication: a bearer key (stored as HMAC-SHA256 under a server pepper) checked per request.

Every request is checked against the store, so a revocation made by another process
(`hanji tenant key revoke`) takes effect on the very next request. Where the store counts
its changes (`Store.auth_changes`, kept by database triggers), a key found active is
remembered until the count moves: each request then costs one counter read, and any
change to any key, tenant or policy empties the cache first. The admin key, for operator
routes, lives only in settings and never reaches tenant routes.
"""

from __future__ import annotations

import enum
import hmac
from dataclasses import dataclass

from hanji.serve.errors import PermissionDenied, Unauthorized
from hanji.tenants.keys import hash_key
from hanji.tenants.store import ApiKey, Store, Tenant


@dataclass(frozen=True)
class Principal:
    """Who is calling: a tenant's key, or the operator's admin key (never both)."""

    tenant: Tenant | None = None
    key: ApiKey | None = None
    admin: bool = False


class KeyCache:
    """Principals of active keys by key hash, valid for one value of the store's change count.

    Only keys found active are kept: an unknown or revoked key is looked up every time.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._changes: int | None = None
        self._entries: dict[str, Principal] = {}

    def get(self, changes: int, digest: str) -> Principal | None:
        if changes != self._changes:
            self._entries.clear()
            self._changes = changes
            return None
        return self._entries.get(digest)

    def put(self, changes: int, digest: str, principal: Principal) -> None:
        if changes != self._changes:  # the store moved on while we looked: keep nothing
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[digest] = principal


class Authenticator:
    def __init__(self, store: Store, pepper: bytes, admin_key: str | None = None) -> None:
        self.store = store
        self._pepper = pepper
        self._admin_hash = hash_key(pepper, admin_key) if admin_key else None
        self._cache = KeyCache()

    def bearer(self, header: str | None) -> str:
        if not header:
            raise Unauthorized(
                "Missing API key: send 'Authorization: Bearer <key>'.", code="missing_api_key"
            )
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Malformed Authorization header: expected 'Bearer <key>'.")
        return token

    def authenticate(self, header: str | None) -> Principal:
        """Blocking (a counter read, else one indexed query); off the loop for remote databases."""
        token = self.bearer(header)
        digest = hash_key(self._pepper, token)
        if self._admin_hash is not None and hmac.compare_digest(digest, self._admin_hash):
            return Principal(admin=True)
        # read before the lookup: what is cached is never older than the count it is kept under
        changes = self.store.auth_changes()
        if changes is not None:
            cached = self._cache.get(changes, digest)
            if cached is not None:
                return cached
        found = self.store.authenticate(digest)
        if found is None:
            raise Unauthorized("Incorrect or revoked API key.")
        tenant, key = found
        principal = Principal(tenant=tenant, key=key)
        if changes is not None:
            self._cache.put(changes, digest, principal)
        return principal


class Access(enum.StrEnum):
    """Who may call a route (a column of `hanji.serve.routes.ROUTES`)."""

    PUBLIC = "public"
    """No key at all: the health check only."""
    TENANT = "tenant"
    """A tenant's API key; the admin key is refused."""
    ADMIN = "admin"
    """The operator's admin key only."""


def require(principal: Principal | None, access: Access) -> None:
    """Refuse a key that does not fit the route: 403, the admin key never reaches tenant data."""
    if access is Access.PUBLIC:
        return
    if principal is None:  # the app authenticates every non-public path first
        raise Unauthorized("Missing API key: send 'Authorization: Bearer <key>'.")
    if access is Access.TENANT and principal.tenant is None:
        raise PermissionDenied("This route needs a tenant API key, not the admin key.")
    if access is Access.ADMIN and not principal.admin:
        raise PermissionDenied("This route needs the admin key.")
