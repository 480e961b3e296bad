"""Report exports: basis=calendar|business on the summary, the series and their CSV and XLSX files (the
workbook opened with openpyxl, its cells checked). Every response is checked against the OpenAPI document."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.api.contract import Api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BINARY = {"Accept": XLSX}


@pytest.mark.parametrize("basis", ["calendar", "business"])
def test_the_summary_says_its_basis_and_its_durations_are_of_that_basis(
    admin_api: Api, reported: Any, report_day: str, basis: str
) -> None:
    reply = admin_api.get("/v1/reports/summary", query={"from": report_day, "to": report_day, "basis": basis})
    assert reply.status == 200 and reply.json["basis"] == basis
    (group,) = reply.json["groups"]
    resolution = group["resolution_time"]
    assert resolution["count"] == 1
    if basis == "business":
        assert resolution["total_s"] == resolution["business_total_s"]
        assert resolution["median_s"] == resolution["business_median_s"]


def test_a_basis_that_is_neither_is_a_400_naming_it(admin_api: Api, report_day: str) -> None:
    reply = admin_api.get("/v1/reports/summary", query={"from": report_day, "to": report_day, "basis": "lunar"})
    assert reply.status == 400 and reply.error_fields == ["query.basis"]


def test_the_csv_carries_the_basis_in_its_name(admin_api: Api, reported: Any, report_day: str) -> None:
    query = {"from": report_day, "to": report_day, "basis": "business", "format": "csv", "group_by": "channel"}
    reply = admin_api.get("/v1/reports/summary", query=query)
    assert reply.status == 200 and reply.header("content-type").startswith("text/csv")
    assert f'filename="report-{report_day}-{report_day}-business.csv"' in reply.header("content-disposition")
    (row,) = csv.DictReader(io.StringIO(reply.body.decode()))
    assert (row["channel"], row["tickets_created"], row["resolution_time_count"]) == ("api", "2", "1")


def test_the_summary_as_xlsx_is_a_workbook_with_a_row_per_group_in_numbers(
    admin_api: Api, reported: Any, report_day: str
) -> None:
    query = {"from": report_day, "to": report_day, "group_by": "channel", "format": "xlsx", "basis": "business"}
    reply = admin_api.get("/v1/reports/summary", query=query, headers=BINARY)
    assert reply.status == 200 and reply.header("content-type") == XLSX, reply.body[:200]
    assert reply.body[:2] == b"PK"  # a zip: the client got bytes, not base64 text
    book = load_workbook(io.BytesIO(reply.body), read_only=True)
    assert book.sheetnames == ["Report", "About"]
    header, *rows = [list(r) for r in book["Report"].iter_rows(values_only=True)]
    assert header[:3] == ["channel", "tickets_created", "tickets_solved"]
    assert len(rows) == 1
    cells = dict(zip(header, [*rows[0], *[None] * len(header)], strict=False))  # trailing empty cells are not read
    assert (cells["channel"], cells["tickets_created"], cells["tickets_solved"]) == ("api", 2, 1)
    assert cells["resolution_time_count"] == 1 and isinstance(cells["resolution_time_median_s"], int)
    assert cells["fcr_rate"] == 1 and cells["first_reply_time_median_s"] is None  # no first reply: empty cell
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert (about["from"], about["to"], about["tz"], about["basis"]) == (report_day, report_day, "UTC", "business")


def test_the_series_as_xlsx_has_every_day(admin_api: Api, reported: Any, report_day: str) -> None:
    query = {"from": report_day, "to": report_day, "format": "xlsx"}
    reply = admin_api.get("/v1/reports/series", query=query, headers=BINARY)
    assert reply.status == 200
    sheet = load_workbook(io.BytesIO(reply.body), read_only=True)["Report"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "date" and [r[0] for r in rows[1:]] == [report_day] and rows[1][1] == 2


def test_the_openapi_document_declares_the_workbook_as_binary(admin_api: Api) -> None:
    document = admin_api.get("/openapi.json").json
    content = document["paths"]["/v1/reports/summary"]["get"]["responses"]["200"]["content"]
    assert content[XLSX]["schema"] == {"type": "string", "format": "binary"}
    assert content["text/csv"]["schema"] == {"type": "string"}


def test_the_app_declares_the_workbook_a_binary_media_type() -> None:
    import app

    assert XLSX in app.app.api.binary_types
