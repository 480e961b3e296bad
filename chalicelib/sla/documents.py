"""SLA policies as JSON documents (what the admin API takes and the table stores); calendars are in
:mod:`chalicelib.calendars.documents`.

Policy::

    {"name": "VIP", "position": 10,
     "conditions": {"priorities": ["urgent", "high"], "channels": [...], "team_ids": [...],
                    "organization_ids": [...], "vip": true},
     "targets": [{"metric": "first_response", "minutes": 60, "business": true}, ...],
     "calendar_id": "berlin", "breach_actions": ["raise_priority", "escalate", "notify_lead"]}

Every problem is a ``FieldError`` naming the field path at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from chalicelib.calendars.calendar import BusinessCalendar
from chalicelib.core.errors import FieldError
from chalicelib.domain.tickets import Channel, Priority
from chalicelib.sla.policies import BREACH_ACTIONS, METRICS, Conditions, Policy, Target

E = TypeVar("E")


def _set(values: Any, convert: Callable[[Any], E], where: str) -> frozenset[E] | None:
    if values is None:
        return None
    try:
        return frozenset(convert(v) for v in values)
    except ValueError:
        raise FieldError(where, f"{values!r} has an unknown value") from None


def policy_from_doc(
    policy_id: str, version: int, body: Mapping[str, Any], calendars: Mapping[str, BusinessCalendar]
) -> Policy:
    cond = body.get("conditions") or {}
    conditions = Conditions(
        priorities=_set(cond.get("priorities"), Priority, "conditions.priorities"),
        channels=_set(cond.get("channels"), Channel, "conditions.channels"),
        team_ids=_set(cond.get("team_ids"), str, "conditions.team_ids"),
        organization_ids=_set(cond.get("organization_ids"), str, "conditions.organization_ids"),
        vip=cond.get("vip"),
    )
    targets = []
    for n, spec in enumerate(body.get("targets") or []):
        if not isinstance(spec, Mapping) or spec.get("metric") not in METRICS:
            raise FieldError(f"targets[{n}].metric", f"expected one of {', '.join(METRICS)}")
        try:
            targets.append(Target(spec["metric"], spec.get("minutes"), bool(spec.get("business", False))))  # type: ignore[arg-type]
        except ValueError as exc:
            raise FieldError(f"targets[{n}].minutes", f"{exc}") from None
    calendar_id = body.get("calendar_id")
    if calendar_id is not None and calendar_id not in calendars:
        raise FieldError("calendar_id", f"no calendar {calendar_id!r}")
    actions = tuple(body.get("breach_actions") or ())
    for action in actions:
        if action not in BREACH_ACTIONS:
            raise FieldError("breach_actions", f"unknown action {action!r}; expected {', '.join(BREACH_ACTIONS)}")
    policy = Policy(
        id=policy_id,
        name=str(body.get("name") or ""),
        version=version,
        conditions=conditions,
        targets=tuple(targets),
        calendar=calendars[calendar_id] if calendar_id else None,
        position=int(body.get("position", 0)),
        calendar_id=calendar_id,
        breach_actions=actions,
    )
    if not policy.targets:
        raise FieldError("targets", "a policy needs at least one target")
    policy.validate()
    return policy


def policy_to_doc(policy: Policy) -> dict[str, Any]:
    c = policy.conditions

    def listed(values: frozenset[Any] | None) -> list[str] | None:
        return None if values is None else sorted(str(v) for v in values)

    return {
        "name": policy.name,
        "position": policy.position,
        "conditions": {
            "priorities": listed(c.priorities),
            "channels": listed(c.channels),
            "team_ids": listed(c.team_ids),
            "organization_ids": listed(c.organization_ids),
            "vip": c.vip,
        },
        "targets": [{"metric": t.metric, "minutes": t.minutes, "business": t.business} for t in policy.targets],
        "calendar_id": policy.calendar_id,
        "breach_actions": list(policy.breach_actions),
    }
