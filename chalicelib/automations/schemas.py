"""Pydantic models of the automation routes (triggers, macros, applying a macro)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from chalicelib.config.schemas import Position, Versioned
from chalicelib.http.schemas import In, Tag, Text, Version


class TriggerIn(Versioned):
    name: Text
    position: Position = 0
    enabled: bool = True
    conditions: dict[str, Any] = Field(
        description="events (required), actor_kinds, statuses, priorities, channels, team_ids, tags_any, "
        "tags_none, changed_field, changed_to, assigned, vip"
    )
    actions: dict[str, Any] = Field(description="set_fields, add_tags, remove_tags, notify_agent_ids, reply_macro_id")


class MacroIn(Versioned):
    name: Text
    body: Annotated[str, StringConstraints(min_length=1, max_length=20_000)] = Field(
        description="Jinja2 text; placeholders {{ticket.number}}, {{ticket.subject}}, {{requester.name}}, "
        "{{requester.first_name}}, {{requester.email}}, {{agent.name}}, ..."
    )
    public: bool = True
    set_fields: dict[str, Any] = Field(default_factory=dict)
    add_tags: list[Tag] = Field(default_factory=list)


class ApplyMacroIn(In):
    version: Version | None = None
