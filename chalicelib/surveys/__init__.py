"""Satisfaction surveys: asked once at the right time, answered in one click, impossible to game.

``rules`` (pure: settings, when a survey is due, whether a ticket gets one, what it records), ``config`` (the
per-team settings document), ``keeper`` (keeps a solved ticket's survey in the due index), ``sender`` and
``sweep`` (send what is due), ``links`` (the survey link's token), ``answers`` (the survey page's service),
``reports`` (listing and CSV export), ``routes`` (API), ``pages`` (the survey page), ``schemas``.
docs/decisions/042-surveys.md says why it is built this way.
"""
