"""Shared fixtures: the real public data beside the repo, named personas, a fresh calendar per test."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE_DATA = REPO / "src" / "taicho"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Calendars are cached per process; each test starts from its own database state."""
    from taicho.core import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def shared_data() -> Path:
    """`../shared/data` (the real public data). Tests that need only what the package ships use the package
    data fixtures below instead, so they run on a clone without shared/."""
    path = REPO.parent / "shared" / "data"
    if not path.is_dir():
        pytest.skip("../shared/data không có trên máy này")
    return path


@pytest.fixture
def catalog_detail_file() -> Path:
    return PACKAGE_DATA / "catalog" / "data" / "tthc-bo-tu-phap-details.jsonl.gz"


@pytest.fixture
def catalog_list_file() -> Path:
    return PACKAGE_DATA / "catalog" / "data" / "danh-sach-tthc-BoTuPhap.xlsx"


@pytest.fixture
def province(db):
    from taicho.org.models import Agency
    from taicho.org.services import create_agency

    return create_agency(
        code="000.00.00.H49", name="Ủy ban nhân dân tỉnh Quảng Ninh", level=Agency.Level.PROVINCE
    )


@pytest.fixture
def justice(province):
    from taicho.org.models import Agency
    from taicho.org.services import create_agency

    return create_agency(
        code="000.00.12.H49",
        name="Sở Tư pháp tỉnh Quảng Ninh",
        level=Agency.Level.DEPARTMENT,
        parent=province,
    )


@pytest.fixture
def other_agency(province):
    from taicho.org.models import Agency
    from taicho.org.services import create_agency

    return create_agency(
        code="000.00.20.H49",
        name="Sở Xây dựng tỉnh Quảng Ninh",
        level=Agency.Level.DEPARTMENT,
        parent=province,
    )


@pytest.fixture
def make_staff(db):
    from taicho.org.services import create_staff

    counter = {"n": 0}

    def make(*roles: str, agency=None, **fields):
        counter["n"] += 1
        return create_staff(
            username=fields.pop("username", f"staff{counter['n']}"),
            password="mật-khẩu-thử-1",
            full_name=fields.pop("full_name", f"Cán bộ {counter['n']}"),
            roles=roles,
            agency=agency,
            **fields,
        )

    return make
