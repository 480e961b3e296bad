"""The knowledge base API: every route, through the Chalice test client, contract-checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.tickets.service import NewTicket
from tests.api.contract import Api

VIEWER = "viewer-0001"


@pytest.fixture(autouse=True)
def fresh_index(memory_svc: Any, tmp_path: Path) -> Iterator[None]:
    memory_svc.kb.cache.check_seconds = 0.0
    memory_svc.kb.cache.directory = tmp_path / "kb"
    yield


def write(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"title": "Reset your PIN", "body": "Open **Settings**, then *Card*.", **fields}
    reply = api.post("/v1/kb/articles", json=body)
    assert reply.status == 201, reply.json
    article: dict[str, Any] = reply.json
    return article


def rebuild(admin_api: Api) -> dict[str, Any]:
    reply = admin_api.post("/v1/kb/index/rebuild")
    assert reply.status == 200, reply.json
    index: dict[str, Any] = reply.json
    return index


def titles(reply: Any) -> list[str]:
    assert reply.status == 200, reply.json
    return [i["title"] for i in reply.json["items"]]


def test_an_article_is_written_read_with_its_etag_and_rendered_safely(agent_api: Api) -> None:
    created = write(agent_api, body="Hi <script>x()</script> [a](javascript:y())", tags=["PIN", "cards"])
    assert (created["status"], created["version"], created["slug"]) == ("draft", 1, "reset-your-pin")
    assert created["tags"] == ["cards", "pin"] and created["url"] == "/portal/kb/reset-your-pin"
    read = agent_api.get(f"/v1/kb/articles/{created['id']}")
    assert read.status == 200 and read.header("ETag") == '"1"'
    assert "<script" not in read.json["body_html"] and "javascript:" not in read.json["body_html"].split("</p>")[-1]
    assert read.json["body"].startswith("Hi <script>")


def test_bad_input_gets_a_400_naming_the_field(agent_api: Api) -> None:
    for body, field in (
        ({"title": "", "body": "x"}, "body.title"),
        ({"title": "T", "body": "x", "visibility": "everyone"}, "body.visibility"),
        ({"title": "T", "body": "x", "slug": "Not A Slug"}, "body.slug"),
        ({"title": "T", "body": "x", "category": "a#b"}, "body.category"),
        ({"title": "T", "body": "x", "status": "archived"}, "body.status"),
        ({"title": "T", "body": "x", "locale": "not a locale"}, "body.locale"),
    ):
        reply = agent_api.post("/v1/kb/articles", json=body)
        assert (reply.status, reply.error_fields) == (400, [field]), body
    assert agent_api.get("/v1/kb/search", query={"q": "x" * 501}).error_fields == ["query.q"]


def test_an_update_names_its_version_and_a_stale_one_gets_409_with_the_current(agent_api: Api) -> None:
    article = write(agent_api)
    path = f"/v1/kb/articles/{article['id']}"
    assert agent_api.patch(path, json={"title": "New"}).status == 428
    changed = agent_api.patch(path, json={"title": "Reset the PIN"}, headers={"If-Match": '"1"'})
    assert (changed.status, changed.json["version"], changed.header("ETag")) == (200, 2, '"2"')
    stale = agent_api.patch(path, json={"title": "Mine", "version": 1})
    assert (stale.status, stale.json["error"]["current_version"]) == (409, 2)
    versions = agent_api.get(f"{path}/versions", query={"limit": 1})
    assert [v["title"] for v in versions.json["items"]] == ["Reset your PIN"] and versions.json["next_cursor"]
    rest = agent_api.get(f"{path}/versions", query={"limit": 1, "cursor": versions.json["next_cursor"]})
    assert [v["title"] for v in rest.json["items"]] == ["Reset the PIN"] and rest.json["next_cursor"] is None


def test_publishing_what_customers_read_needs_an_admin(agent_api: Api, admin_api: Api) -> None:
    refused = agent_api.post("/v1/kb/articles", json={"title": "T", "body": "x", "status": "published"})
    assert (refused.status, refused.error_code) == (403, "forbidden")
    internal = write(agent_api, title="Internal", visibility="agents", status="published")
    assert internal["status"] == "published" and internal["published_at"]
    draft = write(agent_api, title="Public one")
    path = f"/v1/kb/articles/{draft['id']}"
    assert agent_api.patch(path, json={"status": "published", "version": 1}).status == 403
    published = admin_api.patch(path, json={"status": "published", "version": 1})
    assert published.status == 200
    assert agent_api.post(f"{path}/archive", json={"version": 2}).status == 403
    archived = admin_api.post(f"{path}/archive", json={}, headers={"If-Match": '"2"'})
    assert (archived.status, archived.json["status"], archived.json["version"]) == (200, "archived", 3)


def test_articles_are_listed_by_filter_and_paged_with_signed_cursors(agent_api: Api, admin_api: Api) -> None:
    for n in range(3):
        write(agent_api, title=f"Card {n}", category="cards")
    write(admin_api, title="Transfers", category="transfers", status="published")
    write(agent_api, title="Internal", visibility="agents")
    first = agent_api.get("/v1/kb/articles", query={"status": "draft", "limit": 2})
    assert len(first.json["items"]) == 2 and first.json["next_cursor"]
    second = agent_api.get(
        "/v1/kb/articles", query={"status": "draft", "limit": 2, "cursor": first.json["next_cursor"]}
    )
    assert len(first.json["items"] + second.json["items"]) == 4 and second.json["next_cursor"] is None
    foreign = agent_api.get("/v1/kb/articles", query={"status": "published", "cursor": first.json["next_cursor"]})
    assert foreign.status == 404  # a cursor of another listing names no page here, as an unknown id
    cards = agent_api.get("/v1/kb/articles", query={"category": "cards", "locale": "en"})
    assert titles(cards) == ["Card 0", "Card 1", "Card 2"]
    assert titles(agent_api.get("/v1/kb/articles", query={"visibility": "agents"})) == ["Internal"]
    assert titles(agent_api.get("/v1/kb/articles", query={"status": "published"})) == ["Transfers"]


def test_search_is_public_and_an_agent_token_also_finds_agents_only_articles(
    api: Api, agent_api: Api, admin_api: Api
) -> None:
    write(admin_api, title="Reset your PIN", status="published")
    write(agent_api, title="PIN resets by phone", visibility="agents", status="published")
    write(agent_api, title="PIN draft")
    assert rebuild(admin_api)["articles"] == 2
    public = api.get("/v1/kb/search", query={"q": "pin reset"})
    assert titles(public) == ["Reset your PIN"] and public.json["audience"] == "public"
    item = public.json["items"][0]
    assert item["url"] == "/portal/kb/reset-your-pin" and "Settings" in item["snippet"]
    agents = agent_api.get("/v1/kb/search", query={"q": "pin reset", "limit": 5})
    assert sorted(titles(agents)) == ["PIN resets by phone", "Reset your PIN"] and agents.json["audience"] == "agents"
    stale_token = api.get("/v1/kb/search", query={"q": "pin"}, headers={"Authorization": "Bearer nonsense"})
    assert titles(stale_token) == ["Reset your PIN"] and stale_token.json["audience"] == "public"


def test_typos_get_a_did_you_mean_and_typing_gets_suggestions(api: Api, admin_api: Api) -> None:
    write(admin_api, title="Forgotten password", body="Reset it from the sign-in page.", status="published")
    write(admin_api, title="Card delivery", body="Cards arrive in five days.", status="published")
    rebuild(admin_api)
    typo = api.get("/v1/kb/search", query={"q": "pasword"})
    assert (typo.json["did_you_mean"], typo.json["corrected"], titles(typo)) == (
        "password",
        True,
        ["Forgotten password"],
    )
    typing = api.get("/v1/kb/suggest", query={"q": "forgot my passw", "viewer": VIEWER})
    assert titles(typing) == ["Forgotten password"]
    nothing = api.get("/v1/kb/search", query={"q": "zzzz qqqq"})
    assert titles(nothing) == [] and nothing.json["did_you_mean"] is None


def test_a_published_article_is_read_by_slug_with_related_articles_and_hidden_ones_are_404(
    api: Api, agent_api: Api, admin_api: Api
) -> None:
    write(admin_api, title="Exchange rates", body="The exchange rate is set by Visa.", status="published")
    write(admin_api, title="Wrong exchange rate", body="An exchange rate you did not expect.", status="published")
    write(
        agent_api,
        title="Exchange rate disputes",
        body="Escalate exchange rate cases.",
        visibility="agents",
        status="published",
    )
    write(agent_api, title="Draft rate", body="exchange rate draft")
    rebuild(admin_api)
    read = api.get("/v1/kb/published/exchange-rates", query={"viewer": VIEWER})
    assert read.status == 200 and read.json["html"] == "<p>The exchange rate is set by Visa.</p>\n"
    assert [r["title"] for r in read.json["related"]] == ["Wrong exchange rate"]
    assert api.get("/v1/kb/published/exchange-rate-disputes").status == 404
    assert agent_api.get("/v1/kb/published/exchange-rate-disputes").status == 200
    assert agent_api.get("/v1/kb/published/draft-rate").status == 404
    assert api.get("/v1/kb/published/exchange-rates", query={"locale": "lv"}).status == 404


def test_categories_count_what_the_reader_may_see(api: Api, agent_api: Api, admin_api: Api) -> None:
    write(admin_api, title="A", category="cards", status="published")
    write(agent_api, title="B", category="cards", visibility="agents", status="published")
    write(admin_api, title="C", category="transfers", locale="lv", status="published")
    rebuild(admin_api)
    public = api.get("/v1/kb/categories")
    assert [(c["name"], c["locale"], c["articles"]) for c in public.json["items"]] == [
        ("cards", "en", 1),
        ("transfers", "lv", 1),
    ]
    agents = agent_api.get("/v1/kb/categories", query={"locale": "en"})
    assert [(c["name"], c["articles"]) for c in agents.json["items"]] == [("cards", 2)]


def test_votes_deflections_and_clicks_are_accepted_and_counted(api: Api, admin_api: Api, agent_api: Api) -> None:
    article = write(admin_api, status="published")
    votes = f"/v1/kb/articles/{article['id']}/votes"
    assert api.post(votes, json={"helpful": True, "viewer": VIEWER}).json == {"counted": True}
    assert api.post(votes, json={"helpful": False, "viewer": VIEWER}).json == {"counted": False}
    assert api.post(votes, json={"helpful": True}).error_fields == ["body.viewer"]
    deflected = api.post("/v1/kb/deflections", json={"article_id": article["id"], "viewer": VIEWER})
    assert deflected.status == 204
    assert api.post("/v1/kb/clicks", json={"article_id": article["id"], "position": 1}).status == 204
    feedback = agent_api.get(f"/v1/kb/articles/{article['id']}/feedback")
    assert feedback.json == {"helpful": 1, "not_helpful": 0, "deflections": 1}
    draft = write(agent_api, title="Draft")
    assert api.post(f"/v1/kb/articles/{draft['id']}/votes", json={"helpful": True, "viewer": VIEWER}).status == 404


def test_the_index_status_says_what_the_index_covers(agent_api: Api, admin_api: Api) -> None:
    empty = agent_api.get("/v1/kb/index")
    assert empty.json["key"] is None and empty.json["changes"] == 0
    write(admin_api, status="published")
    behind = agent_api.get("/v1/kb/index")
    assert (behind.json["changes"], behind.json["covers"]) == (1, 0)
    assert agent_api.post("/v1/kb/index/rebuild").status == 403
    built = rebuild(admin_api)
    assert (built["covers"], built["articles"], built["generation"]) == (1, 1, 1)
    assert built["key"].startswith("kb/index/0000000001-") and built["size_bytes"] > 0


@pytest.fixture
def ticket(memory_svc: Any, agent: Any) -> Any:
    created, _ = memory_svc.tickets.create(
        Actor(ActorKind.AGENT, agent.id),
        NewTicket(
            subject="My card has not arrived",
            body_text="I ordered a card two weeks ago. Call me on +44 20 7946 0958.",
            requester_email="bob@example.com",
        ),
    )
    return created


def test_an_agent_gets_articles_suggested_for_a_ticket(agent_api: Api, admin_api: Api, ticket: Any) -> None:
    write(admin_api, title="Card delivery times", body="A new card arrives in five working days.", status="published")
    write(
        agent_api,
        title="Late cards: what agents check",
        body="Card ordered, not arrived.",
        visibility="agents",
        status="published",
    )
    write(admin_api, title="Closing an account", body="Withdraw the balance.", status="published")
    rebuild(admin_api)
    suggested = agent_api.get(f"/v1/tickets/{ticket.id}/suggested-articles")
    assert set(titles(suggested)[:2]) == {"Card delivery times", "Late cards: what agents check"}
    assert agent_api.get("/v1/tickets/01ARZ3NDEKTSV4RRFFQ69G5FAV/suggested-articles").status == 404


def test_an_agent_drafts_an_article_from_a_ticket_without_contact_details(agent_api: Api, ticket: Any) -> None:
    reply = agent_api.post(f"/v1/tickets/{ticket.id}/draft-article", json={"category": "cards"})
    assert reply.status == 201
    draft = reply.json
    assert (draft["status"], draft["category"], draft["title"]) == ("draft", "cards", "My card has not arrived")
    assert "[phone]" in draft["body"] and "7946" not in draft["body"] and "from-ticket" in draft["tags"]


def test_a_solve_link_is_shown_by_get_and_used_by_post_once(
    api: Api, admin_api: Api, memory_svc: Any, ticket: Any
) -> None:
    article = write(admin_api, status="published")
    secret = memory_svc.kb.solve_links.issue(ticket, article["id"])
    shown = api.get(f"/v1/kb/solve-links/{secret}")
    assert (shown.status, shown.json["ticket_number"], shown.json["open"]) == (200, ticket.number, True)
    assert memory_svc.ticket_repo.get(ticket.id).status == "new"
    solved = api.post(f"/v1/kb/solve-links/{secret}")
    assert (solved.status, solved.json["status"], solved.json["changed"]) == (200, "solved", True)
    again = api.post(f"/v1/kb/solve-links/{secret}")
    assert (again.status, again.json["changed"]) == (200, False)
    assert api.get(f"/v1/kb/solve-links/{secret}").json["open"] is False
    assert api.post("/v1/kb/solve-links/kbs_nonsense").status == 404
