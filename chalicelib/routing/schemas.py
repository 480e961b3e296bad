"""Pydantic models of the routing routes (routing rules)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chalicelib.config.schemas import Position, Versioned
from chalicelib.http.schemas import Text


class RoutingRuleIn(Versioned):
    name: Text
    position: Position = 0
    enabled: bool = True
    conditions: dict[str, Any] = Field(
        default_factory=dict,
        description="channels, recipients, requester_emails, requester_domains, organization_ids, vip, tags_any, "
        "priorities, keywords, business_hours + calendar_id; all given must hold",
    )
    actions: dict[str, Any] = Field(description="team_id, priority, type, add_tags, skills, vip")
