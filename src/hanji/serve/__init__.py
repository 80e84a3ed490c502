"""OpenAI-compatible serving gateway: protocol, backends, authentication, the guard, the ASGI app.

`create_app(settings)` in `hanji.serve.app` wires everything; `hanji serve` runs it.
Tenants, keys and policies come from `hanji.tenants`, the audit log from `hanji.audit`.
Importing this package stays light: torch and transformers load only when a local
backend starts.
"""
