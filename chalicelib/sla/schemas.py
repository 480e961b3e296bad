"""Pydantic models of the SLA routes (policies, a ticket's clocks)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from chalicelib.config.schemas import Position, Versioned
from chalicelib.http.schemas import EntityId, In, Out, Text


class TargetIn(In):
    metric: Literal["first_response", "next_response", "resolution"]
    minutes: Annotated[int, Field(gt=0, le=525_600)]
    business: bool = False


class SlaPolicyIn(Versioned):
    name: Text
    position: Position = 0
    conditions: dict[str, Any] = Field(
        default_factory=dict, description="priorities, channels, team_ids, organization_ids, vip"
    )
    targets: list[TargetIn] = Field(min_length=1)
    calendar_id: EntityId | None = None
    breach_actions: list[Literal["raise_priority", "escalate", "notify_lead"]] = Field(default_factory=list)


class SlaClockOut(Out):
    target_minutes: int
    business: bool
    started_at: datetime | None
    due_at: datetime | None
    warn_at: datetime | None
    met_at: datetime | None
    breached: bool
    running: bool
    elapsed_seconds: int


class SlaOut(Out):
    policy_id: str | None
    policy_version: int | None
    policy_name: str | None
    next_due_at: datetime | None
    metrics: dict[str, SlaClockOut]
