"""In-memory fakes of the repositories (tests only: never packaged into the Lambda functions).

The contract suites in tests/integration run against these and the DynamoDB implementations alike.
"""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import Container, Repositories
from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.settings_model import Settings


def memory_repositories() -> Repositories:
    from tests.fakes.access import InMemoryAccessRepository
    from tests.fakes.memory import (
        InMemoryCustomerRepository,
        InMemoryDirectoryRepository,
        InMemoryMailRepository,
        InMemoryTicketRepository,
    )
    from tests.fakes.memory_chat import InMemoryChatRepository
    from tests.fakes.memory_kb import InMemoryKnowledgeRepository
    from tests.fakes.memory_reports import InMemoryReportRepository
    from tests.fakes.memory_surveys import InMemorySurveyRepository
    from tests.fakes.memory_work import InMemoryConfigRepository, InMemoryWorkRepository
    from tests.fakes.objects import InMemoryObjectStore
    from tests.fakes.uploads import InMemoryUploadStore

    customers = InMemoryCustomerRepository()
    tickets = InMemoryTicketRepository(customers)
    directory = InMemoryDirectoryRepository()
    objects = InMemoryObjectStore()
    return Repositories(
        tickets,
        customers,
        directory,
        InMemoryMailRepository(tickets, directory),
        InMemoryConfigRepository(),
        InMemoryWorkRepository(tickets, directory),
        objects,
        InMemoryKnowledgeRepository(),
        InMemoryAccessRepository(tickets.keys),
        InMemoryUploadStore(objects),
        InMemorySurveyRepository(tickets),
        InMemoryChatRepository(tickets),
        InMemoryReportRepository(tickets),
    )


class RecordingQueue:
    """Stands in for the outbound mail queue: what the portal queued, in order."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def __call__(self, message: dict[str, Any]) -> None:
        self.messages.append(message)


def memory_services(settings: Settings, clock: Clock = utcnow) -> Container:
    """A container on fresh in-memory repositories, with no caching (tests see every write at once); the
    portal's mail queue records what it is given (``container.mail_queue.messages``)."""
    container = Container(settings, memory_repositories(), clock, 0.0)
    container.__dict__["mail_queue"] = RecordingQueue()
    return container


def mail_ingest(c: Container, store: Any, key: bytes) -> Any:
    """The inbound mail handler of ``c``, on the given object store and signing key."""
    from chalicelib.mailflow.inbound import MailIngest
    from chalicelib.mailflow.threads import Threads

    threads = Threads(c.ticket_repo, c.customer_repo, c.directory_repo, c.mail_repo, c.settings.support_domain, key)
    return MailIngest(
        c.tickets, c.customers, c.directory_repo, c.mail_repo, threads, store, c.settings, c.ticket_relations
    )


def outbound(c: Container, store: Any, ses: Any, key: bytes, clock: Clock | None = None, caps: Any = None) -> Any:
    """The outbound mail handler of ``c``, on the given object store, SES client and signing key."""
    from chalicelib.mailflow.caps import DEFAULT_CAPS
    from chalicelib.mailflow.outbound import Outbound

    return Outbound(
        c.drafts,
        c.mail_repo,
        c.directory_repo,
        c.settings,
        store,
        ses,
        key,
        clock or c.clock,
        caps or DEFAULT_CAPS,
        c.tickets,
    )
