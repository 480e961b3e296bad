"""Customers and organizations: create, read, update, resolve by identity."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import AlreadyExists, Conflict, InvalidInput
from chalicelib.core.ids import new_id
from chalicelib.domain.people import Customer, Identity, IdentityKind, Organization, email_domain
from chalicelib.domain.views import Page
from chalicelib.storage.ports import CustomerRepository, StartKey


class CustomerService:
    def __init__(self, customers: CustomerRepository, clock: Clock = utcnow) -> None:
        self.customers = customers
        self.clock = clock

    def create(
        self,
        name: str,
        identities: list[Identity],
        organization_id: str | None = None,
        vip: bool = False,
        locale: str | None = None,
        time_zone: str | None = None,
    ) -> Customer:
        if not identities:
            raise InvalidInput("a customer needs at least one identity (email, chat or phone)", "identities")
        if organization_id is not None:
            self.customers.get_organization(organization_id)
        else:
            organization_id = self._organization_for(identities)
        customer = Customer(
            id=new_id(),
            name=name.strip() or identities[0].value,
            identities=tuple(dict.fromkeys(identities)),
            created_at=self.clock(),
            organization_id=organization_id,
            vip=vip,
            locale=locale,
            time_zone=time_zone,
        )
        self.customers.create_customer(customer)
        return customer

    def _organization_for(self, identities: list[Identity]) -> str | None:
        """Auto-match: the organization that claimed the domain of the customer's email address."""
        for identity in identities:
            if identity.kind is IdentityKind.EMAIL:
                org = self.customers.find_organization_by_domain(email_domain(identity.value))
                if org:
                    return org.id
        return None

    def resolve_email(self, email: str, name: str | None = None) -> Customer:
        """The customer who owns an email address, created on first contact."""
        identity = Identity.of(IdentityKind.EMAIL, email)
        existing = self.customers.find_customer(identity)
        if existing:
            return existing
        try:
            return self.create(name or "", [identity])
        except AlreadyExists:
            # Another request created the same customer a moment ago.
            found = self.customers.find_customer(identity)
            if found is None:
                raise
            return found

    def get(self, customer_id: str) -> Customer:
        return self.customers.get_customer(customer_id)

    def find(self, identity: Identity) -> Customer | None:
        return self.customers.find_customer(identity)

    def update(self, customer_id: str, based_on: int, changes: dict[str, Any]) -> Customer:
        current = self.customers.get_customer(customer_id)
        if current.version != based_on:
            raise Conflict(f"customer {customer_id} is at version {current.version}, not {based_on}")
        if "organization_id" in changes and changes["organization_id"] is not None:
            self.customers.get_organization(changes["organization_id"])
        if "identities" in changes:
            if not changes["identities"]:
                raise InvalidInput("a customer needs at least one identity", "identities")
            changes["identities"] = tuple(dict.fromkeys(changes["identities"]))
        updated = replace(current, **changes, version=current.version + 1)
        self.customers.update_customer(updated, based_on)
        return updated

    def list_customers(self, limit: int, start: StartKey) -> Page[Customer]:
        return self.customers.list_customers(limit, start)

    def create_organization(self, name: str, domains: list[str], vip: bool = False) -> Organization:
        org = Organization(
            id=new_id(),
            name=name.strip(),
            created_at=self.clock(),
            domains=tuple(dict.fromkeys(d.strip().lower() for d in domains)),
            vip=vip,
        )
        self.customers.create_organization(org)
        return org

    def get_organization(self, org_id: str) -> Organization:
        return self.customers.get_organization(org_id)

    def update_organization(self, org_id: str, based_on: int, changes: dict[str, Any]) -> Organization:
        current = self.customers.get_organization(org_id)
        if current.version != based_on:
            raise Conflict(f"organization {org_id} is at version {current.version}, not {based_on}")
        if "domains" in changes:
            changes["domains"] = tuple(dict.fromkeys(d.strip().lower() for d in changes["domains"]))
        updated = replace(current, **changes, version=current.version + 1)
        self.customers.update_organization(updated, based_on)
        return updated

    def list_organizations(self, limit: int, start: StartKey) -> Page[Organization]:
        return self.customers.list_organizations(limit, start)
