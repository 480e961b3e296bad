"""The container on the real table: every repository's DynamoDB (and S3) implementation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.bootstrap.container import Container
from chalicelib.bootstrap.repositories import Repositories

if TYPE_CHECKING:
    from chalicelib.core.settings_model import Settings


def dynamodb_container(settings: Settings, bind_models: bool = True) -> Container:
    """The container on the table; ``bind_models=False`` keeps the models' current binding (tests reuse one)."""
    from chalicelib.storage.dynamodb.access import DynamoAccessRepository
    from chalicelib.storage.dynamodb.chat import DynamoChatRepository
    from chalicelib.storage.dynamodb.directory import DynamoDirectoryRepository
    from chalicelib.storage.dynamodb.kb import DynamoKnowledgeRepository
    from chalicelib.storage.dynamodb.mail import DynamoMailRepository
    from chalicelib.storage.dynamodb.models import bind
    from chalicelib.storage.dynamodb.people import DynamoCustomerRepository
    from chalicelib.storage.dynamodb.reports import DynamoReportRepository
    from chalicelib.storage.dynamodb.surveys import DynamoSurveyRepository
    from chalicelib.storage.dynamodb.tickets import DynamoTicketRepository
    from chalicelib.storage.dynamodb.work import DynamoConfigRepository, DynamoWorkRepository
    from chalicelib.storage.objects import S3ObjectStore
    from chalicelib.storage.uploads import S3UploadStore

    if bind_models:
        bind(settings.table, settings.region, settings.aws_endpoint_url)
    repos = Repositories(
        DynamoTicketRepository(),
        DynamoCustomerRepository(),
        DynamoDirectoryRepository(),
        DynamoMailRepository(),
        DynamoConfigRepository(),
        DynamoWorkRepository(),
        S3ObjectStore(),
        DynamoKnowledgeRepository(),
        DynamoAccessRepository(),
        S3UploadStore(),
        DynamoSurveyRepository(),
        DynamoChatRepository(),
        DynamoReportRepository(settings.table),
    )
    return Container(settings, repos)
