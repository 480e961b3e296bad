"""The customer portal: sign in without a password, submit, track and answer tickets in the browser.

Pages (``routes_*``), the portal's behaviour on the ticket core (``service``), who may see what (``rules``,
pure), signing in (``accounts``) and its mail (``mail``), customer files (``uploads``). Above ``mailflow`` in
the import graph: it sends its sign-in mail through the mail channel; nothing below imports it. Customer access
(sessions, sign-in attempts, ticket links, rate limits) lives in ``chalicelib.access``, below the mail channel,
which mints ticket links. docs/decisions/041-portal.md.
"""
