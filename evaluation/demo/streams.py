"""Named random streams: one independent generator per part of the demo data.

Each part (entities, adoption, outcomes, each survey ...) draws from its own
``numpy.random.Generator``, seeded from the user's seed and the part's *name*
rather than from the order in which parts are made. Adding a table, or drawing
more numbers in one part, therefore leaves every other part unchanged.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """Return the generator for one named part of the dataset.

    The name is turned into a fixed integer with CRC-32 (stable across Python
    runs, unlike ``hash``) and used as the spawn key of a ``SeedSequence``.
    """
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=(key,)))
