"""Through the real broker: a rewrite crawled before its original gets its finding when the
original arrives, on articles.findings, keyed by the rewrite and marked late."""

from __future__ import annotations

import json

import pytest
from kafka import KafkaProducer

from copydesk.rules.identity import article_key
from copydesk.streams.processing import LATE_HEADER
from tests.integration.conftest import Deployment
from tests.test_duplicates import CASES

pytestmark = pytest.mark.integration


def test_a_rewrite_seen_first_is_flagged_when_its_original_arrives(
    deployment: Deployment, worker: int
) -> None:
    original, rewrite = CASES["paraphrase_uncredited"]
    producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap)
    producer.send(deployment.topic("raw"), json.dumps(rewrite).encode(), key=b"rewrite")
    producer.flush()
    # The rewrite through the flag stage first, so that the order is the one under test.
    deployment.consume("clean", lambda r: len(r) >= 1)
    producer.send(deployment.topic("raw"), json.dumps(original).encode(), key=b"original")
    producer.flush()

    clean = deployment.consume("clean", lambda r: len(r) >= 2)
    assert [json.loads(m.value)["id"] for m in clean] == [rewrite["id"], original["id"]]  # type: ignore[attr-defined]
    findings = deployment.consume("findings", lambda r: len(r) >= 1)
    late = [m for m in findings if (LATE_HEADER, b"1") in m.headers]  # type: ignore[attr-defined]
    assert len(late) == len(findings) == 1  # the original itself is not flagged
    [record] = late
    body = json.loads(record.value)  # type: ignore[attr-defined]
    assert record.key == article_key(rewrite["id"], rewrite["url"]).encode()  # type: ignore[attr-defined]
    assert body["late"] is True and body["id"] == rewrite["id"]
    assert body["finding"]["kind"] == "paraphrase"
    assert body["finding"]["evidence"]["original_id"] == original["id"]
    assert body["raised_by"] == json.loads(clean[1].value)["key"]  # type: ignore[attr-defined]
