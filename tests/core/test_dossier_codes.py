"""Dossier codes are allocated without gaps or duplicates, under concurrency too (domain.md §4)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connection, connections, transaction

from taicho.core.models import DailyCounter
from taicho.core.services import allocate_dossier_code, next_daily_number

DAY = date(2026, 11, 27)


@pytest.mark.django_db
def test_codes_are_consecutive_per_agency_and_day():
    with transaction.atomic():
        codes = [allocate_dossier_code(agency_identifier="000.00.12.H49", day=DAY) for _ in range(3)]
        other = allocate_dossier_code(agency_identifier="000.00.31.H49", day=DAY)
        next_day = allocate_dossier_code(agency_identifier="000.00.12.H49", day=date(2026, 11, 28))
    assert codes == ["000.00.12.H49-261127-0001", "000.00.12.H49-261127-0002", "000.00.12.H49-261127-0003"]
    assert other == "000.00.31.H49-261127-0001"
    assert next_day == "000.00.12.H49-261128-0001"


@pytest.mark.django_db
def test_a_rolled_back_reception_leaves_no_gap():
    with transaction.atomic():
        allocate_dossier_code(agency_identifier="000.00.12.H49", day=DAY)

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        allocate_dossier_code(agency_identifier="000.00.12.H49", day=DAY)
        raise Refused
    with transaction.atomic():
        assert allocate_dossier_code(agency_identifier="000.00.12.H49", day=DAY).endswith("-0002")


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError):
        next_daily_number(scope="x", day=DAY)


@pytest.mark.django_db
def test_malformed_agency_identifier_allocates_nothing():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError), transaction.atomic():
        allocate_dossier_code(agency_identifier="H49", day=DAY)
    assert not DailyCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_200_parallel_allocations_get_200_distinct_consecutive_codes():
    """200 allocations from parallel threads, each on its own connection and transaction. On PostgreSQL the
    UPSERT's row lock serialises them; on SQLite the IMMEDIATE transactions do."""
    total, workers = 200, 32 if connection.vendor == "postgresql" else 8
    barrier = threading.Barrier(workers)

    def allocate(i: int) -> str:
        if i < workers:
            barrier.wait()  # start the first wave together to force contention
        try:
            with transaction.atomic():
                return allocate_dossier_code(agency_identifier="000.00.12.H49", day=DAY)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        codes = list(pool.map(allocate, range(total)))
    assert len(set(codes)) == total
    assert sorted(codes) == [f"000.00.12.H49-261127-{n:04d}" for n in range(1, total + 1)]
    assert DailyCounter.objects.get().last_value == total
