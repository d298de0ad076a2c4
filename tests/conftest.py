"""Suite-wide collection order for `make test`'s two workers (pytest-xdist, ``--dist loadfile``).

With ``--dist loadfile`` a worker takes whole test files in collection order. A file that takes minutes
(a full `gcio-eval run` of every notebook, a coverage simulation) started last keeps one worker busy
while the other has nothing left; started first, the short files fill in beside it. So under xdist the
files of ``START_FIRST`` are moved to the front, longest first; the order inside each file, and of every
other file, is unchanged (a serial run keeps pytest's own order).

``START_FIRST`` lists the longest files of one serial run (the times beside them are the sums of their
tests among the 80 slowest of ``pytest tests notebooks --nbval-lax --durations=80`` on the project's shared
2-core machine, December 2026); ``tests/test_make_test.py`` checks that they exist.
"""

from __future__ import annotations

START_FIRST = (
    "tests/test_run_end_to_end.py",  # about 320 s: the whole suite in Spanish, English, an earlier year
    "tests/test_panel_config.py",  # about 180 s: castle and mpdta through every report that applies
    "tests/reliability/test_faults.py",  # about 150 s: interrupted and killed runs
    "tests/reliability/test_injection.py",  # about 140 s: the whole suite on hostile data
    "tests/did/test_did_simulation.py",  # about 110 s: bias and coverage simulations
)


def pytest_collection_modifyitems(session, config, items):
    if getattr(config.option, "dist", "no") == "no" and not hasattr(config, "workerinput"):
        return  # not distributed: keep pytest's order
    rank = {path: position for position, path in enumerate(START_FIRST)}
    root = config.rootpath

    def position(item) -> int:
        try:
            relative = item.path.relative_to(root).as_posix()
        except ValueError:
            return len(START_FIRST)
        return rank.get(relative, len(START_FIRST))

    items.sort(key=position)  # stable: the order inside a file and among the other files is kept
