"""Articles, the index lifecycle, solve links, votes and drafts, on the in-memory desk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.kb import ArticleStatus, Visibility
from chalicelib.domain.tickets import Status
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.kb.builder import Built, Current, PointerMoved, Unchanged
from chalicelib.kb.index import INDEX_PREFIX, IndexCache
from chalicelib.kb.search import Query
from chalicelib.kb.service import NewArticle
from chalicelib.tickets.service import NewTicket
from tests.unit.kb.conftest import ADMIN, AGENT


def publish(kb: Any, title: str, body: str = "Body.", **fields: Any) -> Any:
    return kb.articles.create(ADMIN, NewArticle(title, body, status=ArticleStatus.PUBLISHED, **fields))


def found(kb: Any, text: str, audience: Visibility = Visibility.PUBLIC) -> list[str]:
    return [h.title for h in kb.finder.search(Query(text, audience)).hits]


def test_a_new_article_is_a_draft_with_a_slug_numbered_until_free(kb: Any) -> None:
    first = kb.articles.create(AGENT, NewArticle("Reset your PIN", "Steps."))
    second = kb.articles.create(AGENT, NewArticle("Reset your PIN!", "Other steps."))
    latvian = kb.articles.create(AGENT, NewArticle("Reset your PIN", "Soļi.", locale="lv"))
    assert (first.status, first.version, first.created_by) == (ArticleStatus.DRAFT, 1, AGENT.id)
    assert (first.slug, second.slug, latvian.slug) == ("reset-your-pin", "reset-your-pin-2", "reset-your-pin")


def test_every_change_is_a_new_version_with_its_author_and_a_stale_one_is_refused(kb: Any) -> None:
    draft = kb.articles.create(AGENT, NewArticle("Reset your PIN", "Steps."))
    edited = kb.articles.update(ADMIN, draft.id, 1, {"body": "Better steps.", "tags": ["PIN", "pin ", "cards"]})
    assert (edited.version, edited.updated_by, edited.tags) == (2, ADMIN.id, ("cards", "pin"))
    with pytest.raises(Conflict) as stale:
        kb.articles.update(AGENT, draft.id, 1, {"title": "Mine"})
    assert stale.value.details is not None and stale.value.details.current_version == 2
    same = kb.articles.update(AGENT, draft.id, 2, {"body": "Better steps."})
    assert same.version == 2  # nothing changed: no new version
    history = kb.articles.versions(draft.id, 10).items
    assert [(v.version, v.body, v.updated_by) for v in history] == [
        (1, "Steps.", AGENT.id),
        (2, "Better steps.", ADMIN.id),
    ]


def test_agents_cannot_publish_what_customers_read_but_admins_can(kb: Any) -> None:
    draft = kb.articles.create(AGENT, NewArticle("Reset your PIN", "Steps."))
    with pytest.raises(Forbidden):
        kb.articles.update(AGENT, draft.id, 1, {"status": "published"})
    internal = kb.articles.create(AGENT, NewArticle("Phone resets", "x", visibility=Visibility.AGENTS))
    assert kb.articles.update(AGENT, internal.id, 1, {"status": "published"}).searchable
    live = kb.articles.update(ADMIN, draft.id, 1, {"status": "published"})
    assert live.published_at is not None
    with pytest.raises(Forbidden):
        kb.articles.archive(AGENT, live.id, live.version)
    assert kb.articles.archive(ADMIN, live.id, live.version).status is ArticleStatus.ARCHIVED


def test_readers_see_only_published_articles_of_their_audience(kb: Any) -> None:
    public = publish(kb, "Reset your PIN")
    internal = publish(kb, "PIN by phone", visibility=Visibility.AGENTS)
    draft = kb.articles.create(ADMIN, NewArticle("PIN draft", "x"))
    assert kb.articles.readable_by_slug("en", public.slug, Visibility.PUBLIC).id == public.id
    for hidden, audience in ((internal, Visibility.CUSTOMERS), (draft, Visibility.AGENTS)):
        with pytest.raises(NotFound):
            kb.articles.readable(hidden.id, audience)


def test_published_articles_are_searchable_after_a_build_and_archived_ones_are_gone_after_the_next(kb: Any) -> None:
    article = publish(kb, "Reset your PIN", "Open the app, then Settings.")
    assert found(kb, "pin") == []  # nothing indexed yet
    built = kb.builder().refresh()
    assert isinstance(built, Built) and built.pointer.articles == 1
    assert found(kb, "reset pin") == ["Reset your PIN"]
    kb.articles.archive(ADMIN, article.id, article.version)
    kb.builder().refresh()
    assert found(kb, "reset pin") == []


def test_a_burst_of_publishes_is_one_build_and_a_covered_change_builds_nothing(kb: Any, memory_svc: Any) -> None:
    for n in range(5):
        publish(kb, f"Article {n}")
    builder = kb.builder()
    events = [{"article": {"id": a, "version": v, "reindex": r}} for a, v, r in memory_svc.kb_repo.announced]
    outcomes = [builder.on_changed(e) for e in events]
    assert [type(o) for o in outcomes] == [Built, Current, Current, Current, Current]
    draft = kb.articles.create(ADMIN, NewArticle("Draft", "x"))
    assert isinstance(builder.on_changed({"article": {"id": draft.id, "version": 1, "reindex": False}}), Unchanged)
    assert isinstance(builder.refresh(force=True), Built)


def test_old_index_objects_are_pruned_but_the_previous_one_is_kept(kb: Any, memory_svc: Any) -> None:
    builder = kb.builder()
    for n in range(4):
        publish(kb, f"Article {n}")
        builder.refresh()
    keys = memory_svc.objects.keys(kb.location.bucket, INDEX_PREFIX)
    assert [k.removeprefix(INDEX_PREFIX)[:10] for k in keys] == ["0000000003", "0000000004"]


def test_a_build_that_loses_the_race_to_a_build_covering_less_is_retried(kb: Any, memory_svc: Any) -> None:
    from chalicelib.domain.kb import IndexPointer

    publish(kb, "Article")
    repo = memory_svc.kb_repo
    # Another build flipped generation 1, covering nothing, after this build read "no pointer yet".
    repo.set_pointer(IndexPointer(f"{INDEX_PREFIX}0000000001-X", 1, 0, 0, 0, kb.clock()))
    with pytest.raises(PointerMoved):
        kb.builder()._build(repo.changes(), None)
    assert repo.pointer().covers == 0
    assert memory_svc.objects.keys(kb.location.bucket, INDEX_PREFIX) == []  # its upload was removed
    assert isinstance(kb.builder().refresh(), Built) and repo.pointer().covers == 1


def test_a_search_function_asks_for_the_pointer_at_most_every_interval(kb: Any) -> None:
    ticks, reads = [0.0], []

    class CountingRepo:
        def pointer(self) -> Any:
            reads.append(ticks[0])
            return kb.repo.pointer()

    cache = IndexCache(CountingRepo(), kb.location, kb.engine, 30.0, kb.cache.directory, monotonic=lambda: ticks[0])  # type: ignore[arg-type]
    publish(kb, "First")
    kb.builder().refresh()
    first = cache.current()
    ticks[0] = 29.0
    publish(kb, "Second")
    kb.builder().refresh()
    assert cache.current() is first and reads == [0.0]
    ticks[0] = 30.0
    newer = cache.current()
    assert newer is not first and reads == [0.0, 30.0]
    assert [h.title for h in newer.search(Query("second")).hits] == ["Second"]


@pytest.fixture
def ticket(memory_svc: Any, agent: Any) -> Any:
    actor = Actor(ActorKind.AGENT, agent.id)
    created, _ = memory_svc.tickets.create(
        actor, NewTicket(subject="Card not arrived", body_text="Where is my card?", requester_email="bob@example.com")
    )
    return created


def test_a_solve_link_shows_without_acting_then_solves_the_ticket_once(kb: Any, ticket: Any, memory_svc: Any) -> None:
    article = publish(kb, "Card delivery times")
    secret = kb.solve_links.issue(ticket, article.id)
    assert secret.startswith("kbs_") and secret not in repr(memory_svc.kb_repo._tokens)
    view = kb.solve_links.inspect(secret)
    assert (view.ticket_number, view.open) == (ticket.number, True)
    assert memory_svc.ticket_repo.get(ticket.id).status is Status.NEW  # showing changed nothing
    solved = kb.solve_links.solve(secret)
    assert solved.changed and solved.ticket.status is Status.SOLVED and solved.article_id == article.id
    _, timeline = memory_svc.tickets.get(ticket.id)
    change = timeline[-1]
    assert change.author == Actor(ActorKind.CUSTOMER, ticket.requester_id)
    assert change.data["solved_with_article"] == article.id
    again = kb.solve_links.solve(secret)
    assert not again.changed and memory_svc.ticket_repo.get(ticket.id).version == solved.ticket.version


def test_an_expired_or_unknown_solve_link_is_not_found(kb: Any, ticket: Any, memory_svc: Any) -> None:
    secret = kb.solve_links.issue(ticket, "K1", days=1)
    kb.solve_links.clock = lambda: memory_svc.clock() + timedelta(days=2)
    with pytest.raises(NotFound):
        kb.solve_links.solve(secret)
    for bad in ("kbs_unknown", "not-a-link"):
        with pytest.raises(NotFound):
            kb.solve_links.inspect(bad)


def test_a_reopened_ticket_is_not_solved_again_by_a_used_link(kb: Any, ticket: Any, memory_svc: Any) -> None:
    secret = kb.solve_links.issue(ticket, "K1")
    kb.solve_links.solve(secret)
    customer = memory_svc.customers.get(ticket.requester_id)
    memory_svc.tickets.customer_message(customer, ticket.id, "Still broken", "email")
    assert memory_svc.ticket_repo.get(ticket.id).status is Status.OPEN
    assert not kb.solve_links.solve(secret).changed
    assert memory_svc.ticket_repo.get(ticket.id).status is Status.OPEN


def test_votes_count_once_per_viewer_and_deflections_add_up(kb: Any) -> None:
    article = publish(kb, "Card delivery times")
    assert kb.deflection.vote(article.id, Visibility.PUBLIC, "viewer-0001", True).counted
    assert not kb.deflection.vote(article.id, Visibility.PUBLIC, "viewer-0001", False).counted
    kb.deflection.answered(article.id, Visibility.PUBLIC, "viewer-0002", "new_request")
    counts = kb.articles.feedback(article.id)
    assert (counts.helpful, counts.not_helpful, counts.deflections) == (1, 0, 1)
    internal = publish(kb, "Internal", visibility=Visibility.AGENTS)
    with pytest.raises(NotFound):
        kb.deflection.vote(internal.id, Visibility.PUBLIC, "viewer-0001", True)


def test_a_draft_from_a_ticket_keeps_the_public_conversation_without_contact_details(
    kb: Any, ticket: Any, memory_svc: Any, agent: Any
) -> None:
    from chalicelib.kb.drafting import draft_from_ticket

    actor = Actor(ActorKind.AGENT, agent.id)
    memory_svc.tickets.note(actor, ticket.id, ticket.version, "Internal: customer is on the VIP list")
    current = memory_svc.ticket_repo.get(ticket.id)
    memory_svc.tickets.reply(actor, ticket.id, current.version, "Call us on +44 20 7946 0958 or write a@b.example")
    new = draft_from_ticket(*memory_svc.tickets.get(ticket.id))
    assert new.status is ArticleStatus.DRAFT and new.title == "Card not arrived"
    assert "Where is my card?" in new.body and "[phone]" in new.body and "[email]" in new.body
    assert "VIP" not in new.body and "7946" not in new.body and "a@b.example" not in new.body
    assert "from-ticket" in new.tags


def test_the_pointer_is_checked_every_30_s_in_aws_and_every_second_on_the_local_stack() -> None:
    from chalicelib.core.settings_model import Settings

    base = {"auth_mode": "dev", "dev_signing_key": "k" * 32, "signing_key": "s" * 32}
    assert Settings(stage="dev", **base).kb_pointer_interval == 30.0  # type: ignore[arg-type]
    assert Settings(stage="local", **base).kb_pointer_interval == 1.0  # type: ignore[arg-type]
    assert Settings(stage="local", kb_pointer_seconds=5, **base).kb_pointer_interval == 5.0  # type: ignore[arg-type]


def test_an_index_that_is_gone_or_corrupt_leaves_searches_on_the_index_in_hand(kb: Any, memory_svc: Any) -> None:
    from chalicelib.domain.kb import IndexPointer

    publish(kb, "Reset your PIN")
    kb.builder().refresh()
    assert found(kb, "pin") == ["Reset your PIN"]
    bucket, now = kb.location.bucket, kb.clock()
    memory_svc.objects.put(bucket, f"{INDEX_PREFIX}0000000002-bad.sqlite.gz", b"not gzip")
    memory_svc.kb_repo.set_pointer(IndexPointer(f"{INDEX_PREFIX}0000000002-bad.sqlite.gz", 2, 1, 1, 8, now))
    assert found(kb, "pin") == ["Reset your PIN"]
    import gzip

    memory_svc.objects.put(bucket, f"{INDEX_PREFIX}0000000003-junk.sqlite.gz", gzip.compress(b"junk" * 100))
    memory_svc.kb_repo.set_pointer(IndexPointer(f"{INDEX_PREFIX}0000000003-junk.sqlite.gz", 3, 1, 1, 8, now))
    assert found(kb, "pin") == ["Reset your PIN"]
    memory_svc.kb_repo.set_pointer(IndexPointer(f"{INDEX_PREFIX}0000000004-gone.sqlite.gz", 4, 1, 1, 8, now))
    assert found(kb, "pin") == ["Reset your PIN"]
    assert isinstance(kb.builder().refresh(force=True), Built) and found(kb, "pin") == ["Reset your PIN"]
    assert kb.cache.key == memory_svc.kb_repo.pointer().key
