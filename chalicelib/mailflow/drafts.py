"""Which ticket events mail whom, and in which words: the drafts that ``outbound`` screens and delivers.

The contract of docs/decisions/021-outbound-mail.md:

- ``message.added``, public, by an agent: the reply to the requester (To) and the ticket's CCs (Cc). Human
  mail: no ``Auto-Submitted``, never dropped by caps.
- every mail to the requester about a ticket (reply, canned reply, acknowledgement, reminder) carries the
  ticket's portal link when the portal's URL is set: its ticket link (``chalicelib.access.links``) when the
  requester is the only recipient, else the ticket's page behind sign-in (a ticket link is the requester's).
- ``message.added``, public, by a trigger (actor ``trigger:<id>``): its canned reply, to the same people and
  threaded the same way, but automatic (``auto-replied``): caps and the no-reply rule apply, and it does not
  answer a customer message that was itself automatic or bulk mail.
- ``ticket.created`` with ``data.acknowledge`` true: an acknowledgement to the requester (``auto-replied``).
- ``ticket.reminded`` on a pending ticket: a reminder to the requester (``auto-generated``).
- ``ticket.assigned``: a notification to the new assignee unless they took it themselves (``auto-generated``).
- ``sla.warning``, ``sla.breached``, ``trigger.notified``: one mail to the active agents of
  ``data.notify_agent_ids``, all in To (``auto-generated``).
- ``survey.requested`` with ``data.delivery`` "mail": the satisfaction survey to the requester, in their
  language (``auto-generated``; links from ``survey_links``, which the composition root gives).
- anything else: nothing.

Mail to the requester is threaded into the conversation; mail to agents is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.domain.timeline import fired_by_trigger
from chalicelib.mailflow.caps import automatic_source
from chalicelib.mailflow.compose import (
    Mailbox,
    assignee_of,
    latest_customer_text,
    mailbox,
    one_line,
    render,
    reply_bodies,
    ticket_subject,
)
from chalicelib.mailflow.occasions import Occasion, occasion
from chalicelib.mailflow.wording import clock_time, day, duration_words, full_time, metric_words, parse_time

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from chalicelib.access.links import TicketLinks
    from chalicelib.domain.mailthread import MailThread
    from chalicelib.domain.people import Agent
    from chalicelib.domain.tickets import Ticket
    from chalicelib.domain.timeline import TimelineEntry
    from chalicelib.storage.ports import CustomerRepository, DirectoryRepository, TicketRepository

EXCERPT_CHARS = 600


class Kind(StrEnum):
    REPLY = "reply"  # an agent's public reply
    CANNED_REPLY = "canned_reply"  # a trigger's public reply
    ACKNOWLEDGEMENT = "acknowledgement"
    REMINDER = "reminder"  # a pending ticket waits for the requester
    NOTIFICATION = "notification"  # an assignment
    SLA_ALERT = "sla_alert"
    TRIGGER_NOTICE = "trigger_notice"
    SURVEY = "survey"  # a satisfaction survey (docs/decisions/042-surveys.md)

    @property
    def auto_submitted(self) -> str | None:
        """RFC 3834: ``auto-replied`` answers a message, ``auto-generated`` is a notice; None: a person wrote it."""
        if self is Kind.REPLY:
            return None
        return "auto-replied" if self in (Kind.CANNED_REPLY, Kind.ACKNOWLEDGEMENT) else "auto-generated"

    @property
    def answers(self) -> bool:
        """A reply in the conversation: agents never get a copy of it (they read the ticket)."""
        return self in (Kind.REPLY, Kind.CANNED_REPLY)


_BY_TYPE = {
    "ticket.assigned": Kind.NOTIFICATION,
    "ticket.reminded": Kind.REMINDER,
    "sla.warning": Kind.SLA_ALERT,
    "sla.breached": Kind.SLA_ALERT,
    "trigger.notified": Kind.TRIGGER_NOTICE,
    "survey.requested": Kind.SURVEY,
}


def kind_of(event: dict[str, Any]) -> Kind | None:
    actor, data, event_type = event.get("actor") or {}, event.get("data") or {}, event.get("type")
    if event_type == "message.added":
        if event.get("public") is not True:
            return None
        if actor.get("kind") == "agent":
            return Kind.REPLY
        return Kind.CANNED_REPLY if fired_by_trigger(event) else None
    if event_type == "ticket.created":
        return Kind.ACKNOWLEDGEMENT if data.get("acknowledge") is True else None
    return _BY_TYPE.get(str(event_type))


@dataclass(frozen=True)
class Answer:
    """An article offered in the acknowledgement mail: where to read it, and its "this solved it" link."""

    title: str
    url: str
    solve_url: str


@dataclass(frozen=True)
class Draft:
    kind: Kind
    ticket: Ticket
    earlier: list[TimelineEntry]  # the conversation up to the event, oldest first (unless ``thread`` is set)
    to: tuple[Mailbox, ...]
    subject: str
    text: str
    html: str
    cc: tuple[Mailbox, ...] = ()
    attachments: tuple[Any, ...] = ()
    threaded: bool = True
    # The ticket's mail thread, valid at the event (threads without ``earlier``: domain/mailthread.py).
    thread: MailThread | None = None


class Drafts:
    def __init__(
        self,
        tickets: TicketRepository,
        customers: CustomerRepository,
        directory: DirectoryRepository,
        support_name: str,
        links: TicketLinks | None = None,
        portal_url: str | None = None,
        survey_links: Callable[[Mapping[str, Any]], Mapping[int, str] | None] | None = None,
        answers: Callable[[Ticket, str], Sequence[Answer]] | None = None,
    ) -> None:
        """``survey_links``: the rating links (1-5 -> URL) of a ``survey.requested`` entry's data, or None when it
        names no survey; without it no survey is mailed. ``answers``: articles for a new ticket's text, offered
        in its acknowledgement (none without it)."""
        self.tickets = tickets
        self.customers = customers
        self.directory = directory
        self.support_name = support_name
        self.links = links
        self.portal_url = portal_url
        self.survey_links = survey_links
        self.answers = answers

    def draft(self, kind: Kind, event: dict[str, Any]) -> Draft | None:
        """The mail an event asks for; None when it mails nobody."""
        builders: dict[Kind, Callable[[Occasion], Draft | None]] = {
            Kind.REPLY: self._reply,
            Kind.CANNED_REPLY: self._canned_reply,
            Kind.ACKNOWLEDGEMENT: self._acknowledgement,
            Kind.REMINDER: self._reminder,
            Kind.NOTIFICATION: self._assignment,
            Kind.SLA_ALERT: self._sla_alert,
            Kind.TRIGGER_NOTICE: self._trigger_notice,
            Kind.SURVEY: self._survey,
        }
        return builders[kind](occasion(self.tickets, str(kind), event))

    # -- to the requester, in the conversation --------------------------------------------------

    def _reply(self, o: Occasion, kind: Kind = Kind.REPLY) -> Draft | None:
        from chalicelib.domain.tickets import Channel

        if o.ticket.channel is Channel.CHAT:
            return None  # chat answers reach the customer in the chat, not by mail
        requester = self._requester(o.ticket, updates=True)
        own = o.entry
        cc = tuple(m for m in (mailbox(a) for a in o.ticket.ccs) if m)
        if requester is None and not cc:
            return None  # the requester follows the ticket in the portal, and nobody else gets its mail
        link = self._portal_link(o.ticket, shared=bool(cc)) if requester else ""
        # The event carries a preview only: the reply's text is read from its entry (claim check).
        text, html = reply_bodies(
            own.body_text if own else None,
            own.body_html if own else None,
            {**self._context(o.ticket), "portal_link": link},
        )
        return Draft(
            kind,
            o.ticket,
            o.earlier,
            to=(requester,) if requester else (),
            cc=cc,
            subject=ticket_subject(o.ticket.subject, o.ticket.number),
            text=text + portal_footer(link),
            html=html,
            attachments=tuple((own.data.get("attachments") or []) if own else []),
            thread=o.thread,
        )

    def _canned_reply(self, o: Occasion) -> Draft | None:
        if o.answers_automatic_mail():
            return None  # RFC 3834: no automatic answer to automatic or bulk mail
        return self._reply(o, Kind.CANNED_REPLY)

    def _acknowledgement(self, o: Occasion) -> Draft | None:
        if any(automatic_source(e.data) for e in o.earlier):
            return None  # belt and braces: the inbound side never asks to acknowledge such mail
        requester = self._requester_at_creation(o) or self._requester(o.ticket, updates=True)
        if requester is None:
            return None
        link = self._portal_link(o.ticket)
        question = next((e.body_text for e in (*o.earlier, o.entry) if e is not None and e.body_text), "")
        answers = self.answers(o.ticket, f"{o.ticket.subject}\n{question}") if self.answers else ()
        context = {**self._context(o.ticket), "portal_link": link, "answers": answers}
        text, html = render("acknowledgement", name=requester.name, **context)
        subject = ticket_subject(o.ticket.subject, o.ticket.number)
        return Draft(Kind.ACKNOWLEDGEMENT, o.ticket, o.earlier, (requester,), subject, text, html)

    def _reminder(self, o: Occasion) -> Draft | None:
        from chalicelib.domain.tickets import Status

        requester = self._requester(o.ticket, updates=True)
        if requester is None or o.ticket.status is not Status.PENDING:
            return None  # nobody to remind, or the ticket moved on (the customer answered) before this mail
        solve_at = parse_time(o.data.get("solve_at"))
        text, html = render(
            "reminder",
            name=requester.name,
            solve_on=day(solve_at) if solve_at else "",
            portal_link=self._portal_link(o.ticket),
            **self._context(o.ticket),
        )
        subject = ticket_subject(o.ticket.subject, o.ticket.number)
        return Draft(Kind.REMINDER, o.ticket, o.earlier, (requester,), subject, text, html, thread=o.thread)

    def _survey(self, o: Occasion) -> Draft | None:
        from chalicelib.mailflow.survey_mail import survey_mail

        links = self.survey_links(o.data) if self.survey_links and o.data.get("delivery") == "mail" else None
        customer = self.customers.get_customer(o.ticket.requester_id)
        requester = mailbox(customer.email, customer.name)
        if not links or requester is None:
            return None
        name = requester.name if requester.name.lower() != requester.email else ""  # a bare address is no name
        mail = survey_mail(customer.locale, name, o.ticket.number, o.ticket.subject, self.support_name, links)
        return Draft(Kind.SURVEY, o.ticket, o.earlier, (requester,), mail.subject, mail.text, mail.html, threaded=False)

    # -- to agents, outside the conversation ----------------------------------------------------

    def _assignment(self, o: Occasion) -> Draft | None:
        assignee_id = assignee_of(o.event)
        actor = o.event.get("actor") or {}
        if not assignee_id or assignee_id == actor.get("id"):
            return None
        agent = self._agent(assignee_id)
        recipient = mailbox(agent.email, agent.name) if agent is not None and agent.active else None
        if agent is None or recipient is None:
            return None
        actor_name = ""
        if actor.get("kind") == "agent":
            by = self._agent(str(actor.get("id")))
            actor_name = by.name if by else "An agent"
        text, html = render("assigned", agent_name=agent.name, actor_name=actor_name, **self._facts(o))
        subject = ticket_subject(o.ticket.subject, o.ticket.number, reply=False, label="Assigned to you: ")
        return Draft(Kind.NOTIFICATION, o.ticket, o.earlier, (recipient,), subject, text, html, threaded=False)

    def _sla_alert(self, o: Occasion) -> Draft | None:
        to = self._agents(o.data.get("notify_agent_ids"))
        if not to:
            return None
        breached = o.event.get("type") == "sla.breached"
        metric, due_at = metric_words(o.data.get("metric")), parse_time(o.data.get("due_at"))
        due = f" due {clock_time(due_at, parse_time(o.event.get('occurred_at')))}" if due_at else ""
        text, html = render(
            "sla_alert",
            breached=breached,
            metric=metric,
            due_at=full_time(due_at) if due_at else "",
            policy_name=one_line(str(o.data.get("policy_name") or "")),
            target=duration_words(o.data.get("target_minutes")),
            **self._facts(o),
        )
        label = f"SLA {'breached' if breached else 'warning'}: {metric}{due}"
        subject = f"{label} — {ticket_subject(o.ticket.subject, o.ticket.number, reply=False)}"
        return Draft(Kind.SLA_ALERT, o.ticket, o.earlier, to, subject, text, html, threaded=False)

    def _trigger_notice(self, o: Occasion) -> Draft | None:
        to = self._agents(o.data.get("notify_agent_ids"))
        if not to:
            return None
        name = one_line(str(o.data.get("trigger_name") or "")) or "unnamed"
        text, html = render("trigger_notice", trigger_name=name, **self._facts(o))
        subject = ticket_subject(o.ticket.subject, o.ticket.number, reply=False, label=f'Trigger "{name}": ')
        return Draft(Kind.TRIGGER_NOTICE, o.ticket, o.earlier, to, subject, text, html, threaded=False)

    # -- people and facts -----------------------------------------------------------------------

    def _requester(self, ticket: Ticket, updates: bool = False) -> Mailbox | None:
        """The requester's mailbox; with ``updates``, None when they chose to follow their requests in the
        portal instead of by mail (their profile's ``mail_updates``)."""
        customer = self.customers.get_customer(ticket.requester_id)
        if updates and not customer.mail_updates:
            return None
        return mailbox(customer.email, customer.name)

    @staticmethod
    def _requester_at_creation(o: Occasion) -> Mailbox | None:
        """The requester as the ``ticket.created`` entry wrote them down (saves reading them): None when it
        did not, or when they follow their requests in the portal rather than by mail."""
        from chalicelib.domain.people import RequesterFacts

        facts = RequesterFacts.written(o.entry.data) if o.entry is not None else None
        if facts is None or not facts.email or not facts.mail_updates:
            return None
        return mailbox(facts.email, facts.name)

    def _agent(self, agent_id: str) -> Agent | None:
        from chalicelib.core.errors import NotFound

        try:
            return self.directory.get_agent(agent_id)
        except NotFound:
            return None

    def _agents(self, ids: object) -> tuple[Mailbox, ...]:
        """The mailboxes of the active agents among ``ids``, in order, each once; unknown ids left out."""
        found = (self._agent(str(i)) for i in dict.fromkeys(ids if isinstance(ids, list) else []))
        boxes = (mailbox(a.email, a.name) for a in found if a is not None and a.active)
        return tuple(dict.fromkeys(b for b in boxes if b))

    def _facts(self, o: Occasion) -> dict[str, Any]:
        """What a notification to agents says about the ticket (as it is now)."""
        requester = self._requester(o.ticket)
        assignee = self._agent(o.ticket.assignee_id) if o.ticket.assignee_id else None
        return {
            "requester": f"{requester.name} <{requester.email}>" if requester else "-",
            "priority": str(o.ticket.priority),
            "status": str(o.ticket.status),
            "assignee": assignee.name if assignee else "nobody",
            "excerpt": latest_customer_text(o.earlier, EXCERPT_CHARS),
            **self._context(o.ticket),
        }

    def _portal_link(self, ticket: Ticket, shared: bool = False) -> str:
        """The ticket in the portal: its ticket link, minted (or renewed) for the requester; a mail that others
        get too (Cc) links to the ticket's page behind sign-in instead. Empty without a portal URL."""
        if not self.portal_url:
            return ""
        if shared or self.links is None:
            return f"{self.portal_url}/portal/tickets/{ticket.number}"
        return f"{self.portal_url}/portal/t/{self.links.mint(ticket.id, ticket.requester_id)}"

    def _context(self, ticket: Ticket) -> dict[str, Any]:
        return {"number": ticket.number, "subject": ticket.subject, "support_name": self.support_name}


def portal_footer(link: str) -> str:
    """The plain-text part's last lines: where to follow the request online."""
    return f"\n\n-- \nFollow this request and reply online: {link}\n" if link else ""
