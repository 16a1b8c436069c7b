"""copydesk's numpy MinHash gives datasketch's affine32 values, so stored fingerprints hold."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from copydesk.rules.minhash import signature


@pytest.mark.parametrize(("size", "count", "seed"), [(1, 16, 1), (37, 112, 1), (5000, 64, 42)])
def test_signatures_equal_datasketch_affine32(size: int, count: int, seed: int) -> None:
    hashes = np.random.default_rng(size).integers(0, 1 << 32, size, dtype=np.uint64)
    reference = MinHash(num_perm=count, seed=seed, hashfunc=int, scheme="affine32")
    reference.update_batch(hashes.tolist())
    assert (
        signature(hashes.astype(np.uint32), count, seed).tolist() == reference.hashvalues.tolist()
    )


def test_an_empty_set_has_the_empty_signature() -> None:
    assert signature(np.array([], dtype=np.uint32), 8, 1).tolist() == [0xFFFFFFFF] * 8


def test_similar_sets_have_similar_signatures() -> None:
    base = np.arange(1000, dtype=np.uint32)
    near = np.concatenate([base[:950], np.arange(5000, 5050, dtype=np.uint32)])
    far = np.arange(9000, 10000, dtype=np.uint32)

    def agreement(other: np.ndarray) -> float:
        return float(np.mean(signature(base, 256, 1) == signature(other, 256, 1)))

    assert agreement(near) > 0.8  # Jaccard 950 / 1050
    assert agreement(far) < 0.05  # Jaccard 0
