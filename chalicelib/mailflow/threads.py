"""Which ticket an inbound mail belongs to, in this order:

1. a per-ticket signed reply address among its recipients;
2. ``In-Reply-To``/``References`` naming a mail Lambdesk stored or sent (SES's rewritten ids included);
3. a ticket token in the subject (``[#1234]``), only when the sender is the requester, a CC or an agent.

Otherwise none: the caller opens a new ticket. A merged ticket leads to the ticket it was merged into.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.parser import BytesHeaderParser

from chalicelib.core.errors import NotFound
from chalicelib.domain.tickets import Ticket
from chalicelib.mail.model import ParsedMail
from chalicelib.mail.subjects import ticket_token_in_subject
from chalicelib.mailflow.addresses import ticket_number_from
from chalicelib.storage.ports import CustomerRepository, DirectoryRepository, MailRepository, TicketRepository

SES_ID_DOMAINS = ("email.amazonses.com",)
MAX_MERGE_HOPS = 5


@dataclass(frozen=True)
class Thread:
    ticket: Ticket
    via: str  # reply_address | references | subject_token


def message_ids(mail: ParsedMail) -> list[str]:
    """Ids this mail answers, nearest first; for reports, also the ids of the mail they report on."""
    ids = [mail.in_reply_to] if mail.in_reply_to else []
    ids += list(reversed(mail.references))
    for attachment in mail.attachments:
        if attachment.content_type in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            original = BytesHeaderParser().parsebytes(attachment.data)
            for name in ("Message-ID", "In-Reply-To"):
                value = str(original.get(name, "")).strip().strip("<>")
                if value:
                    ids.append(value)
    return list(dict.fromkeys(i for i in ids if i))


class Threads:
    """Finds the ticket an inbound mail answers (see the module docstring)."""

    def __init__(
        self,
        tickets: TicketRepository,
        customers: CustomerRepository,
        directory: DirectoryRepository,
        mail: MailRepository,
        support_domain: str,
        key: bytes,
    ) -> None:
        self.tickets = tickets
        self.customers = customers
        self.directory = directory
        self.mail = mail
        self.domain = support_domain
        self.key = key

    def find(self, mail: ParsedMail, recipients: list[str]) -> Thread | None:
        return self._by_address(recipients) or self._by_references(mail) or self._by_subject(mail)

    def _by_address(self, recipients: list[str]) -> Thread | None:
        for address in recipients:
            number = ticket_number_from(address, self.domain, self.key)
            found = self._by_number(number) if number is not None else None
            if found:
                return Thread(found, "reply_address")
        return None

    def _by_references(self, mail: ParsedMail) -> Thread | None:
        for message_id in message_ids(mail):
            ticket_id = self.mail.ticket_for_message_id(message_id)
            if ticket_id is None and message_id.endswith(SES_ID_DOMAINS):
                ticket_id = self.mail.ticket_for_message_id(message_id.split("@", 1)[0] + "@" + SES_ID_DOMAINS[0])
            if ticket_id:
                try:
                    return Thread(self._follow_merges(self.tickets.get(ticket_id, thread=True)), "references")
                except NotFound:
                    continue
        return None

    def _by_subject(self, mail: ParsedMail) -> Thread | None:
        number = ticket_token_in_subject(mail.subject)
        if number is None or mail.from_ is None:
            return None
        found = self._by_number(number)
        if found and self._may_use_subject_token(found, mail.from_.email):
            return Thread(found, "subject_token")
        return None

    def _by_number(self, number: int) -> Ticket | None:
        try:
            ticket = self.tickets.get(self.tickets.id_for_number(number), thread=True)
        except NotFound:
            return None
        return self._follow_merges(ticket)

    def _follow_merges(self, ticket: Ticket) -> Ticket:
        for _ in range(MAX_MERGE_HOPS):
            if not ticket.merged_into_id:
                break
            ticket = self.tickets.get(ticket.merged_into_id, thread=True)
        return ticket

    def _may_use_subject_token(self, ticket: Ticket, sender: str) -> bool:
        """A guessable token only threads mail from people already on the ticket."""
        sender = sender.lower()
        if sender in ticket.ccs:
            return True
        requester = self.customers.get_customer(ticket.requester_id)
        if any(i.value == sender for i in requester.identities):
            return True
        return self.directory.find_agent_by_email(sender) is not None
