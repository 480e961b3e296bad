"""The container on the real table: every repository's DynamoDB (and S3) implementation."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from chalicelib.bootstrap.container import Container
from chalicelib.bootstrap.repositories import Repositories

if TYPE_CHECKING:
    from chalicelib.core.settings_model import Settings
    from chalicelib.storage.dynamodb.access import DynamoAccessRepository
    from chalicelib.storage.dynamodb.chat import DynamoChatRepository
    from chalicelib.storage.dynamodb.directory import DynamoDirectoryRepository
    from chalicelib.storage.dynamodb.kb import DynamoKnowledgeRepository
    from chalicelib.storage.dynamodb.mail import DynamoMailRepository
    from chalicelib.storage.dynamodb.people import DynamoCustomerRepository
    from chalicelib.storage.dynamodb.reports import DynamoReportRepository
    from chalicelib.storage.dynamodb.surveys import DynamoSurveyRepository
    from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository
    from chalicelib.storage.dynamodb.work import DynamoConfigRepository, DynamoWorkRepository
    from chalicelib.storage.objects import S3ObjectStore
    from chalicelib.storage.uploads import S3UploadStore


def dynamodb_container(settings: Settings, bind_models: bool = True) -> Container:
    """The container on the table; ``bind_models=False`` keeps the models' current binding (tests reuse one)."""
    from chalicelib.storage.dynamodb.models import bind

    if bind_models:
        bind(settings.table, settings.region, settings.aws_endpoint_url)
    return Container(settings, TableRepositories(settings.table))


class TableRepositories(Repositories):
    """Every repository on the table, each built (its module imported) when first used: a request or an event
    loads the storage code of what it touches, not of all thirteen."""

    table: str

    def __init__(self, table: str) -> None:  # no fields are set: each property below builds its own
        object.__setattr__(self, "table", table)

    @cached_property
    def tickets(self) -> DynamoTicketRepository:
        from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository

        return DynamoTicketRepository()

    @cached_property
    def customers(self) -> DynamoCustomerRepository:
        from chalicelib.storage.dynamodb.people import DynamoCustomerRepository

        return DynamoCustomerRepository()

    @cached_property
    def directory(self) -> DynamoDirectoryRepository:
        from chalicelib.storage.dynamodb.directory import DynamoDirectoryRepository

        return DynamoDirectoryRepository()

    @cached_property
    def mail(self) -> DynamoMailRepository:
        from chalicelib.storage.dynamodb.mail import DynamoMailRepository

        return DynamoMailRepository()

    @cached_property
    def config(self) -> DynamoConfigRepository:
        from chalicelib.storage.dynamodb.work import DynamoConfigRepository

        return DynamoConfigRepository()

    @cached_property
    def work(self) -> DynamoWorkRepository:
        from chalicelib.storage.dynamodb.work import DynamoWorkRepository

        return DynamoWorkRepository()

    @cached_property
    def objects(self) -> S3ObjectStore:
        from chalicelib.storage.objects import S3ObjectStore

        return S3ObjectStore()

    @cached_property
    def kb(self) -> DynamoKnowledgeRepository:
        from chalicelib.storage.dynamodb.kb import DynamoKnowledgeRepository

        return DynamoKnowledgeRepository()

    @cached_property
    def access(self) -> DynamoAccessRepository:
        from chalicelib.storage.dynamodb.access import DynamoAccessRepository

        return DynamoAccessRepository()

    @cached_property
    def uploads(self) -> S3UploadStore:
        from chalicelib.storage.uploads import S3UploadStore

        return S3UploadStore()

    @cached_property
    def surveys(self) -> DynamoSurveyRepository:
        from chalicelib.storage.dynamodb.surveys import DynamoSurveyRepository

        return DynamoSurveyRepository()

    @cached_property
    def chat(self) -> DynamoChatRepository:
        from chalicelib.storage.dynamodb.chat import DynamoChatRepository

        return DynamoChatRepository()

    @cached_property
    def reports(self) -> DynamoReportRepository:
        from chalicelib.storage.dynamodb.reports import DynamoReportRepository

        return DynamoReportRepository(self.table)
