"""Automations as pure domain logic: event triggers, macros (canned responses) and time-based timers."""
