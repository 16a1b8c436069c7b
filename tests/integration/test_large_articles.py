"""Large articles among ordinary ones, through the real broker with the default limits (the
producer's 8 MiB request, the broker's 1,048,588-byte message, zstd): each one ends on
``articles.clean`` (whole, or truncated at the body limit with its finding) or on the DLQ with
its reason, and ``copydesk_dlq_total`` counts exactly the records the DLQ topic holds.

Before copydesk knew its sizes, outputs over the producer's 1,000,000 bytes reached neither
topic: the agent crashed on ``MessageSizeTooLargeError`` after the offsets had moved on."""

from __future__ import annotations

import hashlib
import json
import random
import re

import pytest
from kafka import KafkaProducer

from copydesk.streams.delivery import ORIGINAL_SHA256_HEADER, ORIGINAL_SIZE_HEADER
from tests.integration.conftest import Deployment, collecting, spawn_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

ORDINARY = 100
_rng = random.Random(20)
WORDS = [
    "".join(_rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_rng.randint(2, 10)))
    for _ in range(5000)
]
COMMON_HAN = [chr(0x4E00 + i) for i in range(3000)]  # ordinary Chinese text: a few thousand
RARE_HAN = [chr(0x4E00 + i) for i in range(20000)]  # characters; noise: any of 20,000


def prose(rng: random.Random, target_bytes: int) -> str:
    """Sentences of words, compressible like text (a 5,000-word vocabulary)."""
    parts: list[str] = []
    size = 0
    while size < target_bytes:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))).capitalize()
        parts.append(sentence + ".")
        size += len(sentence) + 2
    return " ".join(parts)


def han(rng: random.Random, alphabet: list[str], target_bytes: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(target_bytes // 3))


def encode(article_id: str, text: str) -> bytes:
    return json.dumps(
        {"id": article_id, "title": article_id, "text": text}, ensure_ascii=False
    ).encode()


def dlq_total(metrics: str) -> int:
    return int(
        sum(float(v) for v in re.findall(r"^copydesk_dlq_total\{[^}]*\} (\S+)$", metrics, re.M))
    )


def test_large_articles_each_end_on_clean_or_on_the_dlq_with_a_reason(
    deployment: Deployment,
) -> None:
    rng = random.Random(7)
    large = {
        "prose-0.95MB": prose(rng, 950_000),  # whole
        "prose-1.5MB": prose(rng, 1_500_000),  # over the 1,000,000-character body limit
        "han-1.05MB": han(rng, COMMON_HAN, 1_050_000),  # multi-byte text, whole
        "noise-2.4MB": han(rng, RARE_HAN, 2_400_000),  # compresses too little: DLQ
    }
    records = {f"o{i}": encode(f"o{i}", f"Ordinary story number {i}.") for i in range(ORDINARY)}
    records.update({name: encode(name, text) for name, text in large.items()})
    worker = spawn_worker(deployment)
    try:
        producer = KafkaProducer(
            bootstrap_servers=deployment.broker.bootstrap, max_request_size=16_000_000
        )
        for i, (name, value) in enumerate(records.items()):
            producer.send(deployment.topic("raw"), value, key=name.encode(), partition=i % 2)
        producer.flush()
        producer.close()

        with collecting(deployment, "clean") as clean, collecting(deployment, "dlq") as dlq:

            def accounted() -> bool:
                parked = {
                    dict(r.headers).get(ORIGINAL_SHA256_HEADER, b"").decode()
                    or hashlib.sha256(r.value).hexdigest()
                    for r in dlq.snapshot()
                }
                on_clean = clean.ids()
                return all(
                    name in on_clean or hashlib.sha256(value).hexdigest() in parked
                    for name, value in records.items()
                )

            wait_for(accounted, 180, "every article on clean or on the DLQ")
            out = {json.loads(r.value)["id"]: json.loads(r.value) for r in clean.snapshot()}
            dead = dlq.snapshot()
            metrics = deployment.metrics(worker.port)
    finally:
        worker.stop()
    assert worker.process.returncode == 0, worker.log()[-3000:]

    assert {f"o{i}" for i in range(ORDINARY)} <= set(out)
    for name in ("prose-0.95MB", "han-1.05MB"):
        assert out[name]["text"] == large[name], f"{name} did not go through whole"
    truncated = out["prose-1.5MB"]
    assert large["prose-1.5MB"].startswith(truncated["text"])
    assert "engine.body-truncated" in {f["rule"] for f in truncated["findings"]}

    [parked] = dead
    headers = dict(parked.headers)
    noise = records["noise-2.4MB"]
    assert headers["copydesk.error.reason"] == b"output-too-large"
    assert b"maximum message size" in headers["copydesk.error.message"]
    # The input itself is too large to park whole: a prefix, its size and sha256.
    assert noise.startswith(parked.value) and len(parked.value) < len(noise)
    assert headers[ORIGINAL_SIZE_HEADER] == str(len(noise)).encode()
    assert headers[ORIGINAL_SHA256_HEADER] == hashlib.sha256(noise).hexdigest().encode()
    assert "noise-2.4MB" not in out

    assert dlq_total(metrics) == len(dead)
    print(f"\n{len(out)} articles on clean, {len(dead)} on the DLQ; dlq_total {dlq_total(metrics)}")
