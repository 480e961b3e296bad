"""SLA policies and business calendars as JSON documents (what the admin API takes and the table stores).

Calendar::

    {"name": "Berlin office", "time_zone": "Europe/Berlin",
     "week": {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], ..., "sun": []},
     "holidays": ["2026-12-24"], "country": "DE", "subdivision": "BE"}

Policy::

    {"name": "VIP", "position": 10,
     "conditions": {"priorities": ["urgent", "high"], "channels": [...], "team_ids": [...],
                    "organization_ids": [...], "vip": true},
     "targets": [{"metric": "first_response", "minutes": 60, "business": true}, ...],
     "calendar_id": "berlin", "breach_actions": ["raise_priority", "escalate", "notify_lead"]}

Every problem is a ``ValueError`` whose message starts with the field path at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, time
from typing import Any, TypeVar

from chalicelib.calendars.calendar import BusinessCalendar, Interval
from chalicelib.domain.tickets import Channel, Priority
from chalicelib.sla.policies import BREACH_ACTIONS, METRICS, Conditions, Policy, Target

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
E = TypeVar("E")


def _time(value: Any, where: str) -> time:
    text = str(value)
    if text == "24:00":
        return time(0)
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a time of day HH:MM") from None


def _text(t: time, end: bool = False) -> str:
    return "24:00" if end and t == time(0) else t.strftime("%H:%M")


def week_from_doc(week: Any, where: str = "week") -> dict[int, tuple[Interval, ...]]:
    if not isinstance(week, Mapping):
        raise ValueError(f"{where}: expected an object with days mon..sun")
    result: dict[int, tuple[Interval, ...]] = {}
    for day, intervals in week.items():
        if day not in DAYS:
            raise ValueError(f"{where}.{day}: unknown day; expected one of {', '.join(DAYS)}")
        parsed = []
        for n, pair in enumerate(intervals or []):
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"{where}.{day}[{n}]: expected [start, end]")
            parsed.append(Interval(_time(pair[0], f"{where}.{day}[{n}]"), _time(pair[1], f"{where}.{day}[{n}]")))
        result[DAYS.index(day)] = tuple(parsed)
    return result


def calendar_from_doc(body: Mapping[str, Any]) -> BusinessCalendar:
    holidays = []
    for n, text in enumerate(body.get("holidays") or []):
        try:
            holidays.append(date.fromisoformat(str(text)))
        except ValueError:
            raise ValueError(f"holidays[{n}]: {text!r} is not a date YYYY-MM-DD") from None
    calendar = BusinessCalendar(
        time_zone=str(body.get("time_zone") or ""),
        week=week_from_doc(body.get("week")),
        holidays=frozenset(holidays),
        country=body.get("country") or None,
        subdivision=body.get("subdivision") or None,
    )
    try:
        calendar.validate()
    except ValueError as exc:
        raise ValueError(f"{_field_of(str(exc))}: {exc}") from None
    return calendar


def _field_of(message: str) -> str:
    if "time zone" in message:
        return "time_zone"
    if "weekday" in message or "week" in message:
        return "week"
    return "country" if "country" in message or "subdivision" in message else "calendar"


def calendar_to_doc(name: str, calendar: BusinessCalendar) -> dict[str, Any]:
    return {
        "name": name,
        "time_zone": calendar.time_zone,
        "week": {
            DAYS[d]: [[_text(i.start), _text(i.end, end=True)] for i in intervals]
            for d, intervals in sorted(calendar.week.items())
        },
        "holidays": sorted(d.isoformat() for d in calendar.holidays),
        "country": calendar.country,
        "subdivision": calendar.subdivision,
    }


def _set(values: Any, convert: Callable[[Any], E], where: str) -> frozenset[E] | None:
    if values is None:
        return None
    try:
        return frozenset(convert(v) for v in values)
    except ValueError:
        raise ValueError(f"{where}: {values!r} has an unknown value") from None


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
            raise ValueError(f"targets[{n}].metric: expected one of {', '.join(METRICS)}")
        try:
            targets.append(Target(spec["metric"], spec.get("minutes"), bool(spec.get("business", False))))  # type: ignore[arg-type]
        except ValueError as exc:
            raise ValueError(f"targets[{n}].minutes: {exc}") from None
    calendar_id = body.get("calendar_id")
    if calendar_id is not None and calendar_id not in calendars:
        raise ValueError(f"calendar_id: no calendar {calendar_id!r}")
    actions = tuple(body.get("breach_actions") or ())
    for action in actions:
        if action not in BREACH_ACTIONS:
            raise ValueError(f"breach_actions: unknown action {action!r}; expected {', '.join(BREACH_ACTIONS)}")
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
        raise ValueError("targets: a policy needs at least one target")
    try:
        policy.validate()
    except ValueError as exc:
        raise ValueError(f"{'calendar_id' if 'calendar' in str(exc) else 'targets'}: {exc}") from None
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
