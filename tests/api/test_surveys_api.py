"""The survey API: the listing with its filters and signed cursors, the CSV export, and the settings per team
(admins only, versioned, validated). Every response is checked against the OpenAPI document."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from tests.api.survey_world import World


def surveyed(world: World, count: int) -> list[str]:
    """``count`` surveys of as many customers, one minute apart; their ids, oldest first."""
    ids = []
    for n in range(count):
        world.clock.now += timedelta(minutes=1)
        ids.append(world.survey(email=f"c{n}@customer.example").survey.id)
    return ids


def test_agents_list_surveys_newest_first_with_answers(world: World) -> None:
    first, second = world.survey(email="a@customer.example"), world.survey(email="b@customer.example")
    world.svc.surveys.answers.answer(first.token, 2, "Slow", ("slow",))
    reply = world.api(world.agent).get("/v1/surveys")
    assert reply.status == 200
    items = reply.json["items"]
    assert [i["id"] for i in items] == [second.survey.id, first.survey.id] and reply.json["next_cursor"] is None
    answered = items[1]
    assert (answered["rating"], answered["comment"], answered["reasons"]) == (2, "Slow", ["slow"])
    assert (answered["assignee_id"], answered["team_id"], answered["channel"]) == (
        world.agent.id,
        world.team.id,
        "email",
    )
    assert items[0]["rating"] is None and items[0]["answered_at"] is None


def test_the_listing_filters_by_team_agent_rating_answered_and_date(world: World) -> None:
    first, second, third = (world.survey(email=f"{n}@customer.example") for n in "abc")
    world.svc.surveys.answers.answer(first.token, 5, None, ())
    world.svc.surveys.answers.answer(third.token, 1, None, ())
    api = world.api(world.agent)

    def ids(**query: object) -> list[str]:
        reply = api.get("/v1/surveys", query=query)
        assert reply.status == 200, reply.json
        return [i["id"] for i in reply.json["items"]]

    everything = [third.survey.id, second.survey.id, first.survey.id]
    assert ids(team_id=world.team.id) == everything == ids(agent_id=world.agent.id)
    assert ids(team_id=world.admin.id) == []  # a team nobody solved in
    assert ids(rating=1) == [third.survey.id] and ids(answered="false") == [second.survey.id]
    assert ids(since=second.survey.sent_at.isoformat(), until=third.survey.sent_at.isoformat()) == [second.survey.id]


def test_the_listing_pages_with_a_cursor_bound_to_its_filters(world: World) -> None:
    ids = surveyed(world, 5)
    api = world.api(world.agent)
    seen, cursor = [], None
    while True:
        reply = api.get("/v1/surveys", query={"limit": 2, "cursor": cursor, "team_id": world.team.id})
        seen += [i["id"] for i in reply.json["items"]]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            break
        foreign = api.get("/v1/surveys", query={"limit": 2, "cursor": cursor, "rating": 5})
        assert foreign.status == 404  # a cursor of another listing names no page here, as an unknown id
    assert seen == list(reversed(ids))


def test_bad_filters_get_a_400_naming_them(world: World) -> None:
    api = world.api(world.agent)
    for query, field in (
        ({"rating": 6}, "rating"),
        ({"since": "2026-11-23T10:00:00"}, "since"),  # no zone
        ({"until": "1700000000"}, "until"),  # a number is not read as a timestamp
        ({"team_id": "nope"}, "team_id"),
    ):
        reply = api.get("/v1/surveys", query=query)
        assert reply.status == 400 and any(field in f for f in reply.error_fields), (query, reply.json)


def test_a_range_that_ends_before_it_starts_holds_no_survey(world: World) -> None:
    world.survey()
    api = world.api(world.agent)
    backwards = {"since": "2030-01-02T00:00:00Z", "until": "2000-01-01T00:00:00Z"}
    assert api.get("/v1/surveys", query=backwards).json == {"items": [], "next_cursor": None}
    export = api.get("/v1/surveys/export", query=backwards)
    assert export.status == 200 and export.body.decode().count("\n") == 1  # the header line only


def test_the_export_is_the_listing_as_csv_safe_in_a_spreadsheet(world: World) -> None:
    first, second = world.survey(email="a@customer.example"), world.survey(email="b@customer.example")
    world.svc.surveys.answers.answer(first.token, 1, '=HYPERLINK("http://evil")', ("slow", "unclear"))
    reply = world.api(world.agent).get("/v1/surveys/export", query={"team_id": world.team.id})
    assert reply.status == 200
    assert reply.header("Content-Type") == "text/csv; charset=utf-8"
    assert reply.header("Content-Disposition") == 'attachment; filename="surveys.csv"'
    rows = list(csv.DictReader(io.StringIO(reply.body.decode())))
    assert [r["survey_id"] for r in rows] == [second.survey.id, first.survey.id]
    assert rows[1]["rating"] == "1" and rows[1]["reasons"] == "slow;unclear"
    assert rows[1]["comment"] == '\'=HYPERLINK("http://evil")'  # never a formula
    assert rows[0]["rating"] == "" and rows[0]["ticket_number"] == str(second.survey.ticket_number)


def test_an_export_too_large_for_one_response_asks_for_a_shorter_range(world: World, monkeypatch: object) -> None:
    from chalicelib.surveys import reports

    surveyed(world, 3)
    monkeypatch.setattr(reports, "MAX_EXPORT_ROWS", 2)  # type: ignore[attr-defined]
    reply = world.api(world.agent).get("/v1/surveys/export")
    assert reply.status == 413 and reply.error_fields == ["since"]


def test_survey_settings_are_inherited_until_a_team_has_its_own(world: World) -> None:
    api = world.api(world.admin)
    built_in = api.get(f"/v1/survey-settings/{world.team.id}")
    assert built_in.status == 200 and built_in.header("ETag") == '"0"'
    assert (built_in.json["inherited_from"], built_in.json["delay_hours"], built_in.json["throttle_days"]) == (
        "built-in",
        24,
        7,
    )
    made = api.put("/v1/survey-settings/default", json={"version": 0, "delay_hours": 48})
    assert made.status == 200 and made.json["version"] == 1
    inherited = api.get(f"/v1/survey-settings/{world.team.id}").json
    assert (inherited["inherited_from"], inherited["delay_hours"]) == ("default", 48)
    own = api.put(
        f"/v1/survey-settings/{world.team.id}",
        json={"delay_hours": 2, "exclude": {"tags": ["legal"], "channels": ["portal"]}},
        headers={"If-Match": '"0"'},
    )
    assert own.status == 200 and own.json["inherited_from"] is None and own.json["exclude"]["tags"] == ["legal"]
    listed = api.get("/v1/survey-settings").json["items"]
    assert [i["team_id"] for i in listed] == ["default", world.team.id]
    assert api.delete(f"/v1/survey-settings/{world.team.id}", query={"version": 1}).status == 204
    assert api.get(f"/v1/survey-settings/{world.team.id}").json["inherited_from"] == "default"


def test_survey_settings_writes_are_versioned_and_validated(world: World) -> None:
    api = world.api(world.admin)
    path = f"/v1/survey-settings/{world.team.id}"
    assert api.put(path, json={"delay_hours": 24}).status == 428
    assert api.put(path, json={"version": 0}).status == 200
    assert api.put(path, json={"version": 0}).status == 409  # created meanwhile
    assert api.put(path, json={"version": 7}).status == 409
    for body, field in (
        ({"version": 1, "delay_hours": 73}, "delay_hours"),
        ({"version": 1, "throttle_days": -1}, "throttle_days"),
        ({"version": 1, "include": {"channels": ["fax"]}}, "include.channels"),
        ({"version": 1, "include": {"team_ids": ["01M8VMPYW4EX5XH53Q53PFXJB7"]}}, "include.team_ids"),
        ({"version": 1, "surprise": True}, "surprise"),
    ):
        reply = api.put(path, json=body)
        assert reply.status == 400 and any(f.startswith(f"body.{field}") or f == field for f in reply.error_fields), (
            body,
            reply.json,
        )
    assert api.get("/v1/survey-settings/01M8VMPYW4EX5XH53Q53PFXJB7").status == 404


def test_only_admins_change_survey_settings_and_agents_read_surveys(world: World) -> None:
    agent = world.api(world.agent)
    assert agent.get("/v1/survey-settings").status == 403
    assert agent.put(f"/v1/survey-settings/{world.team.id}", json={"version": 0}).status == 403
    assert agent.get("/v1/surveys").status == 200
    anonymous = world.api(None)
    assert anonymous.get("/v1/surveys").status == 401 and anonymous.get("/v1/surveys/export").status == 401
