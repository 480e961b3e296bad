"""Customers and organizations: create, read, update, resolve by identity."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import AlreadyExists, Conflict, InvalidInput
from chalicelib.core.ids import new_id
from chalicelib.domain.people import Customer, Identity, IdentityKind, Organization, email_domain
from chalicelib.domain.views import Page

if TYPE_CHECKING:
    from chalicelib.storage.ports import CustomerRepository, StartKey

# A merge is one transaction: both customers and the moved identity lookups (DynamoDB takes 100 items).
MAX_IDENTITIES = 90
# Customers of an organization's domains examined per call (create, domain change, or the attach route).
ATTACH_BATCH = 100


@dataclass(frozen=True)
class Attached:
    """What one bounded pass of attaching a domain's customers did; ``next_key`` is where to go on."""

    attached: int
    next_key: StartKey = None


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
        customer = self._customer(name, identities, organization_id, vip=vip, locale=locale, time_zone=time_zone)
        self.customers.create_customer(customer)
        return customer

    def by_email(self, email: str, name: str | None = None) -> tuple[Customer, bool]:
        """The customer who owns an email address, or (True) a new one not yet stored: the caller writes it,
        e.g. with the first ticket (``TicketRepository.create(..., requester=...)``)."""
        identity = Identity.of(IdentityKind.EMAIL, email)
        existing, organization_id = self.customers.find_customer_or_domain(identity)
        if existing:
            return existing, False
        return self._customer(name or "", [identity], organization_id), True

    def _customer(
        self,
        name: str,
        identities: list[Identity],
        organization_id: str | None,
        *,
        vip: bool = False,
        locale: str | None = None,
        time_zone: str | None = None,
    ) -> Customer:
        return Customer(
            id=new_id(),
            name=name.strip() or identities[0].value,
            identities=tuple(dict.fromkeys(identities)),
            created_at=self.clock(),
            organization_id=organization_id,
            vip=vip,
            locale=locale,
            time_zone=time_zone,
        )

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
        found, new = self.by_email(email, name)
        if not new:
            return found
        try:
            self.customers.create_customer(found)
            return found
        except AlreadyExists:
            # Another request created the same customer a moment ago.
            existing = self.customers.find_customer(Identity.of(IdentityKind.EMAIL, email))
            if existing is None:
                raise
            return existing

    def get(self, customer_id: str) -> Customer:
        return self.customers.get_customer(customer_id)

    def find(self, identity: Identity) -> Customer | None:
        return self.customers.find_customer(identity)

    def update(self, customer_id: str, based_on: int, changes: dict[str, Any]) -> Customer:
        current = self.customers.get_customer(customer_id)
        if current.merged_into_id:
            raise Conflict(f"customer {customer_id} was merged into {current.merged_into_id}; change that one")
        if current.version != based_on:
            raise Conflict(f"customer {customer_id} is at version {current.version}, not {based_on}")
        if "organization_id" in changes and changes["organization_id"] is not None:
            self.customers.get_organization(changes["organization_id"])
        if "identities" in changes:
            if not changes["identities"]:
                # Whether a change leaves any identity depends on what the customer has: a state conflict.
                raise Conflict("a customer needs at least one identity; this change would leave none")
            changes["identities"] = tuple(dict.fromkeys(changes["identities"]))
        updated = replace(current, **changes, version=current.version + 1)
        self.customers.update_customer(updated, based_on)
        return updated

    def list_customers(self, limit: int, start: StartKey) -> Page[Customer]:
        return self.customers.list_customers(limit, start)

    def merge(self, source_id: str, target_id: str, based_on: int) -> Customer:
        """Two identities of one person become one customer: ``source``'s identities move to ``target`` (mail
        from any of them reaches ``target`` from now on) and ``source`` stays as a pointer without identities.
        Idempotent: merging again into the same target changes nothing and answers the target. One transaction;
        the tickets follow separately, in bounded batches (``tickets.requesters``)."""
        if source_id == target_id:
            raise InvalidInput("a customer cannot be merged into itself", "target_id")
        source, target = self.customers.get_customer(source_id), self.customers.get_customer(target_id)
        if source.merged_into_id == target_id:
            return target
        if source.merged_into_id:
            raise Conflict(f"customer {source_id} was merged into {source.merged_into_id} already")
        if target.merged_into_id:
            raise InvalidInput(f"that customer was merged into {target.merged_into_id}; merge into it", "target_id")
        if source.version != based_on:
            raise Conflict(f"customer {source_id} is at version {source.version}, not {based_on}")
        identities = tuple(dict.fromkeys((*target.identities, *source.identities)))
        if len(identities) > MAX_IDENTITIES:
            raise InvalidInput(f"the merged customer would have more than {MAX_IDENTITIES} identities", "target_id")
        merged = replace(
            target,
            identities=identities,
            vip=target.vip or source.vip,
            organization_id=target.organization_id or source.organization_id,
            locale=target.locale or source.locale,
            time_zone=target.time_zone or source.time_zone,
            version=target.version + 1,
        )
        pointer = replace(source, identities=(), merged_into_id=target.id, version=source.version + 1)
        self.customers.merge_customers(pointer, merged, source.version, target.version)
        return merged

    def attach_domain_customers(self, org: Organization, start: StartKey = None) -> Attached:
        """Customers with an email address at one of ``org``'s domains and no organization join it: a bounded
        pass (``ATTACH_BATCH`` customers examined, through the customers-by-domain listing, no Scan); go on from
        ``next_key`` until it is None. A customer changed meanwhile is left for the next pass."""
        domains = list(org.domains)
        index: int = int(start["domain"]) if start else 0
        key: StartKey = start.get("key") if start else None
        attached, examined = 0, 0
        while index < len(domains) and examined < ATTACH_BATCH:
            page = self.customers.customer_ids_at(domains[index], ATTACH_BATCH - examined, key)
            attached += sum(self._join(customer_id, org.id) for customer_id in page.items)
            examined += len(page.items)
            index, key = (index + 1, None) if page.next_key is None else (index, page.next_key)
        return Attached(attached, {"domain": index, "key": key} if index < len(domains) else None)

    def _join(self, customer_id: str, org_id: str) -> int:
        customer = self.customers.get_customer(customer_id)
        if customer.organization_id is not None or customer.merged_into_id is not None:
            return 0
        try:
            self.customers.update_customer(
                replace(customer, organization_id=org_id, version=customer.version + 1), customer.version
            )
        except Conflict:
            return 0
        return 1

    def create_organization(self, name: str, domains: list[str], vip: bool = False) -> Organization:
        org = Organization(
            id=new_id(),
            name=name.strip(),
            created_at=self.clock(),
            domains=tuple(dict.fromkeys(d.strip().lower() for d in domains)),
            vip=vip,
        )
        self.customers.create_organization(org)
        self.attach_domain_customers(org)  # the first bounded pass; the attach route goes on
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
        if set(updated.domains) - set(current.domains):
            self.attach_domain_customers(updated)
        return updated

    def list_organizations(self, limit: int, start: StartKey) -> Page[Organization]:
        return self.customers.list_organizations(limit, start)
