"""The audit log: append-only, hash-chained, metadata-only records with signed checkpoints.

Every finished request, and every operator action on a tenant, becomes one record: time,
tenant, key id, route, model, backend, status, token counts, latency, PII counts by type
and the policy's decisions (never content, never a key). Each record carries its sequence
number and the previous record's hash; its own hash is SHA-256 over its canonical JSON
(sorted keys, no spaces, UTF-8, no floats). Every so many records, and at shutdown, a
checkpoint (sequence number and hash of the latest record) is signed with the operator's
Ed25519 key, so that rewriting the chain needs the key, not just write access to the
database.

- `chain`: the canonical form, record hashes, the entries (request and operator action)
- `signing`: the operator's checkpoint key and checkpoints
- `tables`: the two tables, on whatever engine the log is given
- `log`: `AuditLog`, append / checkpoint / read / export / prune
- `writer`: `AuditWriter`, the gateway's background writer (fail closed)
- `verify`: find the first edited, deleted, inserted or reordered record
- `cli`: `hanji audit verify` and `hanji audit export`

Nothing here imports `hanji.serve`: the gateway and `hanji.tenants` write to it.
"""
