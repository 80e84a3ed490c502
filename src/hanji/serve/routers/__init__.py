"""Thin routers: parse, call a handler, map its result to JSON or SSE."""
