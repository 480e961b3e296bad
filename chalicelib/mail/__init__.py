"""Inbound mail understanding: parse raw MIME, sanitise HTML, find the visible reply, classify.

Import the submodules (``chalicelib.mail.parse``, ``.classify``, ...) where they are needed: this package's
``__init__`` imports nothing, so importing ``app.py`` never pays for nh3, selectolax, flufl.bounce or tnefparse.
"""
