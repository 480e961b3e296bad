"""The slices' item classes are defined at their first use (``chalicelib/storage/dynamodb/kinds.py``), and the
single-table discriminator works as it did with every class defined up front: a read through ``Item`` filters
on every kind and returns each item as its class, whether or not the slices' module has run.

The probes run in fresh interpreters (a test process has every class defined already), on moto's in-process
mock of DynamoDB.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from chalicelib.storage.dynamodb import kinds, models, slice_models
from tests.conftest import ROOT


def test_later_lists_the_kinds_the_slices_module_defines_in_its_order() -> None:
    defined = [
        cls
        for cls in vars(slice_models).values()
        if isinstance(cls, type) and issubclass(cls, models.Item) and cls.__module__ == slice_models.__name__
    ]
    assert list(kinds.LATER) == [models.Item.kind.get_discriminator(cls) for cls in defined]


def test_a_slice_class_derives_from_item_or_another_slice_class_only() -> None:
    """A read through a ``models`` class other than ``Item`` must not be able to meet a slice's kind."""
    for cls in models.all_item_classes():
        if cls.__module__ == slice_models.__name__:
            assert all(base is models.Item or base.__module__ == slice_models.__name__ for base in cls.__bases__)


PROBE = """
import json, sys
import boto3
from moto import mock_aws
from devtools.provision import create_table
from chalicelib.storage.dynamodb import models

SLICES = "chalicelib.storage.dynamodb.slice_models"
sent = []

def record(params, **_):
    sent.append(sorted(v["S"] for k, v in params.get("ExpressionAttributeValues", {}).items()))

with mock_aws():
    client = boto3.client("dynamodb", region_name="us-east-1")
    create_table(client, "kinds")
    models.bind("kinds", "us-east-1", None)
    client.put_item(TableName="kinds", Item={"pk": {"S": "P"}, "sk": {"S": "A"}, "kind": {"S": "lookup"}})
    models.Item._get_connection().connection.client.meta.events.register("provide-client-params.dynamodb.Query", record)
    first = [type(i).__name__ for i in models.Item.query("P")]
    defined_after_first = SLICES in sys.modules
    client.put_item(TableName="kinds", Item={"pk": {"S": "P"}, "sk": {"S": "B"}, "kind": {"S": "session"}})
    second = [type(i).__name__ for i in models.Item.query("P")]
    defined_after_second = SLICES in sys.modules
    third = [type(i).__name__ for i in models.Item.query("P")]
    from chalicelib.storage.dynamodb.slice_models import SessionItem
    own_connection = SessionItem._get_connection() is not models.Item._get_connection()
    every = sorted(filter(None, (models.Item.kind.get_discriminator(c) for c in models.all_item_classes())))
print(json.dumps([first, defined_after_first, second, defined_after_second, third, sent, every, own_connection]))
"""


def _probe(source: str) -> Any:
    out = subprocess.run([sys.executable, "-c", source], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_read_through_item_filters_on_every_kind_and_defines_the_slices_when_it_meets_one() -> None:
    first, defined_first, second, defined_second, third, sent, every, own_connection = _probe(PROBE)
    assert (first, defined_first) == (["LookupItem"], False)
    assert (second, defined_second) == (["LookupItem", "SessionItem"], True)
    assert third == second
    # The same filter before and after the slices' classes exist: every kind, each once.
    assert len(sent) == 3 and sent[0] == sent[1] == sent[2] == sorted([*every, "P"])
    assert own_connection  # as bind() gives every class
