"""Endpoint logic, one module per endpoint: ``async (body, ctx, gw)`` in, a reply out.

``body`` is the request already parsed with the route's model (None for routes without a
body); the reply is a pydantic model (sent as JSON), an SSE byte stream, or a ready
`Response`. Handlers see only the abstract `Backend`, through the hook chain
(`hanji.serve.hooks`); `hanji.serve.routes` names each one's method, path and model.
"""
