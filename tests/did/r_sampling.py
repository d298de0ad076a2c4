"""R's ``set.seed(seed); sample(n, size)`` (R >= 3.6, default ``sample.kind = "Rejection"``), for tests.

DRDID's manual examples draw a 5,000-unit subsample of the LaLonde-CPS data
with ``set.seed(123); sample(unique(ids), 5000)`` before printing their
results, so reproducing those printed numbers needs the same units. This
re-implements, from R's documented algorithms, the three steps involved:

- ``set.seed``: the integer seed is scrambled by 50 steps of the linear
  congruential generator ``seed = 69069 * seed + 1`` (mod 2^32), and the next 625
  values fill the Mersenne-Twister state (the first is the position, set to 624);
- ``unif_rand``: a 32-bit Mersenne-Twister output times 2.3283064365386963e-10;
- ``R_unif_index(n)``: rejection sampling on ``ceil(log2(n))`` random bits,
  built 16 bits at a time from ``floor(65536 * unif_rand())``;
- ``sample`` without replacement: draw an index into the remaining pool, take it,
  and move the last element of the pool into its place.

numpy's MT19937 is the same generator, so only the seeding and the two
transformations are written here. The proof that it matches R is in the tests
that use it: the estimators reproduce DRDID's printed numbers on the subsample
to every printed digit, which a different subsample would not.
"""

from __future__ import annotations

import math

import numpy as np

_MASK = 0xFFFFFFFF


def _r_mersenne_twister(seed: int) -> np.random.MT19937:
    s = seed & _MASK
    for _ in range(50):
        s = (69069 * s + 1) & _MASK
    key = []
    for _ in range(625):
        s = (69069 * s + 1) & _MASK
        key.append(s)
    generator = np.random.MT19937()
    generator.state = {"bit_generator": "MT19937", "state": {"key": np.array(key[1:], dtype=np.uint32), "pos": 624}}
    return generator


def _unif(generator: np.random.MT19937) -> float:
    return int(generator.random_raw()) * 2.3283064365386963e-10


def _unif_index(generator: np.random.MT19937, n: int) -> int:
    bits = math.ceil(math.log2(n))
    while True:
        value = 0
        for _ in range(0, bits + 1, 16):
            value = 65536 * value + int(math.floor(_unif(generator) * 65536))
        value &= (1 << bits) - 1
        if value < n:
            return value


def r_sample(n: int, size: int, seed: int) -> np.ndarray:
    """R's ``set.seed(seed); sample.int(n, size)``: 1-based positions, in draw order."""
    generator = _r_mersenne_twister(seed)
    pool = list(range(n))
    out = np.empty(size, dtype=np.int64)
    remaining = n
    for i in range(size):
        j = _unif_index(generator, remaining)
        out[i] = pool[j] + 1
        remaining -= 1
        pool[j] = pool[remaining]
    return out
