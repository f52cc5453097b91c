"""Live compliance with the plan's targets: exact counts, shares and lights on a small constructed province, the
status on a past day read from the designation events, the procedures behind each number, and the page."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus, Procedure
from taicho.org.models import Agency, Role
from taicho.org.services import create_agency
from taicho.supervision import services
from taicho.supervision.compliance import (
    COUNTED,
    EXCLUDED,
    MISSING,
    compliance,
    compliance_tables,
    procedures_behind,
)
from taicho.supervision.models import Metric, Phase, Plan
from taicho.supervision.tables import Light, Link

from .plan_data import make_plan, make_procedure, received

S = OnTheSpotStatus
ON = date(2026, 6, 30)
TARGETS = [
    ("department", "on_the_spot", "all", "30"),
    ("department", "delegated", "on_the_spot", "50"),
    ("district", "on_the_spot", "eligible_with_dossiers", "100"),
]


def designate(procedure, agency, status, effective=date(2026, 2, 1), case_name="", **flags):
    return OnTheSpotDesignation.objects.create(
        procedure=procedure,
        agency=agency,
        status=status,
        effective_from=effective,
        case_name=case_name,
        **flags,
    )


@pytest.fixture
def province_data(province, justice, other_agency):
    """Two departments, a district, a commune (no target), a district merged away in 2025."""
    district = create_agency(
        code="000.00.40.H49", name="UBND huyện Thử", level=Agency.Level.DISTRICT, parent=province
    )
    commune = create_agency(
        code="000.00.41.H49", name="UBND xã Thử", level=Agency.Level.COMMUNE, parent=province
    )
    merged = create_agency(
        code="000.00.42.H49", name="UBND huyện Cũ", level=Agency.Level.DISTRICT, parent=province
    )
    Agency.objects.filter(pk=merged.pk).update(valid_to=date(2025, 6, 30))
    a = [make_procedure(justice) for _ in range(10)]
    b = [make_procedure(other_agency) for _ in range(10)]
    d = [make_procedure(district) for _ in range(6)]
    make_procedure(commune)
    make_procedure(merged)

    designate(a[0], justice, S.ACTIVE, counter_appraises=True)
    designate(a[1], justice, S.ACTIVE, case_name="Bản sao giấy tờ tiếng Việt", effective=date(2026, 1, 1))
    designate(a[1], justice, S.ACTIVE, case_name="Bản sao giấy tờ song ngữ", effective=date(2026, 1, 1))
    designate(a[2], justice, S.APPROVED, effective=ON)  # in effect on the day itself
    designate(a[3], justice, S.APPROVED, effective=ON + timedelta(days=1))
    designate(a[4], justice, S.CANDIDATE, effective=None)
    designate(a[5], justice, S.SUSPENDED)

    designate(b[0], other_agency, S.ACTIVE, counter_approves=True)
    designate(b[1], other_agency, S.ACTIVE)
    designate(a[6], other_agency, S.ACTIVE)  # not in the other department's list: ignored

    window_start = date(2025, 7, 1)
    for p in d[:4]:
        received(district, p, window_start, 3)
    received(district, d[4], window_start - timedelta(days=1), 9)  # 12 months and a day before: outside
    designate(d[3], district, S.NOT_ELIGIBLE, effective=None)
    for p in (d[0], d[1], d[4]):
        designate(p, district, S.ACTIVE)
    plan, phase = make_plan(targets=TARGETS)
    return {
        "plan": plan,
        "phase": phase,
        "justice": justice,
        "other": other_agency,
        "district": district,
        "commune": commune,
        "a": a,
        "b": b,
        "d": d,
    }


def _m(row, metric):
    m = row.measures[metric]
    return (m.base, m.count, m.share, m.target, m.light.color)


def test_compliance_counts_shares_and_lights(province_data):
    data = province_data
    result = compliance(data["plan"], data["phase"], ON, Agency.objects.all())
    rows = {r.agency.code: r for r in result.rows}
    # The commune has no target in the phase; the merged district no longer exists.
    assert list(rows) == ["000.00.12.H49", "000.00.20.H49", "000.00.40.H49"]

    justice = rows["000.00.12.H49"]
    assert (justice.total, justice.eligible, justice.on_the_spot, justice.delegated) == (10, 0, 3, 1)
    assert _m(justice, Metric.ON_THE_SPOT) == (10, 3, Decimal("30.0"), Decimal("30"), "green")
    assert _m(justice, Metric.DELEGATED) == (3, 1, Decimal("33.3"), Decimal("50"), "red")

    other = rows["000.00.20.H49"]
    assert (other.total, other.on_the_spot, other.delegated) == (10, 2, 1)
    assert _m(other, Metric.ON_THE_SPOT) == (10, 2, Decimal("20.0"), Decimal("30"), "yellow")
    assert _m(other, Metric.DELEGATED) == (2, 1, Decimal("50.0"), Decimal("50"), "green")

    district = rows["000.00.40.H49"]
    assert (district.total, district.eligible, district.on_the_spot, district.delegated) == (6, 3, 3, 0)
    assert _m(district, Metric.ON_THE_SPOT) == (3, 2, Decimal("66.7"), Decimal("100"), "red")
    assert _m(district, Metric.DELEGATED) == (3, 0, Decimal("0.0"), None, "grey")

    levels = {r.level: r for r in result.levels}
    assert list(levels) == ["department", "district"]
    dept = levels["department"]
    assert _m(dept, Metric.ON_THE_SPOT) == (20, 5, Decimal("25.0"), Decimal("30"), "yellow")
    assert (dept.measures[Metric.ON_THE_SPOT].met, dept.measures[Metric.ON_THE_SPOT].agencies) == (1, 2)
    assert _m(dept, Metric.DELEGATED) == (5, 2, Decimal("40.0"), Decimal("50"), "yellow")
    assert _m(levels["district"], Metric.ON_THE_SPOT) == (3, 2, Decimal("66.7"), Decimal("100"), "red")

    p = result.province
    assert (p.total, p.eligible, p.on_the_spot, p.delegated) == (26, 3, 8, 2)
    assert _m(p, Metric.ON_THE_SPOT) == (23, 7, Decimal("30.4"), None, "grey")
    assert (p.measures[Metric.ON_THE_SPOT].met, p.measures[Metric.ON_THE_SPOT].agencies) == (1, 3)
    assert (p.measures[Metric.DELEGATED].met, p.measures[Metric.DELEGATED].agencies) == (1, 2)


def test_an_agency_with_nothing_in_the_base_is_grey(province_data):
    data = province_data
    Procedure.agencies.through.objects.filter(agency_id=data["district"].pk).delete()
    result = compliance(data["plan"], data["phase"], ON, Agency.objects.filter(pk=data["district"].pk))
    (row,) = result.rows
    assert _m(row, Metric.ON_THE_SPOT) == (0, 0, None, Decimal("100"), "grey")
    assert row.measures[Metric.ON_THE_SPOT].light.text == "Không có thủ tục thuộc diện tính"


def test_only_the_agencies_asked_for(province_data):
    data = province_data
    result = compliance(data["plan"], data["phase"], ON, Agency.objects.filter(level="district"))
    assert [r.agency.pk for r in result.rows] == [data["district"].pk]
    assert result.province.total == 6


@pytest.mark.usefixtures("province_data")
def test_a_second_plan_reads_the_same_data_with_its_own_targets():
    plan, phase = make_plan(
        name="Kế hoạch khác",
        targets=[("department", "on_the_spot", "all", "20"), ("commune", "on_the_spot", "all", "50")],
    )
    result = compliance(plan, phase, ON, Agency.objects.all())
    rows = {r.agency.code: r for r in result.rows}
    assert list(rows) == ["000.00.12.H49", "000.00.20.H49", "000.00.41.H49"]
    assert _m(rows["000.00.20.H49"], Metric.ON_THE_SPOT) == (10, 2, Decimal("20.0"), Decimal("20"), "green")
    assert _m(rows["000.00.41.H49"], Metric.ON_THE_SPOT) == (1, 0, Decimal("0.0"), Decimal("50"), "red")


def test_both_ways_of_finding_procedures_with_dossiers_agree(province_data):
    from taicho.supervision.compliance import listed_with_dossiers_by_probe, listed_with_dossiers_by_sum
    from taicho.supervision.review import twelve_months

    data = province_data
    district = data["district"]
    stray = make_procedure(data["justice"])  # dossiers at the district for a procedure not on its list
    received(district, stray, ON, 5)
    received(district, data["d"][5], ON, 0)  # a day with dossiers finished, none received
    ids = list(Agency.objects.values_list("pk", flat=True))
    start, end = twelve_months(ON)
    expected = {district.pk: {p.pk for p in data["d"][:4]}}
    assert dict(listed_with_dossiers_by_sum(ids, start, end)) == expected
    assert dict(listed_with_dossiers_by_probe(ids, start, end)) == expected


def test_compliance_runs_a_fixed_number_of_queries(province_data, make_staff):
    data = province_data
    with CaptureQueriesContext(connection) as one:
        compliance(data["plan"], data["phase"], ON, Agency.objects.filter(pk=data["district"].pk))
    with CaptureQueriesContext(connection) as every:
        result = compliance(data["plan"], data["phase"], ON, Agency.objects.all())
        compliance_tables(result)
    assert len(every) == len(one) <= 8


def _local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


def test_the_status_on_a_past_day_is_read_from_the_events(province_data, make_staff, province):
    data = province_data
    director = make_staff(Role.CENTER_DIRECTOR, agency=province)
    procedure = data["a"][7]
    with time_machine.travel(_local(2026, 3, 1, 9, 0), tick=False):
        designation = services.propose(
            procedure=procedure, agency=data["justice"], actor=director, reason="Đề xuất"
        )
        services.approve_designation(
            designation=designation,
            actor=director,
            decision_number="9/QĐ",
            decision_date=date(2026, 3, 1),
            effective_from=date(2026, 3, 1),
            reason="Đủ tiêu chí",
        )
    with time_machine.travel(_local(2026, 4, 15, 23, 30), tick=False):  # late evening, local time
        services.set_delegation(
            designation=designation,
            actor=director,
            counter_appraises=True,
            counter_approves=False,
            reason="Ủy quyền",
        )
    with time_machine.travel(_local(2026, 5, 1, 8, 0), tick=False):
        services.suspend(designation=designation, actor=director, reason="Chưa thực chất")
    justice = Agency.objects.filter(pk=data["justice"].pk)

    def counts(day):
        (row,) = compliance(data["plan"], data["phase"], day, justice).rows
        return row.on_the_spot, row.delegated

    assert counts(date(2026, 2, 28)) == (2, 1)  # a[0], a[1]; not yet proposed
    assert counts(date(2026, 4, 14)) == (3, 1)  # approved on 1 March, not yet delegated
    assert counts(date(2026, 4, 15)) == (3, 2)  # delegated that evening (local day)
    assert counts(date(2026, 4, 30)) == (3, 2)
    assert counts(date(2026, 5, 1)) == (2, 1)  # suspended
    assert counts(ON) == (3, 1)  # a[2] comes into effect on 30 June


def test_the_procedures_behind_the_numbers(province_data):
    data = province_data
    a = data["a"]
    behind = procedures_behind(data["justice"], Metric.ON_THE_SPOT, ON, data["plan"], data["phase"])
    by_code = {b.procedure.code: b for b in behind}
    assert len(behind) == 10
    assert [b.kind for b in behind].count(COUNTED) == 3
    assert {b.procedure.code for b in behind if b.kind == COUNTED} == {a[0].code, a[1].code, a[2].code}
    assert by_code[a[0].code].reason == "Thực hiện 5 tại chỗ từ 01/02/2026"
    assert (
        by_code[a[1].code].status
        == "Đang thực hiện (Bản sao giấy tờ song ngữ); Đang thực hiện (Bản sao giấy tờ tiếng Việt)"
    )
    assert by_code[a[3].code].kind == MISSING
    assert by_code[a[3].code].reason == "Đã phê duyệt, hiệu lực từ 01/07/2026"
    assert by_code[a[4].code].reason == "Đã đề xuất, chờ phê duyệt"
    assert by_code[a[5].code].reason == "Tạm dừng: —"  # entered before events were kept: no reason known
    assert by_code[a[8].code].reason == "Chưa được đề xuất thực hiện 5 tại chỗ"
    assert by_code[a[8].code].status == "Chưa đề xuất"
    assert behind[0].light == Light("green", "Được tính")

    delegated = procedures_behind(data["justice"], Metric.DELEGATED, ON, data["plan"], data["phase"])
    assert [(b.procedure.code, b.kind) for b in delegated] == [
        (a[0].code, COUNTED),
        (a[1].code, MISSING),
        (a[2].code, MISSING),
    ]
    assert delegated[0].reason == "Giao cán bộ tiếp nhận thẩm định"
    assert delegated[1].reason == "Thực hiện 5 tại chỗ nhưng chưa phân cấp, ủy quyền cho cán bộ tiếp nhận"


def test_behind_the_eligible_base_are_also_those_left_out(province_data, make_staff, province):
    data = province_data
    d = data["d"]
    director = make_staff(Role.CENTER_DIRECTOR, agency=province)
    designation = OnTheSpotDesignation.objects.get(procedure=d[3])
    OnTheSpotDesignation.objects.filter(pk=designation.pk).update(status=S.CANDIDATE)
    with time_machine.travel(_local(2026, 6, 1, 9, 0), tick=False):
        services.mark_not_eligible(designation=designation, actor=director, reason="Phải xác minh thực địa")
    behind = procedures_behind(data["district"], Metric.ON_THE_SPOT, ON, data["plan"], data["phase"])
    kinds = {b.procedure.code: (b.kind, b.reason) for b in behind}
    assert kinds == {
        d[0].code: (COUNTED, "Thực hiện 5 tại chỗ từ 01/02/2026"),
        d[1].code: (COUNTED, "Thực hiện 5 tại chỗ từ 01/02/2026"),
        d[2].code: (MISSING, "Chưa được đề xuất thực hiện 5 tại chỗ"),
        d[3].code: (EXCLUDED, "Không đủ điều kiện: Phải xác minh thực địa"),
        d[4].code: (EXCLUDED, "Không phát sinh hồ sơ trong 12 tháng"),
        d[5].code: (EXCLUDED, "Không phát sinh hồ sơ trong 12 tháng"),
    }


def test_compliance_tables_link_every_number_of_an_agency(province_data):
    data = province_data
    result = compliance(data["plan"], data["phase"], ON, Agency.objects.all())
    province, levels, agencies = compliance_tables(result)
    assert province.rows[0][0] == "Toàn tỉnh"
    assert [r[0] for r in levels.rows] == ["Sở, ban, ngành cấp tỉnh", "Cấp huyện (trước 1/7/2025)"]
    row = agencies.rows[0]
    assert row[0] == "Sở Tư pháp tỉnh Quảng Ninh"
    total, eligible, count, base, share, target, light = row[2:9]
    assert isinstance(count, Link) and count.text == 3 and "loai=counted" in count.url
    assert f"/giam-sat/chi-tieu/{data['justice'].pk}/" in count.url and "chi_tieu=on_the_spot" in count.url
    assert isinstance(base, Link) and base.text == 10
    assert (share, target, light) == (Decimal("30.0"), Decimal("30"), Light("green", "Đạt"))
    assert total.text == 10 and eligible.text == 0


# --- pages over the demo -----------------------------------------------------------------------------------


@pytest.fixture
def demo_with_dossiers(people):
    """The demo with the plan's demo data, and dossiers received at the justice department for two procedures
    on the spot and one only proposed."""
    from taicho.supervision.demo import build_plan_demo

    today = timezone.localdate()
    build_plan_demo(today)
    justice = Agency.objects.get(code="000.00.12.H49")
    for code in ("2.000815", "1.000390", "1.000802"):
        received(justice, Procedure.objects.get(code=code), today - timedelta(days=3), 4)
    return people


def test_default_plan_drives_the_compliance_page(client, demo_with_dossiers):
    client.force_login(demo_with_dossiers["giamdoc"])
    response = client.get(reverse("supervision:compliance"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thực hiện chỉ tiêu kế hoạch “5 tại chỗ”" in page
    assert "Duy trì (sau sắp xếp đơn vị hành chính)" in page  # the phase in force in 2026
    assert "Toàn tỉnh" in page and "Sở Tư pháp tỉnh Quảng Ninh" in page
    assert "66,7" in page  # 2 of the 3 procedures with dossiers are on the spot
    assert 'class="badge light-red">Chưa đạt' in page


def test_compliance_page_exports_xlsx(client, demo_with_dossiers):
    client.force_login(demo_with_dossiers["thanhtra"])
    response = client.get(reverse("supervision:compliance"), {"xlsx": "1"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[1:] == ["Theo cấp cơ quan", "Theo cơ quan"]
    rows = list(book["Theo cơ quan"].iter_rows(values_only=True))
    header = rows[2]
    justice = next(r for r in rows[3:] if r[0] == "Sở Tư pháp tỉnh Quảng Ninh")
    assert justice[header.index("TTHC đủ điều kiện, có hồ sơ")] == 3
    assert justice[header.index("Số TTHC 5 tại chỗ được tính")] == 2
    assert justice[header.index("Tỷ lệ 5 tại chỗ (%)")] == pytest.approx(66.7)
    assert justice[header.index("Chỉ tiêu (%)")] == 100
    assert justice[header.index("Đánh giá 5 tại chỗ")] == "Chưa đạt"


def test_each_number_opens_the_procedures_behind_it(client, demo_with_dossiers):
    client.force_login(demo_with_dossiers["giamdoc"])
    justice = Agency.objects.get(code="000.00.12.H49")
    url = reverse("supervision:compliance_agency", args=[justice.pk])
    page = client.get(url, {"chi_tieu": "on_the_spot", "loai": "counted"}).content.decode()
    assert "2.000815" in page and "1.000390" in page and "1.000802" not in page
    page = client.get(url, {"chi_tieu": "on_the_spot", "loai": "missing"}).content.decode()
    assert "1.000802" in page and "Đã đề xuất, chờ phê duyệt" in page
    response = client.get(url, {"chi_tieu": "on_the_spot", "xlsx": "1"})
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[2] == ("Mã TTHC", "Tên thủ tục", "Đánh giá", "Trạng thái 5 tại chỗ", "Diễn giải")
    kinds = {r[0]: r[2] for r in rows[3:]}
    assert kinds["2.000815"] == "Được tính" and kinds["1.000802"] == "Chưa đạt"
    assert kinds["1.001122"] == "Không thuộc diện tính"  # marked not eligible in the demo


def test_compliance_pages_are_refused_to_a_receiving_officer(client, people):
    client.force_login(people["tiepnhan"])
    justice = Agency.objects.get(code="000.00.12.H49")
    assert client.get(reverse("supervision:compliance")).status_code == 403
    assert client.get(reverse("supervision:compliance_agency", args=[justice.pk])).status_code == 403


def test_an_agency_leader_sees_the_own_agency_only(client, people):
    client.force_login(people["chutichxa"])
    justice = Agency.objects.get(code="000.00.12.H49")
    assert client.get(reverse("supervision:compliance_agency", args=[justice.pk])).status_code == 404
    page = client.get(reverse("supervision:compliance")).content.decode()
    assert "Ủy ban nhân dân phường Hạ Long" in page and "Sở Tư pháp tỉnh Quảng Ninh" not in page


def test_the_default_plan_exists_after_migrate(db):
    plan = Plan.objects.get(is_default=True)
    assert plan.name == "Kế hoạch thực hiện “5 tại chỗ” tại Trung tâm Phục vụ Hành chính công tỉnh"
    phases = list(plan.phases.order_by("ordinal"))
    assert [(p.name, p.starts, p.ends) for p in phases] == [
        ("Giai đoạn 1", date(2021, 9, 1), date(2021, 12, 31)),
        ("Giai đoạn 2", date(2022, 1, 1), date(2022, 12, 31)),
        ("Duy trì (sau sắp xếp đơn vị hành chính)", date(2023, 1, 1), date(2030, 12, 31)),
    ]

    def targets(phase: Phase) -> set[tuple[str, str, str, int]]:
        return {(t.level, t.metric, t.base, int(t.percent)) for t in phase.targets.all()}

    assert targets(phases[0]) == {
        ("department", "on_the_spot", "all", 30),
        ("district", "on_the_spot", "all", 60),
    }
    phase_two = {
        (level, "on_the_spot", "eligible_with_dossiers", 100) for level in ("department", "district")
    } | {(level, "delegated", "on_the_spot", 50) for level in ("department", "district")}
    assert targets(phases[1]) == phase_two
    assert targets(phases[2]) == phase_two | {
        ("commune", "on_the_spot", "eligible_with_dossiers", 100),
        ("commune", "delegated", "on_the_spot", 50),
    }
    assert phases[2].starts <= date(2026, 11, 27) <= phases[2].ends
