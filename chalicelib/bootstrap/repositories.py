"""What a container is built on: one implementation of every repository (DynamoDB and S3, or the fakes), and
the names the container's parts know them by (``RepositoryNames``), read from it when first asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.storage.chat_ports import ChatRepository
    from chalicelib.storage.objects import ObjectStore
    from chalicelib.storage.ports import (
        ConfigRepository,
        CustomerRepository,
        DirectoryRepository,
        MailRepository,
        TicketRepository,
        WorkRepository,
    )
    from chalicelib.storage.slice_ports import AccessRepository, KnowledgeRepository, ReportRepository, SurveyRepository
    from chalicelib.storage.uploads import UploadStore


@dataclass(frozen=True)
class Repositories:
    tickets: TicketRepository
    customers: CustomerRepository
    directory: DirectoryRepository
    mail: MailRepository
    config: ConfigRepository
    work: WorkRepository
    objects: ObjectStore
    kb: KnowledgeRepository
    access: AccessRepository
    uploads: UploadStore
    surveys: SurveyRepository
    chat: ChatRepository
    reports: ReportRepository | None = None  # only the containers that count or read reports need one


class RepositoryNames:
    """The container's names for its repositories. Read through, not copied at construction: the table's
    repositories (``chalicelib.bootstrap.dynamodb.TableRepositories``) are built, and their modules imported,
    only when a part first uses them (an API request touches two or three of thirteen)."""

    repos: Repositories

    @property
    def ticket_repo(self) -> TicketRepository:
        return self.repos.tickets

    @property
    def customer_repo(self) -> CustomerRepository:
        return self.repos.customers

    @property
    def directory_repo(self) -> DirectoryRepository:
        return self.repos.directory

    @property
    def mail_repo(self) -> MailRepository:
        return self.repos.mail

    @property
    def config_repo(self) -> ConfigRepository:
        return self.repos.config

    @property
    def work_repo(self) -> WorkRepository:
        return self.repos.work

    @property
    def objects(self) -> ObjectStore:
        return self.repos.objects

    @property
    def kb_repo(self) -> KnowledgeRepository:
        return self.repos.kb

    @property
    def survey_repo(self) -> SurveyRepository:
        return self.repos.surveys
