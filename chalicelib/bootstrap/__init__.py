"""The composition root: builds the parts (``container``), hands them to the entry points (``install``), and
says what each queue and schedule does (``handlers``). The only package that imports every other."""

from chalicelib.bootstrap import handlers
from chalicelib.bootstrap.container import Container, current, use
from chalicelib.bootstrap.dynamodb import dynamodb_container
from chalicelib.bootstrap.install import install
from chalicelib.bootstrap.repositories import Repositories

__all__ = ["Container", "Repositories", "current", "dynamodb_container", "handlers", "install", "use"]
