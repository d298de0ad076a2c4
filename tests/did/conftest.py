"""Fixtures for the staggered-adoption tests: the mpdta reference data and a simulator.

Everything is read from ``tests/reference`` (copies with provenance), never from
the shared data folder.
"""

from __future__ import annotations

import pandas as pd
import pytest
from did_testdata import REFERENCE, simulate_staggered


@pytest.fixture(scope="session")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "mpdta.csv")


@pytest.fixture(scope="session")
def r_attgt() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "r_did_mpdta_attgt.csv")


@pytest.fixture(scope="session")
def r_aggte() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "r_did_mpdta_aggte.csv")


@pytest.fixture(scope="session")
def r_pretest() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "r_did_mpdta_pretest.csv")


@pytest.fixture(scope="session")
def simulate():
    return simulate_staggered
