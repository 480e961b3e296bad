"""Tickets through the HTTP API: create, read, reply, note, update, merge, link, and the inbox views."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.api.contract import Api
from tests.api.support import Desk

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def events(timeline: list[dict[str, Any]]) -> list[str]:
    return [e["event"] for e in timeline]


def changed(entry: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {c["field"]: (c["old"], c["new"]) for c in entry["changes"]}


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


# -- create ----------------------------------------------------------------------------------------


def test_creating_by_requester_email_creates_the_customer_once_and_records_the_request(admin_api: Api) -> None:
    first = admin_api.post(
        "/v1/tickets",
        json={
            "subject": " Printer on fire ",
            "body": "It smokes.",
            "requester_email": "Bob@Customer.Example",
            "requester_name": "Bob Jones",
            "tags": ["Hardware", "hardware", "urgent-ish"],
        },
    )
    assert first.status == 201
    ticket, timeline = first.json["ticket"], first.json["timeline"]
    assert (ticket["number"], ticket["status"], ticket["priority"], ticket["channel"]) == (1, "new", "normal", "api")
    assert ticket["subject"] == "Printer on fire" and ticket["tags"] == ["hardware", "urgent-ish"]
    assert first.header("ETag") == '"1"'
    assert [(e["event"], e["kind"], e["public"]) for e in timeline] == [
        ("ticket.created", "event", False),
        ("message.added", "message", True),
    ]
    message = timeline[1]
    assert (message["body"], message["author"]) == ("It smokes.", {"kind": "customer", "id": ticket["requester_id"]})

    customer = admin_api.get("/v1/customers/lookup", query={"email": "bob@customer.example"})
    assert (customer.status, customer.json["id"], customer.json["name"]) == (200, ticket["requester_id"], "Bob Jones")

    again = admin_api.post(
        "/v1/tickets", json={"subject": "Again", "body": "x", "requester_email": "BOB@customer.example"}
    )
    assert (again.json["ticket"]["number"], again.json["ticket"]["requester_id"]) == (2, ticket["requester_id"])
    assert len(admin_api.get("/v1/customers").json["items"]) == 1


def test_creating_by_requester_id_files_the_ticket_for_that_customer_and_their_organization(desk: Desk) -> None:
    org = desk.organization("Acme", "acme.example")
    customer = desk.customer(name="Carol", chat_ids=["visitor-42"], organization_id=org["id"])
    ticket = desk.ticket(requester_id=customer["id"], channel="chat")
    assert (ticket["requester_id"], ticket["organization_id"], ticket["channel"]) == (customer["id"], org["id"], "chat")


def test_creating_with_an_assignee_opens_the_ticket_and_records_the_assignment(
    admin_api: Api, agent: Any, desk: Desk
) -> None:
    team = desk.team()
    reply = admin_api.post(
        "/v1/tickets",
        json={
            "subject": "S",
            "body": "B",
            "requester_email": "bob@customer.example",
            "team_id": team["id"],
            "assignee_id": agent.id,
            "priority": "high",
            "type": "incident",
        },
    )
    ticket = reply.json["ticket"]
    assert (ticket["status"], ticket["assignee_id"], ticket["team_id"]) == ("open", agent.id, team["id"])
    assigned = [e for e in reply.json["timeline"] if e["event"] == "ticket.assigned"]
    assert [e["data"] for e in assigned] == [{"assignee_id": agent.id}]


@pytest.mark.parametrize(
    "requester",
    [{}, {"requester_id": UNKNOWN_ID, "requester_email": "bob@customer.example"}],
    ids=["neither", "both"],
)
def test_creating_needs_exactly_one_of_requester_id_and_requester_email(
    admin_api: Api, requester: dict[str, Any]
) -> None:
    reply = admin_api.post("/v1/tickets", json={"subject": "S", "body": "B", **requester})
    assert (reply.status, reply.error_code) == (400, "invalid_input")
    named = " ".join(f"{f['field']} {f['message']}" for f in reply.json["error"]["fields"])
    assert "requester_id" in named and "requester_email" in named


@pytest.mark.parametrize(
    ("reference", "entity"),
    [("team_id", "team"), ("assignee_id", "agent"), ("requester_id", "customer")],
)
def test_creating_with_an_unknown_reference_is_404_and_creates_nothing(
    admin_api: Api, reference: str, entity: str
) -> None:
    body = {"subject": "S", "body": "B", "requester_email": "bob@customer.example", reference: UNKNOWN_ID}
    if reference == "requester_id":
        body.pop("requester_email")
    reply = admin_api.post("/v1/tickets", json=body)
    assert (reply.status, reply.error_code) == (404, "not_found")
    assert entity in reply.json["error"]["message"] and UNKNOWN_ID in reply.json["error"]["message"]
    assert admin_api.get("/v1/tickets", query={"view": "unassigned"}).json["items"] == []


def test_creating_with_an_invalid_priority_names_body_priority(admin_api: Api) -> None:
    reply = admin_api.post(
        "/v1/tickets", json={"subject": "S", "body": "B", "requester_email": "b@c.example", "priority": "asap"}
    )
    assert (reply.status, reply.error_fields) == (400, ["body.priority"])


def test_creating_with_an_unknown_field_names_it(admin_api: Api) -> None:
    reply = admin_api.post(
        "/v1/tickets", json={"subject": "S", "body": "B", "requester_email": "b@c.example", "colour": "red"}
    )
    assert (reply.status, reply.error_fields) == (400, ["body.colour"])


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b""], ids=["broken", "array", "string", "empty"])
def test_creating_with_a_body_that_is_not_a_json_object_names_the_body(admin_api: Api, raw: bytes) -> None:
    reply = admin_api.post("/v1/tickets", raw=raw)
    assert (reply.status, reply.error_code, reply.error_fields) == (400, "invalid_input", ["body"])


def test_a_body_sent_as_another_media_type_gets_a_documented_refusal(admin_api: Api, desk: Desk) -> None:
    ticket = desk.ticket()
    reply = admin_api.post(
        f"/v1/tickets/{ticket['id']}/notes", raw=b'{"body": "x", "version": 1}', headers={"Content-Type": "text/plain"}
    )
    # Whatever the status, it must be one the document declares, with the documented error body.
    assert 400 <= reply.status < 500 and reply.error_code
    assert desk.get_ticket(ticket["id"])["ticket"]["version"] == 1


# -- read ------------------------------------------------------------------------------------------


def test_the_timeline_lists_messages_notes_and_events_in_the_order_they_happened(
    admin_api: Api, desk: Desk, admin: Any
) -> None:
    ticket = desk.ticket()
    tid = ticket["id"]
    replied = admin_api.post(f"/v1/tickets/{tid}/replies", json={"body": "On it.", "version": 1}).json
    noted = admin_api.post(f"/v1/tickets/{tid}/notes", json={"body": "Call facilities", "version": replied["version"]})
    desk.patch_ticket(noted.json, priority="urgent")

    detail = admin_api.get(f"/v1/tickets/{tid}")
    assert detail.header("ETag") == '"4"'
    timeline = detail.json["timeline"]
    assert events(timeline) == [
        "ticket.created",
        "message.added",  # the request
        "message.added",
        "ticket.updated",  # the reply, then the status change it carried
        "note.added",
        "ticket.updated",
    ]
    assert [(e["kind"], e["public"]) for e in timeline] == [
        ("event", False),
        ("message", True),
        ("message", True),
        ("event", False),
        ("note", False),
        ("event", False),
    ]
    assert [e["ticket_version"] for e in timeline] == [1, 1, 2, 2, 3, 4]
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
    note = timeline[4]
    assert (note["body"], note["author"]) == ("Call facilities", {"kind": "agent", "id": admin.id})
    assert changed(timeline[3]) == {"status": ("new", "open")}
    assert changed(timeline[5]) == {"priority": ("normal", "urgent")}


def test_a_ticket_can_be_read_by_its_number(admin_api: Api, desk: Desk) -> None:
    desk.ticket(subject="first")
    second = desk.ticket(subject="second")
    reply = admin_api.get("/v1/tickets/by-number/2")
    assert (reply.status, reply.json["ticket"]["id"], reply.json["ticket"]["subject"]) == (200, second["id"], "second")
    assert events(reply.json["timeline"]) == ["ticket.created", "message.added"]


# "²" passes str.isdigit() but not int(): it must still be a 400, not a server error.
@pytest.mark.parametrize("number", ["abc", "-1", "1.5", "²"], ids=["letters", "negative", "decimal", "superscript-two"])
def test_a_ticket_number_that_is_not_a_positive_integer_is_400(admin_api: Api, desk: Desk, number: str) -> None:
    desk.ticket()
    reply = admin_api.get(f"/v1/tickets/by-number/{number}")
    assert (reply.status, reply.error_fields) == (400, ["number"])


def test_an_unknown_ticket_number_is_404(admin_api: Api, desk: Desk) -> None:
    desk.ticket()
    assert admin_api.get("/v1/tickets/by-number/999").status == 404


def test_every_ticket_route_answers_404_for_an_unknown_ticket(admin_api: Api, desk: Desk) -> None:
    other = desk.ticket()
    path = f"/v1/tickets/{UNKNOWN_ID}"
    replies = {
        "get": admin_api.get(path),
        "reply": admin_api.post(f"{path}/replies", json={"body": "x", "version": 1}),
        "note": admin_api.post(f"{path}/notes", json={"body": "x", "version": 1}),
        "patch": admin_api.patch(path, json={"version": 1, "priority": "high"}),
        "merge": admin_api.post(f"{path}/merge", json={"target_id": other["id"], "version": 1}),
        "link": admin_api.post(f"{path}/links", json={"related_id": other["id"], "version": 1}),
        "merge-into-unknown": admin_api.post(
            f"/v1/tickets/{other['id']}/merge", json={"target_id": UNKNOWN_ID, "version": 1}
        ),
        "link-to-unknown": admin_api.post(
            f"/v1/tickets/{other['id']}/links", json={"related_id": UNKNOWN_ID, "version": 1}
        ),
    }
    assert {name: (r.status, r.error_code) for name, r in replies.items()} == {
        name: (404, "not_found") for name in replies
    }
    assert desk.get_ticket(other["id"])["ticket"]["version"] == 1


# -- replies and notes -----------------------------------------------------------------------------


def test_the_first_reply_opens_a_new_ticket_and_sets_first_response_at(admin_api: Api, desk: Desk, admin: Any) -> None:
    ticket = desk.ticket()
    assert ticket["first_response_at"] is None
    reply = admin_api.post(f"/v1/tickets/{ticket['id']}/replies", json={"body": "Looking now.", "version": 1})
    assert reply.status == 201
    after = reply.json
    assert (after["status"], after["version"]) == ("open", 2)
    assert after["first_response_at"] is not None and after["first_response_at"] == after["last_agent_message_at"]
    assert reply.header("ETag") == '"2"'
    last = desk.get_ticket(ticket["id"])["timeline"][-2:]
    assert [(e["event"], e["author"]["id"], e["ticket_version"]) for e in last] == [
        ("message.added", admin.id, 2),
        ("ticket.updated", admin.id, 2),
    ]


def test_a_reply_can_name_its_version_in_an_if_match_header(admin_api: Api, desk: Desk) -> None:
    ticket = desk.ticket()
    reply = admin_api.post(f"/v1/tickets/{ticket['id']}/replies", json={"body": "Hi"}, headers={"If-Match": '"1"'})
    assert (reply.status, reply.json["version"]) == (201, 2)
    weak = admin_api.post(f"/v1/tickets/{ticket['id']}/notes", json={"body": "n"}, headers={"If-Match": 'W/"2"'})
    assert (weak.status, weak.json["version"]) == (201, 3)
    stale = admin_api.post(f"/v1/tickets/{ticket['id']}/replies", json={"body": "Hi"}, headers={"If-Match": '"1"'})
    assert stale.status == 409


@pytest.mark.parametrize("if_match", ['"abc"', "*", '"\u00b2"'], ids=["letters", "star", "superscript-two"])
def test_an_if_match_that_is_not_a_version_is_400(admin_api: Api, desk: Desk, if_match: str) -> None:
    ticket = desk.ticket()
    reply = admin_api.post(f"/v1/tickets/{ticket['id']}/replies", json={"body": "Hi"}, headers={"If-Match": if_match})
    assert (reply.status, reply.error_fields) == (400, ["If-Match"])
    assert desk.get_ticket(ticket["id"])["ticket"]["version"] == 1


def test_a_reply_can_set_pending_and_later_replies_keep_the_first_response_time(admin_api: Api, desk: Desk) -> None:
    ticket = desk.ticket()
    first = admin_api.post(
        f"/v1/tickets/{ticket['id']}/replies", json={"body": "Which model?", "version": 1, "status": "pending"}
    ).json
    assert (first["status"], first["version"]) == ("pending", 2)
    second = admin_api.post(f"/v1/tickets/{ticket['id']}/replies", json={"body": "Any news?", "version": 2}).json
    assert second["status"] == "pending"
    assert second["first_response_at"] == first["first_response_at"]
    assert second["last_agent_message_at"] > first["last_agent_message_at"]
    status_changes = [changed(e) for e in desk.get_ticket(ticket["id"])["timeline"] if e["event"] == "ticket.updated"]
    assert status_changes == [{"status": ("new", "pending")}]


@pytest.mark.parametrize("route", ["replies", "notes"])
def test_a_write_without_a_version_is_428(admin_api: Api, desk: Desk, route: str) -> None:
    ticket = desk.ticket()
    reply = admin_api.post(f"/v1/tickets/{ticket['id']}/{route}", json={"body": "x"})
    assert (reply.status, reply.error_code) == (428, "precondition_required")
    assert desk.get_ticket(ticket["id"])["ticket"]["version"] == 1


def test_a_note_is_internal_and_is_not_a_response(admin_api: Api, desk: Desk) -> None:
    ticket = desk.ticket()
    noted = admin_api.post(f"/v1/tickets/{ticket['id']}/notes", json={"body": "VIP, be nice", "version": 1})
    assert noted.status == 201
    after = noted.json
    assert (after["status"], after["first_response_at"], after["version"]) == ("new", None, 2)
    note = desk.get_ticket(ticket["id"])["timeline"][-1]
    assert (note["event"], note["kind"], note["public"], note["body"]) == ("note.added", "note", False, "VIP, be nice")


def test_a_closed_ticket_takes_no_more_replies(admin_api: Api, desk: Desk) -> None:
    ticket = desk.ticket()
    ticket = desk.patch_ticket(ticket, status="solved")
    ticket = desk.patch_ticket(ticket, status="closed")
    reply = admin_api.post(f"/v1/tickets/{ticket['id']}/replies", json={"body": "x", "version": ticket["version"]})
    assert (reply.status, reply.error_code) == (400, "invalid_input")
    assert desk.get_ticket(ticket["id"])["ticket"]["version"] == ticket["version"]


# -- updates ---------------------------------------------------------------------------------------


def test_an_update_records_field_changes_and_the_assignment_as_separate_events(
    admin_api: Api, desk: Desk, agent: Any, admin: Any
) -> None:
    ticket = desk.ticket()
    team = desk.team()
    reply = admin_api.patch(
        f"/v1/tickets/{ticket['id']}",
        json={"version": 1, "priority": "high", "tags": ["Billing"], "team_id": team["id"], "assignee_id": agent.id},
    )
    assert reply.status == 200
    after = reply.json
    assert (after["priority"], after["tags"], after["team_id"], after["assignee_id"], after["version"]) == (
        "high",
        ["billing"],
        team["id"],
        agent.id,
        2,
    )
    assert reply.header("ETag") == '"2"'
    new_entries = desk.get_ticket(ticket["id"])["timeline"][2:]
    assert [(e["event"], e["author"]["id"], e["ticket_version"]) for e in new_entries] == [
        ("ticket.updated", admin.id, 2),
        ("ticket.assigned", admin.id, 2),
    ]
    assert changed(new_entries[0]) == {
        "priority": ("normal", "high"),
        "tags": ([], ["billing"]),
        "team_id": (None, team["id"]),
    }
    assert changed(new_entries[1]) == {"assignee_id": (None, agent.id)}

    unassigned = admin_api.patch(f"/v1/tickets/{ticket['id']}", json={"version": 2, "assignee_id": None})
    assert unassigned.json["assignee_id"] is None
    last = desk.get_ticket(ticket["id"])["timeline"][-1]
    assert (last["event"], changed(last)) == ("ticket.assigned", {"assignee_id": (agent.id, None)})


def test_an_update_that_changes_nothing_keeps_the_version_and_adds_no_event(admin_api: Api, desk: Desk) -> None:
    ticket = desk.ticket()
    reply = admin_api.patch(f"/v1/tickets/{ticket['id']}", json={"version": 1, "priority": "normal"})
    assert (reply.status, reply.json["version"]) == (200, 1)
    assert len(desk.get_ticket(ticket["id"])["timeline"]) == 2


def test_an_update_without_a_version_is_428(admin_api: Api, desk: Desk) -> None:
    ticket = desk.ticket()
    reply = admin_api.patch(f"/v1/tickets/{ticket['id']}", json={"priority": "high"})
    assert (reply.status, reply.error_code) == (428, "precondition_required")
    assert desk.get_ticket(ticket["id"])["ticket"]["priority"] == "normal"


def test_a_stale_update_is_409_and_lists_what_changed_since_without_message_bodies(
    admin_api: Api, agent_api: Api, desk: Desk, agent: Any
) -> None:
    ticket = desk.ticket()
    tid = ticket["id"]
    desk.patch_ticket(ticket, priority="urgent", tags=["vip"])
    v3 = agent_api.post(f"/v1/tickets/{tid}/notes", json={"body": "SECRET-NOTE-TEXT", "version": 2}).json
    desk.patch_ticket(v3, assignee_id=agent.id)

    stale = agent_api.patch(f"/v1/tickets/{tid}", json={"version": 1, "priority": "low"})
    assert (stale.status, stale.error_code) == (409, "conflict")
    error = stale.json["error"]
    assert error["current_version"] == 4
    since = error["changes_since"]
    assert [(c["event"], c["version"]) for c in since] == [
        ("ticket.updated", 2),
        ("note.added", 3),
        ("ticket.assigned", 4),
    ]
    assert {c["field"] for entry in since for c in entry.get("changes", [])} == {"priority", "tags", "assignee_id"}
    assert since[0]["changes"] == [
        {"field": "priority", "old": "normal", "new": "urgent"},
        {"field": "tags", "old": [], "new": ["vip"]},
    ]
    assert since[1]["by"] == {"kind": "agent", "id": agent.id}
    assert b"SECRET-NOTE-TEXT" not in stale.body
    assert desk.get_ticket(tid)["ticket"]["priority"] == "urgent"


@pytest.mark.parametrize(
    ("path_to", "target"),
    [([], "closed"), (["solved", "closed"], "open"), (["pending"], "new")],
    ids=["new-to-closed", "closed-to-open", "pending-to-new"],
)
def test_an_invalid_status_transition_is_400_on_the_status_field(
    admin_api: Api, desk: Desk, path_to: list[str], target: str
) -> None:
    ticket = desk.ticket()
    for status in path_to:
        ticket = desk.patch_ticket(ticket, status=status)
    reply = admin_api.patch(f"/v1/tickets/{ticket['id']}", json={"version": ticket["version"], "status": target})
    assert (reply.status, reply.error_fields) == (400, ["status"])
    assert desk.get_ticket(ticket["id"])["ticket"]["status"] == ticket["status"]


def test_solving_and_closing_stamp_their_times(desk: Desk) -> None:
    ticket = desk.ticket()
    solved = desk.patch_ticket(ticket, status="solved")
    assert solved["solved_at"] is not None and solved["closed_at"] is None
    closed = desk.patch_ticket(solved, status="closed")
    assert (closed["solved_at"], closed["closed_at"] is not None) == (solved["solved_at"], True)


def test_assigning_an_unknown_or_deactivated_agent_is_refused(admin_api: Api, desk: Desk, agent: Any) -> None:
    ticket = desk.ticket()
    unknown = admin_api.patch(f"/v1/tickets/{ticket['id']}", json={"version": 1, "assignee_id": UNKNOWN_ID})
    assert unknown.status == 404
    admin_api.patch(f"/v1/agents/{agent.id}", json={"version": agent.version, "active": False})
    inactive = admin_api.patch(f"/v1/tickets/{ticket['id']}", json={"version": 1, "assignee_id": agent.id})
    assert (inactive.status, inactive.error_fields) == (400, ["assignee_id"])
    assert desk.get_ticket(ticket["id"])["ticket"]["assignee_id"] is None


# -- merge and link --------------------------------------------------------------------------------


def test_merging_moves_the_timeline_into_the_target_and_closes_the_source(
    admin_api: Api, desk: Desk, memory_svc: Any
) -> None:
    source = desk.ticket(subject="dup", ccs=["cc@customer.example"])
    target = desk.ticket(subject="original")
    source_v2 = admin_api.post(f"/v1/tickets/{source['id']}/notes", json={"body": "same as #2", "version": 1}).json
    source_entries = desk.get_ticket(source["id"])["timeline"]
    published_before = len(memory_svc.ticket_repo.published)

    merged = admin_api.post(
        f"/v1/tickets/{source['id']}/merge", json={"target_id": target["id"], "version": source_v2["version"]}
    )
    assert merged.status == 200
    assert (merged.json["id"], merged.json["version"], merged.json["ccs"]) == (target["id"], 2, ["cc@customer.example"])

    target_timeline = desk.get_ticket(target["id"])["timeline"]
    copied = {e["id"]: e for e in target_timeline if e["merged_from"] == source["id"]}
    assert sorted(copied) == sorted(ids(source_entries))
    assert [copied[e["id"]]["body"] for e in source_entries] == [e["body"] for e in source_entries]
    merged_event = target_timeline[-1]
    assert (merged_event["event"], merged_event["data"]) == (
        "ticket.merged",
        {"from": source["id"], "from_number": source["number"]},
    )

    closed = desk.get_ticket(source["id"])
    assert (closed["ticket"]["status"], closed["ticket"]["merged_into_id"]) == ("closed", target["id"])
    assert closed["ticket"]["closed_at"] is not None
    assert closed["timeline"][-1]["data"] == {"into": target["id"], "into_number": target["number"]}
    # Copies are not new events: only the two ticket.merged entries are published.
    assert [e.event for e in memory_svc.ticket_repo.published[published_before:]] == ["ticket.merged"] * 2


def test_a_ticket_cannot_be_merged_into_itself(admin_api: Api, desk: Desk) -> None:
    ticket = desk.ticket()
    reply = admin_api.post(f"/v1/tickets/{ticket['id']}/merge", json={"target_id": ticket["id"], "version": 1})
    assert (reply.status, reply.error_fields) == (400, ["target_id"])
    assert desk.get_ticket(ticket["id"])["ticket"]["status"] == "new"


def test_a_merged_ticket_cannot_be_merged_again_nor_merged_into(admin_api: Api, desk: Desk) -> None:
    source, target, third = desk.ticket(), desk.ticket(), desk.ticket()
    assert (
        admin_api.post(f"/v1/tickets/{source['id']}/merge", json={"target_id": target["id"], "version": 1}).status
        == 200
    )
    again = admin_api.post(f"/v1/tickets/{source['id']}/merge", json={"target_id": third["id"], "version": 2})
    assert (again.status, again.error_code) == (400, "invalid_input")
    into_merged = admin_api.post(f"/v1/tickets/{third['id']}/merge", json={"target_id": source["id"], "version": 1})
    assert (into_merged.status, into_merged.error_fields) == (400, ["target_id"])
    assert desk.get_ticket(third["id"])["ticket"]["status"] == "new"


def test_a_stale_merge_is_409(admin_api: Api, desk: Desk) -> None:
    source, target = desk.ticket(), desk.ticket()
    desk.patch_ticket(source, priority="high")
    reply = admin_api.post(f"/v1/tickets/{source['id']}/merge", json={"target_id": target["id"], "version": 1})
    assert (reply.status, reply.json["error"]["current_version"]) == (409, 2)
    assert desk.get_ticket(source["id"])["ticket"]["merged_into_id"] is None


def test_linking_relates_both_tickets_once(admin_api: Api, desk: Desk) -> None:
    first, second = desk.ticket(), desk.ticket()
    linked = admin_api.post(f"/v1/tickets/{first['id']}/links", json={"related_id": second["id"], "version": 1})
    assert (linked.status, linked.json["related_ids"], linked.json["version"]) == (200, [second["id"]], 2)
    assert desk.get_ticket(second["id"])["ticket"]["related_ids"] == [first["id"]]

    again = admin_api.post(f"/v1/tickets/{first['id']}/links", json={"related_id": second["id"], "version": 2})
    back = admin_api.post(f"/v1/tickets/{second['id']}/links", json={"related_id": first["id"], "version": 2})
    assert (again.status, again.json["related_ids"], again.json["version"]) == (200, [second["id"]], 2)
    assert (back.status, back.json["related_ids"], back.json["version"]) == (200, [first["id"]], 2)
    linked_events = [e for e in desk.get_ticket(first["id"])["timeline"] if e["event"] == "ticket.linked"]
    assert [e["data"]["related_id"] for e in linked_events] == [second["id"]]


def test_a_ticket_cannot_be_linked_to_itself(admin_api: Api, desk: Desk) -> None:
    ticket = desk.ticket()
    reply = admin_api.post(f"/v1/tickets/{ticket['id']}/links", json={"related_id": ticket["id"], "version": 1})
    assert reply.status == 400
    assert desk.get_ticket(ticket["id"])["ticket"]["related_ids"] == []


# -- views -----------------------------------------------------------------------------------------


@pytest.fixture
def inbox(desk: Desk, agent: Any) -> dict[str, Any]:
    """Tickets spread over the views. Created in this order, so oldest first means this order."""
    acme = desk.organization("Acme", "acme.example")
    team = desk.team("Support")
    t: dict[str, Any] = {"org": acme, "team": team}
    t["low"] = desk.ticket(priority="low", team_id=team["id"], requester_email="wile@acme.example")
    t["urgent"] = desk.ticket(priority="urgent", team_id=team["id"])
    t["normal_old"] = desk.ticket(priority="normal", team_id=team["id"], requester_email="road@acme.example")
    t["mine_high"] = desk.ticket(priority="high", team_id=team["id"], assignee_id=agent.id)
    t["normal_new"] = desk.ticket(priority="normal", team_id=team["id"], requester_email="wile@acme.example")
    t["mine_low"] = desk.ticket(priority="low", assignee_id=agent.id, requester_email="wile@acme.example")
    t["solved_urgent"] = desk.patch_ticket(desk.ticket(priority="urgent", team_id=team["id"]), status="solved")
    t["solved_mine"] = desk.patch_ticket(desk.ticket(priority="high", assignee_id=agent.id), status="solved")
    return t


def view(api: Api, **query: Any) -> list[str]:
    reply = api.get("/v1/tickets", query=query)
    assert reply.status == 200, reply.json
    assert reply.json["next_cursor"] is None
    return ids(reply.json["items"])


def names(inbox: dict[str, Any], found: list[str]) -> list[str]:
    by_id = {v["id"]: k for k, v in inbox.items() if isinstance(v, dict) and "number" in v}
    return [by_id.get(i, i) for i in found]


def test_the_unassigned_view_lists_active_unassigned_tickets_urgent_first_then_oldest(
    admin_api: Api, inbox: dict[str, Any]
) -> None:
    expected = ["urgent", "normal_old", "normal_new", "low"]
    assert names(inbox, view(admin_api, view="unassigned")) == expected
    assert names(inbox, view(admin_api)) == expected  # the default view
    assert names(inbox, view(admin_api, view="unassigned", include_solved=True)) == expected


def test_mine_and_the_assignee_view_list_the_agents_tickets(
    admin_api: Api, agent_api: Api, inbox: dict[str, Any], agent: Any
) -> None:
    assert names(inbox, view(agent_api, view="mine")) == ["mine_high", "mine_low"]
    assert names(inbox, view(admin_api, view="mine")) == []
    assert names(inbox, view(admin_api, view="assignee", assignee_id=agent.id)) == ["mine_high", "mine_low"]
    assert names(inbox, view(agent_api, view="mine", include_solved=True)) == ["mine_high", "mine_low", "solved_mine"]


def test_the_team_view_puts_active_tickets_first_then_priority_then_age(admin_api: Api, inbox: dict[str, Any]) -> None:
    team_id = inbox["team"]["id"]
    assert names(inbox, view(admin_api, view="team", team_id=team_id)) == [
        "urgent",
        "mine_high",
        "normal_old",
        "normal_new",
        "low",
    ]
    assert names(inbox, view(admin_api, view="team", team_id=team_id, include_solved=True)) == [
        "urgent",
        "mine_high",
        "normal_old",
        "normal_new",
        "low",
        "solved_urgent",
    ]


def test_the_status_and_priority_views(admin_api: Api, inbox: dict[str, Any]) -> None:
    assert names(inbox, view(admin_api, view="status", status="solved")) == ["solved_urgent", "solved_mine"]
    assert names(inbox, view(admin_api, view="status", status="open")) == ["mine_high", "mine_low"]
    assert names(inbox, view(admin_api, view="priority", priority="urgent")) == ["urgent"]
    assert names(inbox, view(admin_api, view="priority", priority="urgent", include_solved=True)) == [
        "urgent",
        "solved_urgent",
    ]


def test_the_requester_view_by_id_and_by_email(admin_api: Api, inbox: dict[str, Any]) -> None:
    wile = inbox["low"]["requester_id"]
    expected = ["normal_new", "low", "mine_low"]
    assert names(inbox, view(admin_api, view="requester", requester_id=wile)) == expected
    assert names(inbox, view(admin_api, view="requester", requester_email="Wile@ACME.example")) == expected
    assert view(admin_api, view="requester", requester_email="nobody@acme.example") == []


def test_the_organization_view_lists_tickets_of_customers_matched_by_domain(
    admin_api: Api, inbox: dict[str, Any]
) -> None:
    org_id = inbox["org"]["id"]
    assert names(inbox, view(admin_api, view="organization", organization_id=org_id)) == [
        "normal_old",
        "normal_new",
        "low",
        "mine_low",
    ]


def test_paging_with_limit_2_walks_every_ticket_once_in_view_order(admin_api: Api, desk: Desk) -> None:
    priorities = ["low", "urgent", "normal", "high", "normal", "urgent", "low"]
    for p in priorities:
        desk.ticket(priority=p)
    whole = view(admin_api, view="unassigned", limit=100)
    walked, pages = desk.walk("/v1/tickets", view="unassigned", limit=2)
    assert ids(walked) == whole and len(set(whole)) == 7
    assert pages == 4
    assert [t["priority"] for t in walked] == sorted(priorities, key=["urgent", "high", "normal", "low"].index)


def first_page_cursor(api: Api, **query: Any) -> str:
    reply = api.get("/v1/tickets", query={**query, "limit": 1})
    cursor: str = reply.json["next_cursor"]
    assert cursor
    return cursor


def tampered(cursor: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-3] ^= 0x01  # inside the position, after the MAC
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def test_a_tampered_cursor_names_no_page_and_a_malformed_one_is_400(admin_api: Api, desk: Desk) -> None:
    # Shaped like a cursor but not issued by this listing: it names no page (404, as an unknown id does).
    desk.ticket()
    desk.ticket()
    cursor = first_page_cursor(admin_api, view="unassigned")
    for forged in (tampered(cursor), cursor[:-4], "not-a-cursor"):
        reply = admin_api.get("/v1/tickets", query={"view": "unassigned", "limit": 1, "cursor": forged})
        assert (reply.status, reply.error_code) == (404, "not_found"), forged
    malformed = admin_api.get("/v1/tickets", query={"view": "unassigned", "cursor": "%%%"})
    assert (malformed.status, malformed.error_fields) == (400, ["query.cursor"])


def test_a_cursor_from_another_view_names_no_page(admin_api: Api, desk: Desk, agent: Any) -> None:
    team = desk.team()
    for _ in range(2):
        desk.ticket(team_id=team["id"], assignee_id=agent.id)
    cursor = first_page_cursor(admin_api, view="team", team_id=team["id"])
    assert admin_api.get("/v1/tickets", query={"view": "team", "team_id": team["id"], "cursor": cursor}).status == 200
    for other in (
        {"view": "assignee", "assignee_id": agent.id},
        {"view": "team", "team_id": team["id"], "include_solved": True},
        {"view": "status", "status": "open"},
    ):
        reply = admin_api.get("/v1/tickets", query={**other, "cursor": cursor})
        assert (reply.status, reply.error_code) == (404, "not_found"), other
    desk.customer(emails=["second@customer.example"])
    customers_cursor = admin_api.get("/v1/customers", query={"limit": 1}).json["next_cursor"]
    reply = admin_api.get("/v1/tickets", query={"view": "team", "team_id": team["id"], "cursor": customers_cursor})
    assert (reply.status, reply.error_code) == (404, "not_found")


def test_a_cursor_from_another_agents_mine_view_is_refused_not_a_silently_shorter_page(
    admin_api: Api, agent_api: Api, desk: Desk, admin: Any, agent: Any
) -> None:
    bens_oldest = desk.ticket(assignee_id=agent.id)
    desk.ticket(assignee_id=admin.id)
    desk.ticket(assignee_id=admin.id)
    bens_newest = desk.ticket(assignee_id=agent.id)
    adas_cursor = first_page_cursor(admin_api, view="mine")
    assert view(agent_api, view="mine") == [bens_oldest["id"], bens_newest["id"]]

    reply = agent_api.get("/v1/tickets", query={"view": "mine", "cursor": adas_cursor})
    # Ada's position would make Ben's first page start after Ada's first ticket, hiding his oldest one.
    assert (reply.status, reply.error_code) == (404, "not_found"), ids(reply.json.get("items", []))


@pytest.mark.parametrize(
    ("name", "parameter"),
    [
        ("assignee", "assignee_id"),
        ("team", "team_id"),
        ("status", "status"),
        ("priority", "priority"),
        ("requester", "requester_id"),
        ("organization", "organization_id"),
    ],
)
def test_a_view_without_its_parameter_is_400_naming_it(admin_api: Api, name: str, parameter: str) -> None:
    reply = admin_api.get("/v1/tickets", query={"view": name})
    assert (reply.status, reply.error_fields) == (400, [f"query.{parameter}"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"view": "everything"}, "query.view"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
        ({"status": "done", "view": "status"}, "query.status"),
        ({"colour": "red"}, "query.colour"),
    ],
)
def test_an_invalid_list_query_is_400_naming_the_parameter(admin_api: Api, query: dict[str, Any], field: str) -> None:
    reply = admin_api.get("/v1/tickets", query=query)
    assert (reply.status, reply.error_fields) == (400, [field])


@pytest.mark.parametrize("field", ["tags", "ccs"])
def test_an_explicit_null_for_a_list_field_clears_it_or_is_refused_never_a_server_error(
    admin_api: Api, desk: Desk, field: str
) -> None:
    ticket = desk.ticket(tags=["billing"], ccs=["cc@customer.example"])
    reply = admin_api.patch(f"/v1/tickets/{ticket['id']}", json={"version": 1, field: None})
    # A 500 fails here already: the contract declares no 500. Either clearing or a 400 is a fine answer.
    assert reply.status in (200, 400), reply.body
    after = desk.get_ticket(ticket["id"])["ticket"]
    if reply.status == 200:
        assert after[field] == []
    else:
        assert reply.error_fields == [f"body.{field}"]
        assert after[field] == ticket[field]
