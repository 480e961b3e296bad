"""In-memory fakes of the repositories (tests only: never packaged into the Lambda functions).

The contract suites in tests/integration run against these and the DynamoDB implementations alike.
"""

from __future__ import annotations

from chalicelib.bootstrap import Services, build
from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.settings_model import Settings


def memory_services(settings: Settings, clock: Clock = utcnow) -> Services:
    from tests.fakes.memory import (
        InMemoryCustomerRepository,
        InMemoryDirectoryRepository,
        InMemoryMailRepository,
        InMemoryTicketRepository,
    )
    from tests.fakes.memory_work import InMemoryConfigRepository, InMemoryWorkRepository

    tickets = InMemoryTicketRepository()
    directory = InMemoryDirectoryRepository()
    return build(
        settings,
        tickets,
        InMemoryCustomerRepository(),
        directory,
        InMemoryMailRepository(tickets),
        InMemoryConfigRepository(),
        InMemoryWorkRepository(tickets, directory),
        clock,
        0.0,
    )
