"""MinHash signatures over 32-bit hashes, in numpy.

The scheme is datasketch's ``affine32`` (its default since 2.0), value for value, so that the
fingerprints stored by earlier copydesk versions, which were made with datasketch, still
compare: each input hash is pre-mixed with the MurmurHash3 32-bit finalizer, then permuted
by ``a * h + b mod 2**32`` with odd ``a`` (a bijection), and each permutation keeps its
minimum. The permutations are drawn as datasketch draws them from ``seed``.

Why not datasketch itself: importing it imports scipy (a second or more of start-up for
``copydesk filter``), and its objects cost more per article than the arithmetic. datasketch
stays a development dependency, as the peer in the benchmarks and the reference in the tests.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_EMPTY = np.uint32(0xFFFFFFFF)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 finalizer: a fixed avalanching bijection on 32-bit values."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> np.uint32(16))
    return mixed


@lru_cache(maxsize=8)
def permutations(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``a`` (odd) and ``b`` of ``count`` affine permutations, drawn from ``seed``."""
    draw = np.random.RandomState(seed)
    a = draw.randint(0, 1 << 31, count, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, count, dtype=np.uint32)
    return a, b


def signature(hashes: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` MinHash values (uint32) of a set given by its 32-bit hashes; an empty set
    gives the maximum value everywhere."""
    if len(hashes) == 0:
        return np.full(count, _EMPTY, dtype=np.uint32)
    a, b = permutations(count, seed)
    mixed = _fmix32(np.asarray(hashes, dtype=np.uint32))
    with np.errstate(over="ignore"):  # wrapping around is the modulo 2**32
        # One row per permutation: numpy reduces along contiguous rows fastest. Added in
        # place: a second array of permutations x hashes cost as much as the arithmetic.
        permuted = a[:, np.newaxis] * mixed
        np.add(permuted, b[:, np.newaxis], out=permuted)
    minimum: np.ndarray = permuted.min(axis=1)
    return minimum
