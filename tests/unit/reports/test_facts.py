"""Metric facts: what each entry makes true, by the definitions of decision 060."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from chalicelib.calendars.calendar import BusinessCalendar, Interval
from chalicelib.domain.tickets import Priority, Status
from chalicelib.reports.facts import Fact, SlaView, facts_at
from tests.unit.reports.script import Script, agent

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
H = timedelta(hours=1)
NINE_TO_FIVE = BusinessCalendar("UTC", {d: (Interval(time(9), time(17)),) for d in range(5)})


def facts(script: Script, event: str, n: int = 0, calendar: BusinessCalendar | None = None) -> list[Fact]:
    judge = (lambda ticket, timeline, at: SlaView(calendar)) if calendar else None
    return facts_at(script.ticket, script.timeline, script.entry(event, n).id, judge)


def names(found: list[Fact]) -> list[str]:
    return [f.name for f in found]


def test_a_customers_ticket_counts_its_first_reply_from_creation() -> None:
    s = Script.open(T0).reply(T0 + 2 * H, "A1")
    (first, reply) = facts(s, "message.added", 1)
    assert (first.name, first.seconds, first.business_seconds) == ("first_reply", 7200, 7200)
    assert (reply.name, reply.seconds) == ("reply", 7200)


def test_an_agent_created_ticket_counts_its_first_reply_from_the_customers_first_message_after_it() -> None:
    s = Script.open(T0, by=agent("A1")).reply(T0 + H, "A1").customer(T0 + 3 * H).reply(T0 + 4 * H, "A1")
    assert names(facts(s, "message.added", 1)) == ["reply"]  # the agent's own message: nothing to answer yet
    (first, reply) = facts(s, "message.added", 3)
    assert (first.name, first.seconds) == ("first_reply", 3600)
    assert (reply.name, reply.seconds) == ("reply", 3600)


def test_after_a_reopen_the_next_first_reply_counts_from_the_reopen() -> None:
    s = Script.open(T0).reply(T0 + H, "A1", Status.SOLVED).customer(T0 + 10 * H).reply(T0 + 12 * H, "A1")
    assert names(facts(s, "ticket.updated", 1)) == ["reopened", "fcr_retracted"]
    (first, reply) = facts(s, "message.added", 3)
    assert (first.name, first.seconds) == ("first_reply", 7200)
    assert reply.seconds == 7200


def test_automatic_mail_is_no_reply_and_a_later_agent_reply_is_the_first() -> None:
    s = Script.open(T0).automatic(T0 + 60 * timedelta(seconds=1)).reply(T0 + 5 * H, "A1")
    assert facts(s, "message.added", 1) == []
    assert facts(s, "message.added", 2)[0].seconds == 5 * 3600


def test_a_solve_after_one_reply_is_first_contact_resolution_until_a_reopen_takes_it_back() -> None:
    s = Script.open(T0).reply(T0 + H, "A1", Status.SOLVED)
    solved, fcr = facts(s, "ticket.updated")
    assert (solved.name, solved.seconds, fcr.name, fcr.at) == ("solved", 3600, "fcr", T0 + H)
    s.customer(T0 + 30 * H)
    reopened, retracted = facts(s, "ticket.updated", 1)
    assert reopened.at == T0 + 30 * H and (retracted.name, retracted.at) == ("fcr_retracted", T0 + H)


def test_a_solve_after_two_replies_is_not_first_contact_resolution() -> None:
    s = Script.open(T0).reply(T0 + H, "A1").customer(T0 + 2 * H).reply(T0 + 3 * H, "A1", Status.SOLVED)
    assert names(facts(s, "ticket.updated")) == ["solved"]


def test_facts_carry_the_assignee_team_and_priority_of_their_moment() -> None:
    s = Script.open(T0, team_id="T1").change(T0, assignee_id="A1").reply(T0 + H, "A1")
    s.change(T0 + 2 * H, team_id="T2", assignee_id="A2", priority=Priority.HIGH).reply(T0 + 3 * H, "A2", Status.SOLVED)
    first = facts(s, "message.added", 1)[0]
    assert (first.moment.assignee_id, first.moment.team_id, first.moment.priority) == ("A1", "T1", "normal")
    created = facts(s, "ticket.created")[0]
    assert (created.moment.assignee_id, created.moment.team_id) == (None, "T1")
    solved = facts(s, "ticket.updated", 1)[0]
    assert (solved.moment.assignee_id, solved.moment.team_id, solved.moment.priority) == ("A2", "T2", "high")


def test_business_seconds_count_only_open_hours_of_the_calendar_in_force() -> None:
    friday_four = datetime(2026, 11, 6, 16, 0, tzinfo=UTC)
    s = Script.open(friday_four).reply(friday_four + timedelta(days=3), "A1")  # Monday 16:00
    first = facts(s, "message.added", 1, NINE_TO_FIVE)[0]
    assert (first.seconds, first.business_seconds) == (3 * 86400, 8 * 3600)  # Friday 16-17, Monday 9-16


def test_a_survey_answer_counts_its_rating_and_a_change_moves_it() -> None:
    s = Script.open(T0).reply(T0 + H, "A1", Status.SOLVED).csat(T0 + 30 * H, 2).csat(T0 + 31 * H, 5, previous=2)
    (first,) = facts(s, "csat.answered")
    (change,) = facts(s, "csat.answered", 1)
    assert (first.rating, first.previous_rating, change.rating, change.previous_rating) == (2, None, 5, 2)


def test_sla_facts_are_the_change_in_outcomes_since_the_previous_counted_entry() -> None:
    def judge(ticket: object, timeline: list[object], at: datetime) -> SlaView:
        breached = int(at >= T0 + 2 * H)
        return SlaView(None, {("P1", "first_response"): (0, breached)})

    s = Script.open(T0).event(T0 + 2 * H, "sla.breached").reply(T0 + 3 * H, "A1")
    (sla,) = facts_at(s.ticket, s.timeline, s.entry("sla.breached").id, judge)  # type: ignore[arg-type]
    assert (sla.name, sla.policy_id, sla.metric, sla.achieved, sla.breached) == ("sla", "P1", "first_response", 0, 1)
    later = facts_at(s.ticket, s.timeline, s.entry("message.added", 1).id, judge)  # type: ignore[arg-type]
    assert names(later) == ["first_reply", "reply"]


def test_an_entry_not_on_the_timeline_makes_nothing_true() -> None:
    s = Script.open(T0)
    assert facts_at(s.ticket, s.timeline, "01ZZZZZZZZZZZZZZZZZZZZZZZZ", None) == []


def test_a_missed_chat_counts_for_the_agent_who_missed_it_in_the_tickets_team_channel_and_priority() -> None:
    from zoneinfo import ZoneInfo

    from chalicelib.domain.tickets import Channel
    from chalicelib.reports.rollup import tallies

    s = Script.open(T0, channel=Channel.CHAT, priority=Priority.HIGH, team_id="T1")
    s.change(T0, agent("router"), assignee_id="A2")  # assigned to someone else: the miss is still A1's
    s.event(T0 + timedelta(seconds=30), "chat.missed", {"conversation_id": "conv-1", "agent_id": "A1"})
    (missed,) = facts(s, "chat.missed")
    assert (missed.name, missed.moment) == ("chat_missed", type(missed.moment)("A1", "T1", "chat", "high"))
    added = {(t.dimension, t.key): dict(t.counts) for t in tallies([missed], ZoneInfo("UTC"))}
    assert added == {
        ("all", "all"): {"chat_missed": 1},
        ("agent", "A1"): {"chat_missed": 1},
        ("team", "T1"): {"chat_missed": 1},
        ("channel", "chat"): {"chat_missed": 1},
        ("priority", "high"): {"chat_missed": 1},
    }
