"""A counter that worked a day (built once per module: real cards, services, journal, store)."""

from __future__ import annotations

import pytest

from tests.reports.worked_day import WorkedDay, work_a_day


@pytest.fixture(scope="module")
def day(tmp_path_factory) -> WorkedDay:
    worked = work_a_day(tmp_path_factory.mktemp("counter"))
    yield worked
    worked.counter.close()
