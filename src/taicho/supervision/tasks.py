"""Background jobs of supervision (Django's Tasks API, the `django-tasks` package; design.md: background work).

Tasks take ids, never objects (design.md rule 5), and are safe to run twice: the report run row is unique per
center and period and says what was done (`reports.run_monthly`).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task

from taicho.org.models import Center
from taicho.supervision import reports
from taicho.supervision.models import ReportRun


@task()
def monthly_report(center_id: int, year: int, month: int) -> dict[str, Any]:
    """The center's report for `year`-`month` (the month reported on): created once, prepared unless done,
    mailed with the PDF and xlsx to the center's director(s) unless already sent."""
    return reports.run_monthly(center_id=center_id, year=year, month=month)


def enqueue_monthly_reports(today: date) -> list[tuple[Center, ReportRun]]:
    """For cron (`taicho supervision enqueue-monthly`): queue last month's report of every center whose report
    is not yet done and sent. The run row is created now (status "Đang chờ"), so the page shows the job before a
    worker takes it; the task is enqueued after commit."""
    year, month = reports.previous_month(today)
    queued = []
    for center in Center.objects.order_by("code"):
        run = reports.monthly_run(center=center, year=year, month=month)
        if run.status == ReportRun.Status.DONE and run.sent_to:
            continue
        transaction.on_commit(partial(monthly_report.enqueue, center.pk, year, month))
        queued.append((center, run))
    return queued
