"""Automatic mail that belongs to no ticket (the portal's sign-in mail), sent like the desk's other mail.

The same path as ``outbound``: the recipient screened (own domain, no-reply, suppressed), the send claimed
before SES is called and recorded after (one mail per ``key``, whatever the queue redelivers), RFC 3834
``Auto-Submitted``, and a copy under ``sent/<key>.eml`` (``lambdesk mail outbox`` lists it). The caller renders
the words; this module only delivers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.resources import SENT_MAIL_PREFIX
from chalicelib.mailflow.caps import RecipientPolicy
from chalicelib.mailflow.compose import Mailbox, OutboundMail, compose, own_message_id, ses_message_ids
from chalicelib.mailflow.outbound import STALE_CLAIM_SECONDS, Outcome, SendInProgress

if TYPE_CHECKING:
    from chalicelib.core.settings_model import Settings
    from chalicelib.storage.objects import ObjectStore
    from chalicelib.storage.ports import DirectoryRepository, MailRepository


@dataclass(frozen=True)
class DirectDraft:
    key: str  # one mail per key (an event id): the idempotency key, the Message-ID and the copy's name
    kind: str  # X-Lambdesk-Kind, the SES tag and the metrics dimension
    to: Mailbox
    subject: str
    text: str
    html: str
    auto_submitted: str = "auto-generated"


def copy_key(key: str) -> str:
    return f"{SENT_MAIL_PREFIX}{key}.eml"


class DirectMail:
    def __init__(
        self,
        mail: MailRepository,
        directory: DirectoryRepository,
        settings: Settings,
        store: ObjectStore,
        ses: Any,
        clock: Clock = utcnow,
    ) -> None:
        self.mail = mail
        self.directory = directory
        self.settings = settings
        self.store = store
        self.ses = ses
        self.clock = clock

    def send(self, draft: DirectDraft) -> Outcome:
        from chalicelib.core import observability

        refusal = RecipientPolicy(self.settings, self.mail).refusal(draft.to.email, True, False)
        if refusal:
            observability.count("MailSkipped", kind=draft.kind, reason=refusal)
            return Outcome.SKIPPED
        copy = copy_key(draft.key)
        if self._copied(copy):
            return Outcome.DUPLICATE
        mail = self._mail(draft)
        if not self.mail.claim_send(draft.key, self.clock(), STALE_CLAIM_SECONDS):
            if self._copied(copy):
                return Outcome.DUPLICATE
            raise SendInProgress(f"mail {draft.key} is being sent by another attempt")
        provider_id = self._send(draft, compose(mail))
        seen_as = ses_message_ids(provider_id, self.settings.region)[0]
        self.store.put(self.settings.bucket, copy, compose(_with_id(mail, seen_as)), "message/rfc822")
        self.mail.mark_sent(draft.key, provider_id, self.clock())
        observability.count("MailSent", kind=draft.kind)
        return Outcome.SENT

    def _copied(self, key: str) -> bool:
        return key in self.store.keys(self.settings.bucket, key)

    def _mail(self, draft: DirectDraft) -> OutboundMail:
        return OutboundMail(
            sender=Mailbox(self.settings.support_address, self.settings.support_name),
            reply_to=self.settings.support_address,
            to=(draft.to,),
            subject=draft.subject,
            text=draft.text,
            html=draft.html,
            message_id=own_message_id(draft.key, self.settings.support_domain),
            date=self.clock(),
            auto_submitted=draft.auto_submitted,
            extra_headers=(("X-Lambdesk-Kind", draft.kind),),
        )

    def _send(self, draft: DirectDraft, raw: bytes) -> str:
        params: dict[str, Any] = {
            "FromEmailAddress": self.settings.support_address,
            "Destination": {"ToAddresses": [draft.to.email]},
            "Content": {"Raw": {"Data": raw}},
            "EmailTags": [{"Name": "kind", "Value": draft.kind}],
        }
        if self.settings.ses_configuration_set:
            params["ConfigurationSetName"] = self.settings.ses_configuration_set
        response = self.ses.send_email(**params)
        return str(response["MessageId"])


def _with_id(mail: OutboundMail, message_id: str) -> OutboundMail:
    from dataclasses import replace

    return replace(mail, message_id=message_id)
