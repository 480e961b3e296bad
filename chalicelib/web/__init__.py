"""The web foundation every page is built on: templates, translations, forms, CSRF, cookies, static assets.

Sits low in the import graph: it imports only ``chalicelib.core.settings``, ``chalicelib.core.errors``,
``chalicelib.core.observability`` and ``chalicelib.core.lazy`` from the rest of ``chalicelib`` (a unit test checks),
so feature slices (portal, knowledge base, surveys, chat) build on it and never the other way round.
Jinja2 and Babel are imported at first use: importing ``app.py`` loads only ``routes`` and ``views``.
See docs/decisions/040-web-pages.md.
"""
