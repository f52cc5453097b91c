"""Reads of the catalog."""

from __future__ import annotations

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus, Procedure


def catalog_summary() -> dict[str, int]:
    return {
        "procedure_count": Procedure.objects.count(),
        "on_the_spot_count": OnTheSpotDesignation.objects.filter(status=OnTheSpotStatus.ACTIVE)
        .values("procedure")
        .distinct()
        .count(),
    }
