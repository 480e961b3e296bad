"""CustomerRepository on DynamoDB: customers, their identities, organizations and their domains."""

from __future__ import annotations

from typing import Any

from chalicelib.core.errors import AlreadyExists, Conflict, DomainError, NotFound
from chalicelib.domain.people import Customer, Identity, IdentityKind, Organization, email_domain
from chalicelib.domain.views import Page
from chalicelib.storage import keys
from chalicelib.storage.dynamodb import base
from chalicelib.storage.dynamodb.mapping import customer_to_item, item_to_customer, item_to_org, org_to_item
from chalicelib.storage.dynamodb.models import CustomerItem, Item, LookupItem, OrganizationItem


def _identity_key(identity: Identity) -> str:
    return keys.identity(identity.key)


def _domain_key(domain: str) -> str:
    return keys.org_domain(domain.lower())


def _at_domain(domain: str, customer_id: str) -> LookupItem:
    """The customer's entry in the listing of its email domain's customers."""
    return LookupItem(keys.customers_at(domain), customer_id, target_id=customer_id)


def save_customer(txn: Any, customer: Customer) -> None:
    """A new customer's items in a transaction: the customer, its identities (claimed), its domains' lists."""
    txn.save(customer_to_item(customer), condition=Item.pk.does_not_exist())
    for identity in customer.identities:
        txn.save(base.lookup_item(_identity_key(identity), customer.id), condition=Item.pk.does_not_exist())
    for domain in customer.email_domains:
        txn.save(_at_domain(domain, customer.id))


def customer_error(customer: Customer, position: int) -> DomainError:
    """The error of the ``save_customer`` item at ``position`` (counted from its first) that failed."""
    if position == 0:
        return Conflict(f"customer {customer.id} already exists")
    return AlreadyExists("customer", "identity", customer.identities[position - 1].value)


class DynamoCustomerRepository:
    def create_customer(self, customer: Customer) -> None:
        with base.transaction(lambda position: customer_error(customer, position)) as txn:
            save_customer(txn, customer)

    def get_customer(self, customer_id: str) -> Customer:
        item = base.get_item(CustomerItem, keys.customer(customer_id), "CUSTOMER", NotFound("customer", customer_id))
        assert item is not None
        return item_to_customer(item)

    def find_customer(self, identity: Identity) -> Customer | None:
        customer_id = base.lookup(_identity_key(identity))
        return self.get_customer(customer_id) if customer_id else None

    def find_customer_or_domain(self, identity: Identity) -> tuple[Customer | None, str | None]:
        identity_key = _identity_key(identity)
        domain_key = _domain_key(email_domain(identity.value)) if identity.kind is IdentityKind.EMAIL else None
        found = base.lookups([identity_key, *([domain_key] if domain_key else [])])
        if identity_key in found:
            return self.get_customer(found[identity_key]), None
        return None, found.get(domain_key) if domain_key else None

    def update_customer(self, customer: Customer, expected_version: int) -> None:
        before = self.get_customer(customer.id)
        added = [i for i in customer.identities if i not in before.identities]
        removed = [i for i in before.identities if i not in customer.identities]

        def error(position: int) -> DomainError:
            if position == 0:
                return Conflict(f"customer {customer.id} was changed by someone else")
            return AlreadyExists("customer", "identity", added[position - 1].value)

        with base.transaction(error) as txn:
            txn.save(customer_to_item(customer), condition=CustomerItem.version == expected_version)
            for identity in added:
                txn.save(base.lookup_item(_identity_key(identity), customer.id), condition=Item.pk.does_not_exist())
            for identity in removed:
                txn.delete(LookupItem(_identity_key(identity), base.LOOKUP_SK))
            for domain in set(customer.email_domains) - set(before.email_domains):
                txn.save(_at_domain(domain, customer.id))
            for domain in set(before.email_domains) - set(customer.email_domains):
                txn.delete(_at_domain(domain, customer.id))

    def customer_ids_at(self, domain: str, limit: int, start: dict[str, Any] | None = None) -> Page[str]:
        results = LookupItem.query(keys.customers_at(domain), limit=limit, page_size=limit, last_evaluated_key=start)
        return base.page(results, lambda item: str(item.target_id))

    def merge_customers(self, source: Customer, target: Customer, source_version: int, target_version: int) -> None:
        before = self.get_customer(source.id)
        moved = [i for i in before.identities if i in target.identities]

        def error(position: int) -> DomainError:
            who = source.id if position == 0 else target.id
            return Conflict(f"customer {who} was changed by someone else")

        with base.transaction(error) as txn:
            txn.save(customer_to_item(source), condition=CustomerItem.version == source_version)
            txn.save(customer_to_item(target), condition=CustomerItem.version == target_version)
            for identity in moved:
                txn.save(base.lookup_item(_identity_key(identity), target.id))
            for domain in before.email_domains:
                txn.delete(_at_domain(domain, source.id))
                txn.save(_at_domain(domain, target.id))

    def list_customers(self, limit: int, start: dict[str, str] | None = None) -> Page[Customer]:
        return base.directory("CUSTOMERS", limit, start, item_to_customer)

    def create_organization(self, org: Organization) -> None:
        def error(position: int) -> DomainError:
            if position == 0:
                return Conflict(f"organization {org.id} already exists")
            return AlreadyExists("organization", "domain", org.domains[position - 1])

        with base.transaction(error) as txn:
            txn.save(org_to_item(org), condition=Item.pk.does_not_exist())
            for domain in org.domains:
                txn.save(base.lookup_item(_domain_key(domain), org.id), condition=Item.pk.does_not_exist())

    def get_organization(self, org_id: str) -> Organization:
        item = base.get_item(OrganizationItem, keys.organization(org_id), "ORG", NotFound("organization", org_id))
        assert item is not None
        return item_to_org(item)

    def find_organization_by_domain(self, domain: str) -> Organization | None:
        org_id = base.lookup(_domain_key(domain))
        return self.get_organization(org_id) if org_id else None

    def update_organization(self, org: Organization, expected_version: int) -> None:
        before = self.get_organization(org.id)
        added = [d for d in org.domains if d not in before.domains]
        removed = [d for d in before.domains if d not in org.domains]

        def error(position: int) -> DomainError:
            if position == 0:
                return Conflict(f"organization {org.id} was changed by someone else")
            return AlreadyExists("organization", "domain", added[position - 1])

        with base.transaction(error) as txn:
            txn.save(org_to_item(org), condition=OrganizationItem.version == expected_version)
            for domain in added:
                txn.save(base.lookup_item(_domain_key(domain), org.id), condition=Item.pk.does_not_exist())
            for domain in removed:
                txn.delete(LookupItem(_domain_key(domain), base.LOOKUP_SK))

    def list_organizations(self, limit: int, start: dict[str, str] | None = None) -> Page[Organization]:
        return base.directory("ORGS", limit, start, item_to_org)
