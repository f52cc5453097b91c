"""The province summary (PDF with typst, xlsx), the monthly report run (a row with a status), its task that mails
the director once, the reports page and the `taicho supervision` command."""

from __future__ import annotations

import io
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from openpyxl import load_workbook

from taicho.supervision import registers, reports, stats
from taicho.supervision.models import ReportRun
from taicho.supervision.tasks import enqueue_monthly_reports, monthly_report

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def _today() -> date:
    return timezone.localdate()


@pytest.fixture
def month(cycle, people, demo):
    """Two copy certifications returned and rated today at the justice counter, and an inspection whose
    follow-up is overdue."""
    from taicho.org.models import Agency

    cycle("rated", overall=5)
    cycle("rated", owner="022186003333", overall=4)
    stats.refresh()
    registers.create_inspection(
        actor=people["thanhtra"],
        inspected_on=_today() - timedelta(days=20),
        team="Đoàn kiểm tra số 2 của UBND tỉnh",
        scope="Kiểm tra thực hiện “5 tại chỗ”",
        agency=Agency.objects.get(code="000.00.12.H49"),
        required_actions="Bố trí lãnh đạo phê duyệt thường trực tại Trung tâm",
        follow_up_due=_today() - timedelta(days=2),
    )
    return demo.center


def _data(center, start=None, end=None):
    plan = reports.default_plan()
    end = end or _today()
    return reports.summary_data(
        center, start or end - timedelta(days=30), end, plan, reports.phase_on(plan, end)
    )


def test_summary_pdf_shows_agencies_targets_indicators_flags_and_follow_ups(month):
    data = _data(month)
    text = pdf_text(reports.summary_pdf(data))
    flat = " ".join(text.split())
    # Decree 30-style heading of the center.
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH" in text and "BÁO CÁO" in text
    assert f"Quảng Ninh, ngày {_today():%d}" in flat
    start = _today() - timedelta(days=30)
    assert f"(Từ ngày {start:%d/%m/%Y} đến ngày {_today():%d/%m/%Y})" in flat
    # Indicators for the center and per agency: 2 received, 2 finished, both early.
    assert "tiếp nhận 2 hồ sơ tại Trung tâm, đã giải quyết 2 hồ sơ" in flat
    # Appendix: received, finished, early, on time, late, on-time rate … satisfaction 4,5 (ratings 5 and 4).
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Sở Tư pháp tỉnh Quảng Ninh 2 2 2 0 0 100,0 0,0 0 0 100,0 100,0 0,0 4,5 100,0 100,0" in lines
    assert "Toàn Trung tâm 2 2 2 0 0 100,0 0,0 0 0 100,0 100,0 0,0 4,5 100,0 100,0" in lines
    assert "Ủy ban nhân dân phường Hạ Long" in text
    # Compliance per level and per agency, with the targets of the phase in force.
    assert "Mức độ hoàn thành chỉ tiêu — Theo cơ quan" in flat
    assert "Duy trì (sau sắp xếp đơn vị hành chính)" in flat
    assert (
        "Sở, ban, ngành cấp tỉnh — Tỷ lệ thủ tục thực hiện 5 tại chỗ: 1/1 thủ tục (100,0 %); chỉ tiêu 100,0 %: đạt"
        in flat
    )
    # Flags with counts and the open follow-up.
    assert "Dấu hiệu cần kiểm tra tính thực chất" in flat
    assert "Hồ sơ trễ hạn không có văn bản xin lỗi" in flat
    assert "Bố trí lãnh đạo phê duyệt thường trực tại Trung tâm" in flat
    assert "Quá hạn — Chưa khắc phục" in flat
    assert "Hoàng Văn Nam" in text  # the director signs


def test_summary_xlsx_has_the_same_tables(month):
    data = _data(month)
    book = load_workbook(io.BytesIO(reports.summary_xlsx(data)))
    titles = [sheet.title for sheet in book.worksheets]
    assert len(titles) == len(data["tables"]) >= 6
    rows = [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    total = next(r for r in rows if r and r[0] == "Toàn Trung tâm")
    assert list(total[2:7]) == [2, 2, 2, 0, 0]
    justice = next(r for r in rows if r and r[0] == "Sở Tư pháp tỉnh Quảng Ninh" and r[2] == 2)
    assert justice[7] == 100.0
    follow = next(r for r in rows if r and r[1] == "Đoàn kiểm tra số 2 của UBND tỉnh")
    assert follow[5] == "Quá hạn — Chưa khắc phục"


def test_monthly_task_mails_the_director_once_with_both_files(month, people, mailoutbox):
    director = people["giamdoc"]
    assert director.email  # the demo gives every account an address
    result = monthly_report.enqueue(month.pk, _today().year, _today().month)
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.DONE and run.finished_at is not None
    assert run.period_start == _today().replace(day=1)
    assert run.sent_to == [director.email]

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [director.email]
    assert f"Báo cáo tháng {_today():%m/%Y}" in mail.subject and "Kính gửi Giám đốc Trung tâm" in mail.body
    names = [name for name, _content, _type in mail.attachments]
    assert names == [
        f"bao-cao-TTPVHCC-H49-{_today():%Y-%m}.pdf",
        f"bao-cao-TTPVHCC-H49-{_today():%Y-%m}.xlsx",
    ]
    assert [kind for _n, _c, kind in mail.attachments] == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    assert "Sở Tư pháp tỉnh Quảng Ninh" in pdf_text(mail.attachments[0][1])
    assert Path(run.pdf.path).read_bytes() == mail.attachments[0][1]

    again = monthly_report.enqueue(month.pk, _today().year, _today().month)
    assert again.status == TaskResultStatus.SUCCESSFUL
    assert again.return_value["sent_now"] == []
    assert len(mailoutbox) == 1 and ReportRun.objects.count() == 1
    run.refresh_from_db()
    assert run.sent_to == [director.email]


def test_enqueue_monthly_reports_queues_last_month_once(demo, mailoutbox, django_capture_on_commit_callbacks):
    today = date(_today().year, _today().month, 3)
    with django_capture_on_commit_callbacks(execute=True):
        queued = enqueue_monthly_reports(today)
    assert [center.code for center, _run in queued] == ["TTPVHCC-H49"]
    run = ReportRun.objects.get()
    last = today.replace(day=1) - timedelta(days=1)
    assert (run.period_start, run.period_end) == (last.replace(day=1), last)
    assert run.status == ReportRun.Status.DONE and len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue_monthly_reports(today) == []
    assert len(mailoutbox) == 1


class XlsxFailsStorage(FileSystemStorage):
    """A disk that takes the PDF and then fails on the workbook (as when it fills up between the two)."""

    def _save(self, name, content):
        if name.endswith(".xlsx"):
            raise OSError(28, "No space left on device")
        return super()._save(name, content)


def test_a_failed_preparation_leaves_the_run_failed_and_nothing_written(month, settings, mailoutbox):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.XlsxFailsStorage"}}
    start, end = reports.month_bounds(_today().year, _today().month)
    run = ReportRun.objects.create(kind=reports.MONTHLY, center=month, period_start=start, period_end=end)
    run = reports.prepare_report(run)
    assert run.status == ReportRun.Status.FAILED
    assert run.error.startswith("Lỗi khi lập báo cáo (OSError)")
    assert not run.pdf and not run.xlsx
    reports_dir = Path(settings.MEDIA_ROOT) / "reports"
    assert not reports_dir.exists() or not any(p.is_file() for p in reports_dir.rglob("*"))
    assert reports.send_report(run) == [] and mailoutbox == []

    # The disk is fine again: the same row is prepared and mailed by the monthly task.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    outcome = monthly_report.call(month.pk, _today().year, _today().month)
    assert outcome["status"] == ReportRun.Status.DONE and outcome["run"] == run.pk and outcome["error"] == ""
    assert len(mailoutbox) == 1


def test_a_run_without_center_fails_with_a_vietnamese_error(demo):
    run = ReportRun.objects.create(
        kind="monthly", period_start=date(2026, 1, 1), period_end=date(2026, 1, 31)
    )
    run = reports.prepare_report(run)
    assert run.status == ReportRun.Status.FAILED
    assert run.error == "Báo cáo chưa gắn với trung tâm nào."


# --- page ------------------------------------------------------------------------------------------------


def test_reports_page_lists_runs_and_serves_files_to_the_center_only(month, client, people):
    from taicho.org.models import Center

    monthly_report.call(month.pk, _today().year, _today().month)
    run = ReportRun.objects.get()
    other_center = Center.objects.create(code="TTPVHCC-H01", name="Trung tâm khác", agency=month.agency)
    foreign = ReportRun.objects.create(
        kind="monthly", center=other_center, period_start=run.period_start, period_end=run.period_end
    )

    client.force_login(people["giamdoc"])
    page = client.get("/giam-sat/bao-cao/").content.decode()
    assert f"Tháng {_today():%m/%Y}" in page and "Đã lập" in page
    assert f"/giam-sat/bao-cao/{run.pk}/pdf" in page and f"/giam-sat/bao-cao/{run.pk}/xlsx" in page
    assert "Trung tâm khác" not in page
    assert "Lập báo cáo tháng" in page

    pdf = client.get(f"/giam-sat/bao-cao/{run.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Sở Tư pháp tỉnh Quảng Ninh" in pdf_text(b"".join(pdf.streaming_content))
    xlsx = client.get(f"/giam-sat/bao-cao/{run.pk}/xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    assert client.get(f"/giam-sat/bao-cao/{foreign.pk}/pdf").status_code == 404

    export = client.get("/giam-sat/bao-cao/?xlsx=1")
    rows = [
        r for s in load_workbook(io.BytesIO(export.content)).worksheets for r in s.iter_rows(values_only=True)
    ]
    assert any(r and r[0] == f"Tháng {_today():%m/%Y}" and r[2] == "Đã lập" for r in rows)

    client.force_login(people["tiepnhan"])
    assert client.get("/giam-sat/bao-cao/").status_code == 403
    assert client.get(f"/giam-sat/bao-cao/{run.pk}/pdf").status_code == 403
    client.force_login(people["giamdocso"])  # an agency's leader: the summary of the agency, not the runs
    assert client.get(f"/giam-sat/bao-cao/{run.pk}/pdf").status_code == 403
    assert "Lập báo cáo tháng" not in client.get("/giam-sat/bao-cao/").content.decode()


def test_summary_pdf_for_the_filters(month, client, people):
    client.force_login(people["giamdoc"])
    start = _today() - timedelta(days=7)
    response = client.get(f"/giam-sat/bao-cao/tong-hop.pdf?tu={start.isoformat()}&den={_today().isoformat()}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    flat = " ".join(pdf_text(response.content).split())
    assert f"(Từ ngày {start:%d/%m/%Y} đến ngày {_today():%d/%m/%Y})" in flat
    assert "Sở Tư pháp tỉnh Quảng Ninh" in flat and "Ủy ban nhân dân phường Hạ Long" in flat

    # An agency's leader gets the summary of the agency only.
    client.force_login(people["giamdocso"])
    flat = " ".join(pdf_text(client.get("/giam-sat/bao-cao/tong-hop.pdf").content).split())
    assert "Sở Tư pháp tỉnh Quảng Ninh" in flat and "Ủy ban nhân dân phường Hạ Long" not in flat
    client.force_login(people["tiepnhan"])
    assert client.get("/giam-sat/bao-cao/tong-hop.pdf").status_code == 403


def test_button_queues_the_monthly_report(
    month, client, people, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(people["giamdoc"])
    this_month = f"{_today():%Y-%m}"
    refused = client.post("/giam-sat/bao-cao/lap", {"thang": this_month}, follow=True)
    assert "Chỉ lập báo cáo tháng cho tháng đã kết thúc." in refused.content.decode()
    assert not ReportRun.objects.exists()

    year, month_number = reports.previous_month(_today())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/giam-sat/bao-cao/lap", {"thang": f"{year}-{month_number:02d}"})
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert run.requested_by == people["giamdoc"] and run.status == ReportRun.Status.DONE
    assert len(mailoutbox) == 1
    again = client.post("/giam-sat/bao-cao/lap", {"thang": f"{year}-{month_number:02d}"}, follow=True)
    assert "đã được lập trước đó" in again.content.decode()
    client.force_login(people["giamdocso"])
    assert client.post("/giam-sat/bao-cao/lap", {"thang": f"{year}-{month_number:02d}"}).status_code == 403


# --- command ---------------------------------------------------------------------------------------------


def test_command_runs_the_monthly_report_and_refreshes(month, mailoutbox):
    out = io.StringIO()
    call_command(
        "supervision", "monthly-report", "--center", "TTPVHCC-H49", "--month", f"{_today():%Y-%m}", stdout=out
    )
    text = out.getvalue()
    run = ReportRun.objects.get()
    assert f"báo cáo tháng {_today():%m/%Y}" in text
    assert f"Tệp PDF: {run.pdf.path}" in text and f"Tệp xlsx: {run.xlsx.path}" in text
    assert "Đã gửi tới: giamdoc@demo.taicho.invalid" in text
    out = io.StringIO()
    call_command(
        "supervision", "monthly-report", "--center", "TTPVHCC-H49", "--month", f"{_today():%Y-%m}", stdout=out
    )
    assert "(không gửi lại)" in out.getvalue() and len(mailoutbox) == 1

    out = io.StringIO()
    call_command("supervision", "refresh", stdout=out)
    assert out.getvalue().startswith("Đã cập nhật số liệu của 0 hồ sơ.")
    out = io.StringIO()
    call_command("supervision", "rebuild", stdout=out)
    assert "Đã tính lại số liệu của 2 hồ sơ." in out.getvalue()

    from django.core.management import CommandError

    with pytest.raises(CommandError, match="dùng dạng YYYY-MM"):
        call_command("supervision", "monthly-report", "--month", "10/2026")
    with pytest.raises(CommandError, match="Không có trung tâm mã"):
        call_command("supervision", "monthly-report", "--center", "KHONG-CO")
