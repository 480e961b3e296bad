"""Counts the DynamoDB requests the app makes, with botocore event hooks on the clients pynamodb uses.

Every pynamodb model class keeps its own connection; the classes of a thread share one botocore client
(``chalicelib/storage/dynamodb/sessions.py``), and the meter is attached to each client once
(``item_clients``). For every call it records the operation, the phase it belonged to (``op`` or ``auth``), the
capacity moto reported and the capacity computed from item sizes (``bench.capacity``). Writes need
the items before and after: the meter reads them with a separate client whose requests carry the
``X-Bench-Aux`` header, so that the server-side count (``bench.motoserver``) leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench import capacity
from chalicelib.core.resources import TABLE

AUX_HEADER = "X-Bench-Aux"
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}

Key = tuple[str, str, str]  # table, partition key value, sort key value


@dataclass
class Call:
    operation: str
    phase: str
    params: dict[str, Any]
    before: dict[Key, dict[str, Any] | None] = field(default_factory=dict)
    status: int | None = None
    units: capacity.Units = field(default_factory=capacity.Units)
    moto_units: float | None = None  # None: moto sent no ConsumedCapacity
    error: str | None = None


def aux_marker(request: Any, **_: Any) -> None:
    """Mark the meter's own reads so that the server-side count can leave them out."""
    request.headers[AUX_HEADER] = "1"


def item_clients() -> list[Any]:
    """The botocore clients of every pynamodb item class, each once (the classes of a thread share one)."""
    from chalicelib.storage.dynamodb.models import all_item_classes

    found: list[Any] = []
    for cls in all_item_classes():
        client = cls._get_connection().connection.client
        if not any(c is client for c in found):
            found.append(client)
    return found


class Meter:
    def __init__(self, aux_client: Any) -> None:
        self.aux = aux_client
        self.indexes = [capacity.IndexKey(i.name, i.partition_key, i.sort_key) for i in TABLE.indexes]
        self.calls: list[Call] = []
        self.http_sends = 0
        self.recording = False
        self._phase = "op"
        self._attached: list[Any] = []

    # -- wiring --------------------------------------------------------------------------------

    def attach(self, client: Any) -> None:
        if any(c is client for c in self._attached):
            return
        events = client.meta.events
        events.register("provide-client-params.dynamodb.*", self._provide_params)
        events.register("before-send.dynamodb.*", self._before_send)
        events.register("after-call.dynamodb.*", self._after_call)
        events.register("after-call-error.dynamodb.*", self._after_call_error)
        self._attached.append(client)

    @property
    def clients(self) -> int:
        return len(self._attached)

    def covers(self, clients: list[Any]) -> bool:
        """Whether every one of ``clients`` is attached."""
        return all(any(c is a for a in self._attached) for c in clients)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        previous, self._phase = self._phase, name
        try:
            yield
        finally:
            self._phase = previous

    def start(self) -> None:
        self.calls, self.http_sends, self.recording = [], 0, True

    def stop(self) -> list[Call]:
        self.recording = False
        return self.calls

    # -- hooks ---------------------------------------------------------------------------------

    def _provide_params(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if not self.recording:
            return
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params["ReturnConsumedCapacity"] = "TOTAL"
        call = Call(model.name, self._phase, params)
        if model.name in WRITES:
            call.before = self._images(self._written_keys(model.name, params))
        context["bench_call"] = call

    def _before_send(self, **_: Any) -> None:
        if self.recording:
            self.http_sends += 1

    def _after_call(
        self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        call = context.pop("bench_call", None)
        if call is None:
            return
        call.status = http_response.status_code
        call.moto_units = _reported(parsed.get("ConsumedCapacity"))
        call.units = self._units(call, parsed)
        self.calls.append(call)

    def _after_call_error(self, context: dict[str, Any], exception: Exception, **_: Any) -> None:
        call = context.pop("bench_call", None)
        if call is not None:
            call.error = repr(exception)
            self.calls.append(call)

    # -- capacity --------------------------------------------------------------------------------

    def _units(self, call: Call, parsed: dict[str, Any]) -> capacity.Units:
        op, params = call.operation, call.params
        if op == "GetItem":
            size = capacity.item_size(parsed.get("Item"))
            return capacity.Units(read=capacity.read_units(size, consistent=bool(params.get("ConsistentRead"))))
        if op in ("Query", "Scan"):
            return capacity.query_read(params, parsed)
        if op == "BatchGetItem":
            return self._batch_get(params, parsed)
        if op == "TransactGetItems":
            sizes = [capacity.item_size(r.get("Item")) for r in parsed.get("Responses", [])]
            return capacity.Units(read=sum(capacity.read_units(s, transactional=True) for s in sizes))
        if op in WRITES:
            return self._writes(call, failed=(call.status or 500) >= 400)
        return capacity.Units(approximate=True)

    def _batch_get(self, params: dict[str, Any], parsed: dict[str, Any]) -> capacity.Units:
        total = 0.0
        for table, request in params.get("RequestItems", {}).items():
            found = parsed.get("Responses", {}).get(table, [])
            consistent = bool(request.get("ConsistentRead"))
            total += sum(capacity.read_units(capacity.item_size(i), consistent=consistent) for i in found)
            missing = len(request.get("Keys", [])) - len(found)
            total += missing * capacity.read_units(0, consistent=consistent)
        return capacity.Units(read=total)

    def _writes(self, call: Call, *, failed: bool) -> capacity.Units:
        transactional = call.operation == "TransactWriteItems"
        after = call.before if failed else self._images(list(call.before))
        units = capacity.Units(approximate=failed)
        checks = self._condition_checks(call)
        for key, before in call.before.items():
            if key in checks:
                units += capacity.Units(
                    write_table=capacity.write_units(capacity.item_size(before), transactional=True)
                )
                continue
            units += capacity.item_write(before, after.get(key), self.indexes, transactional=transactional)
        return units

    @staticmethod
    def _condition_checks(call: Call) -> set[Key]:
        if call.operation != "TransactWriteItems":
            return set()
        return {
            _key(entry["ConditionCheck"]["TableName"], entry["ConditionCheck"]["Key"])
            for entry in call.params.get("TransactItems", [])
            if "ConditionCheck" in entry
        }

    # -- items before and after ------------------------------------------------------------------

    @staticmethod
    def _written_keys(operation: str, params: dict[str, Any]) -> list[tuple[Key, dict[str, Any]]]:
        found: list[tuple[Key, dict[str, Any]]] = []

        def add(table: str, item_or_key: dict[str, Any]) -> None:
            key = {TABLE.partition_key: item_or_key[TABLE.partition_key], TABLE.sort_key: item_or_key[TABLE.sort_key]}
            found.append((_key(table, key), key))

        if operation == "PutItem":
            add(params["TableName"], params["Item"])
        elif operation in ("UpdateItem", "DeleteItem"):
            add(params["TableName"], params["Key"])
        elif operation == "BatchWriteItem":
            for table, requests in params.get("RequestItems", {}).items():
                for request in requests:
                    if "PutRequest" in request:
                        add(table, request["PutRequest"]["Item"])
                    else:
                        add(table, request["DeleteRequest"]["Key"])
        elif operation == "TransactWriteItems":
            for entry in params.get("TransactItems", []):
                ((action, body),) = entry.items()
                add(body["TableName"], body["Item"] if action == "Put" else body["Key"])
        return found

    def _images(self, keys: list[Any]) -> dict[Key, dict[str, Any] | None]:
        """The current items for ``keys`` (pairs of (Key, key dict), or Keys), read strongly consistent."""
        wanted: dict[Key, dict[str, Any]] = {}
        for entry in keys:
            key, key_dict = entry if isinstance(entry[1], dict) else (entry, _key_dict(entry))
            wanted[key] = key_dict
        images: dict[Key, dict[str, Any] | None] = dict.fromkeys(wanted)
        by_table: dict[str, list[dict[str, Any]]] = {}
        for key, key_dict in wanted.items():
            by_table.setdefault(key[0], []).append(key_dict)
        for table, key_dicts in by_table.items():
            for start in range(0, len(key_dicts), 100):
                request = {table: {"Keys": key_dicts[start : start + 100], "ConsistentRead": True}}
                while request:
                    page = self.aux.batch_get_item(RequestItems=request)
                    for item in page.get("Responses", {}).get(table, []):
                        images[_key(table, item)] = item
                    request = page.get("UnprocessedKeys") or {}
        return images


def _key(table: str, item: dict[str, Any]) -> Key:
    return (table, item[TABLE.partition_key]["S"], item[TABLE.sort_key]["S"])


def _key_dict(key: Key) -> dict[str, Any]:
    return {TABLE.partition_key: {"S": key[1]}, TABLE.sort_key: {"S": key[2]}}


def _reported(consumed: Any) -> float | None:
    if isinstance(consumed, dict):
        return float(consumed.get("CapacityUnits", 0.0))
    if isinstance(consumed, list) and consumed:
        return float(sum(c.get("CapacityUnits", 0.0) for c in consumed))
    return None
