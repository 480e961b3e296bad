"""What a container is built on: one implementation of every repository (DynamoDB and S3, or the fakes)."""

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
