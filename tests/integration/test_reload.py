"""A running worker picks up a changed pack, refuses a broken one and keeps its rules."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from kafka import KafkaProducer

from tests.integration.conftest import Deployment, running_worker

pytestmark = pytest.mark.integration

CHROME = "Brought to you by the Tuesday Gazette, the town's paper since 1921."
PACK = f"""\
pack: site
rules:
  - id: gazette-sponsor-line
    kind: line-pattern
    message: Sponsor line removed
    description: The Gazette's sponsor line.
    match: exact
    patterns: ["{CHROME}"]
    examples:
      trigger: ["{CHROME}\\nBody."]
      ignore: ["Body."]
"""


def test_a_changed_pack_takes_over_and_a_broken_one_is_refused(
    deployment: Deployment, tmp_path: Path
) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    deployment.env["COPYDESK_RULES"] = str(packs)
    deployment.env["COPYDESK_RULES_RELOAD_SECONDS"] = "0.5"
    producer = KafkaProducer(bootstrap_servers=deployment.broker.bootstrap)
    body = f"The council met on Tuesday and voted 5-2 to approve the new bridge.\n{CHROME}"

    def send(n: int) -> dict[str, object]:
        article = {"id": f"a{n}", "text": body, "url": f"https://gazette.example/{n}"}
        producer.send(deployment.topic("raw"), json.dumps(article).encode(), key=b"k")
        producer.flush()
        # By id: outputs are keyed by article, so they spread over the clean topic's
        # partitions and a read from the start need not return them in the order sent.
        records = deployment.consume("clean", lambda r: len(r) >= n + 1)
        by_id = {json.loads(r.value)["id"]: json.loads(r.value) for r in records}  # type: ignore[attr-defined]
        out: dict[str, object] = by_id[f"a{n}"]
        return out

    with running_worker(deployment) as port:
        before = send(0)
        assert CHROME in str(before["text"])
        (packs / "site.yaml").write_text(PACK)
        time.sleep(2)
        after = send(1)
        assert CHROME not in str(after["text"])
        assert after["rules_version"] != before["rules_version"]
        (packs / "site.yaml").write_text(PACK.replace("kind: line-pattern", "kind: nope"))
        time.sleep(2)
        kept = send(2)
        assert CHROME not in str(kept["text"])
        assert kept["rules_version"] == after["rules_version"]
        metrics = deployment.metrics(port)
    assert 'copydesk_rules_reloads_total{result="loaded"} 1.0' in metrics
    assert 'copydesk_rules_reloads_total{result="refused"} 1.0' in metrics
