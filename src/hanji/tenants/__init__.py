"""Tenants: who may call the gateway, under which policy, with which keys; their lifecycle.

- `tables`, `store`: tenants, policy overrides and API keys (SQLite file or PostgreSQL)
- `keys`: API keys, generated once and stored as an HMAC
- `policy`: a tenant's profile (finance, public, general) and its overrides
- `home`: the vault and the audit log opened from the settings (server and CLI alike)
- `lifecycle`: create, keys, policy, rotate-key, shred, purge; each writes its audit event
- `cli`: `hanji tenant ...`, thin commands over `lifecycle`

The gateway (`hanji.serve`) reads tenants and keys from here; nothing here imports it.
"""
