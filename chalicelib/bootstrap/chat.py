"""The chat's parts, built for the container (kept apart so ``container.py`` stays a table of parts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.bootstrap.container import Container
    from chalicelib.chat.agent_web import AgentWebAuth
    from chalicelib.chat.consumer import ChatRelay
    from chalicelib.chat.push import Pusher
    from chalicelib.chat.ring import ChatRouter
    from chalicelib.chat.service import ChatService
    from chalicelib.chat.sockets import Sockets
    from chalicelib.domain.chat import Conversation


class ChatParts:
    def __init__(self, c: Container, send: Callable[[str, str], None] | None = None) -> None:
        self.c = c
        self._send = send
        self._pusher: Pusher | None = None
        self._router: ChatRouter | None = None
        self._service: ChatService | None = None

    @property
    def pusher(self) -> Pusher:
        if self._pusher is None:
            from chalicelib.chat.push import Management, Pusher

            send = self._send or Management(self.c.settings.chat_management_url, self.c.settings.region).send
            self._pusher = Pusher(self.c.repos.chat, send, self.c.clock)
        return self._pusher

    @property
    def router(self) -> ChatRouter:
        if self._router is None:
            from chalicelib.chat.ring import ChatRouter, Timing

            s = self.c.settings
            timing = Timing(
                timedelta(seconds=s.chat_ring_seconds),
                timedelta(seconds=s.chat_presence_seconds),
                timedelta(minutes=s.chat_inactivity_minutes),
            )
            self._router = ChatRouter(self.c.repos.chat, timing, self.c.clock, self._announce, self._missed)
        return self._router

    def _announce(self, conversation: Conversation, what: str) -> None:
        frame: dict[str, Any] = {
            "type": "offer" if what == "ringing" else "withdrawn",
            "conversation": conversation.id,
            "ticket_id": conversation.ticket_id,
        }
        if conversation.ring_until:
            frame["ring_until"] = conversation.ring_until.isoformat()
        agent = conversation.ring_agent_id if what == "ringing" else (conversation.missed_by or ("",))[-1]
        if agent:
            self.pusher.to_agent(agent, frame)

    def _missed(self, conversation: Conversation, agent_id: str) -> None:
        """A ring ran out: the ``chat.missed`` note the reports count (the service is built on first use)."""
        self.service.record_missed(conversation, agent_id)

    @property
    def service(self) -> ChatService:
        if self._service is None:
            from chalicelib.chat.service import ChatService

            self._service = ChatService(
                self.c.repos.chat,
                self.router,
                self.c.tickets,
                self.c.customers,
                self.pusher,
                self.c.clock,
                self.c.settings.chat_queue_limit,
            )
        return self._service

    def sockets(self) -> Sockets:
        from chalicelib.chat.sockets import Sockets

        origins = frozenset(o.rstrip("/") for o in self.c.settings.chat_allowed_origins.split())
        return Sockets(
            self.c.repos.chat, self.service, self.router, self.pusher, self.agent_info, origins, self.c.clock
        )

    def agent_info(self, agent_id: str) -> tuple[str, int]:
        agent = self.c.directory_repo.get_agent(agent_id)
        capacity = min(agent.capacity, self.c.settings.chat_capacity) if agent.active else 0
        return agent.name, capacity

    def relay(self) -> ChatRelay:
        from chalicelib.chat.consumer import ChatRelay

        return ChatRelay(self.c.repos.chat, self.c.ticket_repo, self.service, self.pusher, self.c.clock)

    def mail_transcript(self, to: str, subject: str, text: str) -> None:
        self.send_mail("transcript", to, subject, text or "(no messages)")

    def web_auth(self) -> AgentWebAuth:
        from chalicelib.chat.agent_web import AgentWebAuth

        def send_link(to: str, link: str) -> None:
            text = f"Sign in to {self.c.settings.support_name} (works once, for 15 minutes):\n\n{link}\n"
            self.send_mail("agent-sign-in", to, "Your sign-in link", text)

        return AgentWebAuth(self.c.repos.chat, self.c.directory_repo, self.c.clock, send_link)

    def send_mail(self, kind: str, to: str, subject: str, text: str) -> None:
        """Mail a person asked for (a transcript, a sign-in link) straight through SESv2, with a copy in the
        mail bucket beside what the desk sends (``sent/<kind>/<id>.eml``; ``lambdesk mail outbox`` lists it)."""
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid

        from chalicelib.core.clients import client
        from chalicelib.core.ids import new_id
        from chalicelib.core.resources import SENT_MAIL_PREFIX

        s = self.c.settings
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = f"{s.support_name} <{s.support_address}>", to, subject
        mail["Date"], mail["Message-ID"] = formatdate(usegmt=True), make_msgid(domain=s.support_domain)
        mail.set_content(text)
        raw = mail.as_bytes()
        client("sesv2").send_email(Content={"Raw": {"Data": raw}})
        self.c.objects.put(s.bucket, f"{SENT_MAIL_PREFIX}{kind}/{new_id()}.eml", raw, "message/rfc822")


def held(ticket: Any) -> bool:
    """A live chat's ticket: the chat rings its own agents, routing's team strategies leave it alone."""
    from chalicelib.domain.tickets import Channel, Status

    return bool(ticket.channel is Channel.CHAT and ticket.status is Status.NEW and ticket.assignee_id is None)
