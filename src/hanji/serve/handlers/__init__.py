"""Endpoint logic: OpenAI request in, OpenAI response (or SSE byte stream) out.

Handlers see only the abstract `Backend`, through the `Pipeline`; routers map their
result to JSON or SSE.
"""
