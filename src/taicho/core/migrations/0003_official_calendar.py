"""Ship the official schedule of days off and make-up working days (2024–2026) and the default working hours
07:30–11:30, 13:00–17:00 (domain.md §3). Administrators edit both in the admin or with `taicho calendar load`."""

import csv
from datetime import date, time
from importlib import resources

from django.db import migrations


def load(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    WorkingSeason = apps.get_model("core", "WorkingSeason")
    path = resources.files("taicho.core.data").joinpath("vn-public-servants-2024-2026.csv")
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kind = row["kind"].strip()
            # A day announced but not in force (status pending-legislation, e.g. 24/11/2026) stays a working day.
            if row["status"].strip() == "pending-legislation":
                kind = "working-day"
            CalendarDay.objects.update_or_create(
                date=date.fromisoformat(row["date"].strip()),
                defaults={
                    "kind": kind, "name": row["name"].strip(), "detail": row["detail"].strip(),
                    "status": row["status"].strip(), "source": row["source"].strip(),
                },
            )
    if not WorkingSeason.objects.filter(center__isnull=True).exists():
        WorkingSeason.objects.create(
            name="Cả năm", starts_month=1, starts_day=1, morning_start=time(7, 30), morning_end=time(11, 30),
            afternoon_start=time(13, 0), afternoon_end=time(17, 0),
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
