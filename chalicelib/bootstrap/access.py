"""The composition root's customer-access and portal parts: sessions, sign-in, ticket links, rate limits,
uploads, the portal's service and its sign-in mail. A mixin of ``Container`` (one container, one place)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.access.limits import RateLimits
    from chalicelib.access.links import TicketLinks
    from chalicelib.access.sessions import Sessions
    from chalicelib.access.signins import SignIns
    from chalicelib.bootstrap.repositories import Repositories
    from chalicelib.core.clock import Clock
    from chalicelib.core.settings_model import Settings
    from chalicelib.mailflow.direct import DirectMail
    from chalicelib.people.customers import CustomerService
    from chalicelib.portal.accounts import Accounts, Enqueue
    from chalicelib.portal.mail import SignInMail
    from chalicelib.portal.service import PortalService
    from chalicelib.portal.uploads import Uploads
    from chalicelib.storage.slice_ports import AccessRepository
    from chalicelib.storage.uploads import UploadStore
    from chalicelib.tickets.service import TicketService


class AccessParts:
    settings: Settings
    repos: Repositories
    clock: Clock

    if TYPE_CHECKING:  # built by Container

        @property
        def signing_key(self) -> bytes: ...

        @property
        def customers(self) -> CustomerService: ...

        @property
        def tickets(self) -> TicketService: ...

    @property
    def access_repo(self) -> AccessRepository:
        return self.repos.access

    @property
    def upload_store(self) -> UploadStore:
        return self.repos.uploads

    @cached_property
    def sessions(self) -> Sessions:
        from chalicelib.access.sessions import Sessions

        return Sessions(self.access_repo, self.clock)

    @cached_property
    def signins(self) -> SignIns:
        from chalicelib.access.signins import SignIns

        return SignIns(self.access_repo, self.signing_key, self.clock)

    @cached_property
    def ticket_links(self) -> TicketLinks:
        from chalicelib.access.links import TicketLinks

        return TicketLinks(self.access_repo, self.signing_key, self.clock)

    @cached_property
    def rate_limits(self) -> RateLimits:
        from chalicelib.access.limits import RateLimits

        return RateLimits(self.access_repo, self.clock)

    @cached_property
    def mail_queue(self) -> Enqueue:
        """Where the portal queues its sign-in mail: the outbound mail queue."""
        from chalicelib.portal.accounts import queue_sender

        return queue_sender(self.settings.outbound_queue_url)

    @cached_property
    def accounts(self) -> Accounts:
        from chalicelib.portal.accounts import Accounts

        return Accounts(self.signins, self.sessions, self.rate_limits, self.customers, self.mail_queue, self.clock)

    @cached_property
    def portal(self) -> PortalService:
        from chalicelib.portal.service import PortalService

        return PortalService(self.tickets, self.repos.tickets, self.customers, self.access_repo, self.clock)

    @cached_property
    def uploads(self) -> Uploads:
        from chalicelib.portal.uploads import Uploads

        max_bytes = self.settings.portal_max_upload_bytes
        return Uploads(self.upload_store, self.settings.bucket, self.signing_key, max_bytes, self.clock)

    def direct_mail(self, ses: Any = None) -> DirectMail:
        from chalicelib.mailflow.direct import DirectMail

        if ses is None:
            from chalicelib.core.clients import client

            ses = client("sesv2")
        return DirectMail(self.repos.mail, self.repos.directory, self.settings, self.repos.objects, ses, self.clock)

    def sign_in_mail(self, ses: Any = None) -> SignInMail:
        from chalicelib.portal.mail import SignInMail

        return SignInMail(self.signins, self.direct_mail(ses), self.settings.portal_base, self.settings.support_name)
