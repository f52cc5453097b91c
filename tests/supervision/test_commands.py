"""`taicho supervision daily`: designations reaching their effective date are put in force, with their event."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.utils import timezone

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus


def test_daily_puts_due_designations_in_force(demo):
    waiting = OnTheSpotDesignation.objects.filter(status=OnTheSpotStatus.APPROVED).first()
    assert waiting is not None, "the demo has a designation approved for a later date"
    OnTheSpotDesignation.objects.filter(pk=waiting.pk).update(effective_from=timezone.localdate())
    out = io.StringIO()
    call_command("supervision", "daily", stdout=out)
    waiting.refresh_from_db()
    assert waiting.status == OnTheSpotStatus.ACTIVE
    assert waiting.events.filter(to_status=OnTheSpotStatus.ACTIVE, actor__isnull=True).exists()
    assert "Đã đưa vào thực hiện 1 thủ tục" in out.getvalue()
