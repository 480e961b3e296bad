"""The customer repository's listing by email domain and its merge, on the fake and on DynamoDB alike."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.core.errors import Conflict
from chalicelib.core.ids import new_id
from chalicelib.domain.people import Identity, IdentityKind
from tests.integration.test_repository_contract import Repos, customer, repos  # noqa: F401 - the fixture

EMAIL, PHONE = IdentityKind.EMAIL, IdentityKind.PHONE


def test_customers_are_listed_by_the_domains_of_their_addresses_page_by_page(repos: Repos) -> None:  # noqa: F811
    domain = f"{new_id().lower()}.example"
    people = [customer(Identity.of(EMAIL, f"p{n}@{domain}")) for n in range(3)]
    elsewhere = customer(Identity.of(EMAIL, f"x@other-{domain}"), Identity.of(PHONE, "+371 2000 0000"))
    for person in (*people, elsewhere):
        repos.customers.create_customer(person)
    first = repos.customers.customer_ids_at(domain, 2)
    second = repos.customers.customer_ids_at(domain, 2, first.next_key)
    assert first.next_key is not None and second.next_key is None
    assert sorted(first.items + second.items) == sorted(p.id for p in people)
    assert repos.customers.customer_ids_at(f"other-{domain}", 10).items == [elsewhere.id]


def test_changing_addresses_moves_a_customer_between_domain_listings(repos: Repos) -> None:  # noqa: F811
    old, new = f"{new_id().lower()}.example", f"{new_id().lower()}.example"
    bob = customer(Identity.of(EMAIL, f"bob@{old}"))
    repos.customers.create_customer(bob)
    repos.customers.update_customer(replace(bob, identities=(Identity.of(EMAIL, f"bob@{new}"),), version=2), 1)
    assert repos.customers.customer_ids_at(old, 10).items == []
    assert repos.customers.customer_ids_at(new, 10).items == [bob.id]


def test_a_merge_moves_identities_and_leaves_a_pointer_in_one_write(repos: Repos) -> None:  # noqa: F811
    domain = f"{new_id().lower()}.example"
    mail, phone = Identity.of(EMAIL, f"dana@{domain}"), Identity.of(PHONE, f"+1 555 {new_id()[-7:]}")
    source, target = customer(mail), customer(phone)
    repos.customers.create_customer(source)
    repos.customers.create_customer(target)
    pointer = replace(source, identities=(), merged_into_id=target.id, version=2)
    merged = replace(target, identities=(phone, mail), version=2)
    repos.customers.merge_customers(pointer, merged, 1, 1)
    assert repos.customers.find_customer(mail) == merged
    assert repos.customers.get_customer(source.id) == pointer
    assert repos.customers.customer_ids_at(domain, 10).items == [target.id]
    listed = {c.id for c in repos.customers.list_customers(100).items}
    assert target.id in listed and source.id not in listed


def test_a_merge_on_a_stale_version_writes_nothing(repos: Repos) -> None:  # noqa: F811
    mail = Identity.of(EMAIL, f"{new_id()}@example.com")
    source, target = customer(mail), customer(Identity.of(EMAIL, f"{new_id()}@example.com"))
    repos.customers.create_customer(source)
    repos.customers.create_customer(target)
    with pytest.raises(Conflict):
        repos.customers.merge_customers(
            replace(source, identities=(), merged_into_id=target.id, version=2),
            replace(target, identities=(*target.identities, mail), version=2),
            1,
            7,
        )
    assert repos.customers.find_customer(mail) == source
    assert repos.customers.get_customer(target.id) == target
