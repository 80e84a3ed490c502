"""OpenAI-compatible serving gateway: protocol, backends, tenants and keys, the ASGI app.

`create_app(settings)` in `hanji.serve.app` wires everything; `hanji serve` runs it.
Importing this package stays light: torch and transformers load only when a local
backend starts.
"""
