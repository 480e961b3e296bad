"""Builds the services from the settings, once per container (Lambda execution environment).

Tests swap in another set (for example the in-memory fakes) with ``use()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.config.store import DeskConfig
from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.settings import get_settings
from chalicelib.people.auth import Authenticator
from chalicelib.people.customers import CustomerService
from chalicelib.people.directory import DirectoryService
from chalicelib.storage.ports import CustomerRepository, DirectoryRepository, MailRepository, TicketRepository
from chalicelib.storage.ports_desk import ConfigRepository, WorkRepository
from chalicelib.tickets.service import TicketService

if TYPE_CHECKING:
    from chalicelib.core.settings_model import Settings


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
    from chalicelib.storage.dynamodb.directory import DynamoDirectoryRepository
    from chalicelib.storage.dynamodb.mail import DynamoMailRepository
    from chalicelib.storage.dynamodb.models import bind
    from chalicelib.storage.dynamodb.people import DynamoCustomerRepository
    from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository
    from chalicelib.storage.dynamodb.work import DynamoConfigRepository, DynamoWorkRepository

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
