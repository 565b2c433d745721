"""A year of scores so the pages have history: weekly for the past year, nightly for the last week."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from scoring.jobs import nightly_run
from scoring.services import scores_compute

if TYPE_CHECKING:
    from .seed import DemoTenant


def add_score_history(context: DemoTenant) -> None:
    yesterday = context.today - datetime.timedelta(days=1)
    weekly = [yesterday - datetime.timedelta(days=7 * weeks) for weeks in range(52, 1, -1)]
    for day in weekly:
        scores_compute(day=day)
    for back in range(7, 0, -1):  # the last week as the nightly job would have run it
        nightly_run(tenant=context.tenant, day=context.today - datetime.timedelta(days=back), triggered_by="demo")
