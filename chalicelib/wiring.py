"""Builds the services from the settings, once per container (Lambda execution environment).

Tests swap in another set (for example the in-memory fakes) with ``use()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.clock import Clock, utcnow
from chalicelib.repositories import CustomerRepository, DirectoryRepository, MailRepository, TicketRepository
from chalicelib.repositories.desk import ConfigRepository, WorkRepository
from chalicelib.services.auth import Authenticator
from chalicelib.services.customers import CustomerService
from chalicelib.services.desk import DeskConfig
from chalicelib.services.directory import DirectoryService
from chalicelib.services.tickets import TicketService
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.config import Settings


@dataclass
class Services:
    settings: Settings
    ticket_repo: TicketRepository
    customer_repo: CustomerRepository
    directory_repo: DirectoryRepository
    mail_repo: MailRepository
    config_repo: ConfigRepository
    work_repo: WorkRepository
    tickets: TicketService
    customers: CustomerService
    directory: DirectoryService
    auth: Authenticator
    desk: DeskConfig


def build(
    settings: Settings,
    tickets: TicketRepository,
    customers: CustomerRepository,
    directory: DirectoryRepository,
    mail: MailRepository,
    config: ConfigRepository,
    work: WorkRepository,
    clock: Clock = utcnow,
    cache_seconds: float = 30.0,
) -> Services:
    customer_service = CustomerService(customers, clock)
    return Services(
        settings=settings,
        ticket_repo=tickets,
        customer_repo=customers,
        directory_repo=directory,
        mail_repo=mail,
        config_repo=config,
        work_repo=work,
        tickets=TicketService(tickets, customer_service, directory, clock),
        customers=customer_service,
        directory=DirectoryService(directory, clock),
        # How long a container trusts what it read of agents (auth) and of the desk's configuration.
        auth=Authenticator(settings, directory, cache_seconds),
        desk=DeskConfig(config, directory, clock, cache_seconds),
    )


def dynamodb_services(settings: Settings, bind_models: bool = True) -> Services:
    """Services on the table; ``bind_models=False`` keeps the models' current binding (tests reuse one)."""
    from chalicelib.repositories.dynamodb.desk import DynamoConfigRepository, DynamoWorkRepository
    from chalicelib.repositories.dynamodb.directory import DynamoDirectoryRepository
    from chalicelib.repositories.dynamodb.mail import DynamoMailRepository
    from chalicelib.repositories.dynamodb.models import bind
    from chalicelib.repositories.dynamodb.people import DynamoCustomerRepository
    from chalicelib.repositories.dynamodb.tickets import DynamoTicketRepository

    if bind_models:
        bind(settings.table, settings.region, settings.aws_endpoint_url)
    return build(
        settings,
        DynamoTicketRepository(),
        DynamoCustomerRepository(),
        DynamoDirectoryRepository(),
        DynamoMailRepository(),
        DynamoConfigRepository(),
        DynamoWorkRepository(),
    )


def memory_services(settings: Settings, clock: Clock = utcnow) -> Services:
    from chalicelib.repositories.memory import (
        InMemoryCustomerRepository,
        InMemoryDirectoryRepository,
        InMemoryMailRepository,
        InMemoryTicketRepository,
    )
    from chalicelib.repositories.memory_desk import InMemoryConfigRepository, InMemoryWorkRepository

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


_current: Services | None = None


def services() -> Services:
    global _current
    if _current is None:
        _current = dynamodb_services(get_settings())
    return _current


def use(replacement: Services | None) -> None:
    """Install a set of services (tests), or None to build from the settings again."""
    global _current
    _current = replacement
