"""The knowledge base: articles, search without an always-on server, deflection.

Why and how: docs/decisions/050-knowledge-base.md."""
