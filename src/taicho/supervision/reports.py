"""The province summary report (item 8): compliance with the plan's targets per level and per agency, the
service indicators per agency and for the center, the flags of the substantive checks, and the inspections whose
follow-up is still open — as a PDF laid out like an administrative report (typst) and as an xlsx workbook with the
same tables.

Contracts:
- `summary_data(center, start, end, plan, phase)` gathers everything once; `summary_pdf(data)` and
  `summary_xlsx(data)` only format it, so both files show the same figures. The tables are the ones the
  supervision pages show (`compliance_tables`, `indicators_tables`), so the report says what the pages say.
- `prepare_report(run)` renders both files for a `ReportRun` and stores them on it. The row is the job a person
  sees (design.md rule 5: a long job is a row with a status): RUNNING while it works, then DONE with both files
  and `finished_at`, or FAILED with a Vietnamese error and no file written (a file stored before the failure is
  deleted again).
- The monthly report (`run_monthly`) is idempotent per center and month: one row (unique per period), rendered
  once, mailed once to the center's director(s); a second run neither renders nor mails again.
"""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import typst
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from taicho.core.errors import DomainError, NotAllowed
from taicho.documents.formatting import RenderError, format_place_date
from taicho.org.models import Agency, Center, Role, Staff
from taicho.supervision import checks, indicators, stats
from taicho.supervision.access import is_supervisor
from taicho.supervision.compliance import Compliance, compliance, compliance_tables
from taicho.supervision.models import Inspection, Metric, Phase, Plan, ReportRun
from taicho.supervision.tables import Light, Link, Table, xlsx_bytes

logger = logging.getLogger(__name__)

MONTHLY = "monthly"
TEMPLATE = Path(__file__).resolve().parent / "templates" / "supervision" / "report.typ"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- what the report covers --------------------------------------------------------------------------------


def default_plan() -> Plan | None:
    return Plan.objects.filter(is_default=True).first() or Plan.objects.first()


def phase_on(plan: Plan | None, day: date) -> Phase | None:
    """The plan's phase in force on `day`; else the last one ended before it; else the first (the same choice
    as the pages' filter bar)."""
    if plan is None:
        return None
    phases = Phase.objects.filter(plan=plan)
    return (
        phases.filter(starts__lte=day, ends__gte=day).first()
        or phases.filter(ends__lt=day).order_by("-ends").first()
        or phases.order_by("starts").first()
    )


def report_agencies(center: Center) -> QuerySet[Agency]:
    """The agencies a center's report covers: those that receive dossiers at the center; every agency when the
    center has not listed them yet."""
    served = Agency.objects.filter(served_at_centers=center)
    return served if served.exists() else Agency.objects.all()


def month_bounds(year: int, month: int) -> tuple[date, date]:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise DomainError(
            _("Tháng báo cáo không hợp lệ: %(m)s/%(y)s.") % {"m": month, "y": year}, code="invalid"
        )
    start = date(year, month, 1)
    end = stats.month_end(start)
    return start, end


def previous_month(today: date) -> tuple[int, int]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.year, last.month


def open_follow_ups(center: Center | None, end: date, agencies: QuerySet[Agency]) -> QuerySet[Inspection]:
    """Inspections up to `end` with actions required and not yet done, of these agencies or of the center."""
    about_center = Q(agency__isnull=True) & (Q(center__isnull=True) | Q(center=center))
    return (
        Inspection.objects.filter(inspected_on__lte=end)
        .exclude(follow_up_status=Inspection.FollowUp.DONE)
        .exclude(required_actions="")
        .filter(Q(agency__in=agencies) | about_center)
        .select_related("agency")
        .order_by("follow_up_due", "inspected_on", "pk")
    )


def summary_data(
    center: Center,
    start: date,
    end: date,
    plan: Plan | None,
    phase: Phase | None,
    agencies: QuerySet[Agency] | None = None,
) -> dict[str, Any]:
    """Everything the province summary shows for the period `start`–`end` (days inclusive). `agencies` narrows
    the report (the pages pass the user's filters); by default the agencies served at the center."""
    if end < start:
        raise DomainError(_("Ngày kết thúc kỳ báo cáo không được trước ngày bắt đầu."), code="invalid")
    if agencies is None:
        agencies = report_agencies(center)
    rows, total = indicators.by_agency(start, end, agencies)
    result = compliance(plan, phase, end, agencies) if plan is not None and phase is not None else None
    found = checks.flags(start, end, agencies)
    follow_ups = list(open_follow_ups(center, end, agencies))
    on = min(end, timezone.localdate())
    data: dict[str, Any] = {
        "center": center,
        "start": start,
        "end": end,
        "plan": plan,
        "phase": phase,
        "indicators": rows,
        "total": total,
        "compliance": result,
        "flags": found,
        "follow_ups": follow_ups,
        "inspections": Inspection.objects.filter(inspected_on__range=(start, end))
        .filter(Q(agency__in=agencies) | Q(agency__isnull=True))
        .count(),
        "generated_at": timezone.now(),
        "on": on,
    }
    data["tables"] = _tables(data)
    return data


# --- tables (the same for the PDF's appendices and the xlsx) -----------------------------------------------


def _tables(data: dict[str, Any]) -> list[Table]:
    tables: list[Table] = []
    result: Compliance | None = data["compliance"]
    if result is not None:
        prefix = _("Mức độ hoàn thành chỉ tiêu")
        for t in compliance_tables(result):
            tables.append(replace(t, key=f"chi-tieu-{t.key}", title=f"{prefix} — {t.title}"))
    for t in indicators.indicators_tables(data["indicators"], data["total"]):
        tables.append(replace(t, key=f"chi-so-{t.key}"))
    tables.append(flags_table(data["flags"]))
    tables.append(follow_ups_table(data["follow_ups"], data["on"]))
    return tables


def flags_table(found: list[checks.Flag]) -> Table:
    return Table(
        key="dau-hieu",
        title=_("Dấu hiệu cần kiểm tra tính thực chất"),
        columns=[_("Dấu hiệu"), _("Diễn giải"), _("Số lượng"), _("Đánh giá")],
        rows=[
            [
                f.title,
                f.description,
                f.count,
                Light(f.severity, _("Cần kiểm tra") if f.count else _("Không có")),
            ]
            for f in found
        ],
        numeric=frozenset({2}),
    )


def follow_ups_table(rows: list[Inspection], on: date) -> Table:
    table = Table(
        key="khac-phuc",
        title=_("Kiểm tra: các yêu cầu khắc phục chưa hoàn thành"),
        columns=[
            _("Ngày kiểm tra"),
            _("Đoàn kiểm tra"),
            _("Cơ quan được kiểm tra"),
            _("Yêu cầu khắc phục"),
            _("Hạn khắc phục"),
            _("Tình trạng"),
        ],
        empty=_("Không có yêu cầu khắc phục nào đang chờ."),
    )
    for i in rows:
        overdue = i.follow_up_due is not None and i.follow_up_due < on
        label = str(i.get_follow_up_status_display())
        status = Light("red", _("Quá hạn — %(s)s") % {"s": label}) if overdue else Light("yellow", label)
        table.rows.append(
            [
                i.inspected_on,
                i.team,
                (i.agency.short_name or i.agency.name) if i.agency else _("Trung tâm"),
                i.required_actions,
                i.follow_up_due,
                status,
            ]
        )
    return table


# --- formatting --------------------------------------------------------------------------------------------


def nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value))


def number(value: Any) -> str:
    """Vietnamese number format, as the pages show it (`supervision` template tag): 1.234 and 12,5."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float | Decimal):
        return f"{float(value):,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return nfc(value)


def cell_text(value: Any) -> str:
    if isinstance(value, Link | Light):
        return cell_text(value.text)
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if timezone.is_aware(value) else f"{value}"
        )
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return number(value)


def _cell(value: Any) -> dict[str, Any]:
    return {"t": cell_text(value), "c": value.color if isinstance(value, Light) else None}


def _widths(table: Table) -> list[float]:
    """Fractional column widths, in characters of content: a number column as wide as its longest value (or
    the longest word of its header: a word never breaks); a text column as wide as its average text, capped so
    that one long text column does not squeeze the numbers."""
    widths = []
    for i, column in enumerate(table.columns):
        texts = [cell_text(r[i]) for r in table.rows[:300]]
        if table.footer:
            texts.append(cell_text(table.footer[i]))
        longest_word = max([len(w) for t in [str(column), *texts] for w in t.split()] or [1])
        header = len(str(column))
        if i in table.numeric:
            width = max(longest_word, *(len(t) for t in texts), header / 4, 3) + 1.5
        else:
            average = sum(len(t) for t in texts) / len(texts) if texts else 0
            width = max(longest_word + 1, min(max(average, header / 2), 24))
        widths.append(round(width, 1))
    return widths


def _table_view(table: Table) -> dict[str, Any]:
    return {
        "title": nfc(table.title),
        "note": None,
        "columns": [nfc(c) for c in table.columns],
        "numeric": sorted(table.numeric),
        "rows": [[_cell(v) for v in row] for row in table.rows],
        "footer": [_cell(v) for v in table.footer] if table.footer else None,
        "empty": nfc(table.empty or _("Không có dữ liệu.")),
        "widths": _widths(table),
        "small": len(table.columns) > 12,
    }


def _place(center: Center) -> str:
    unit = center.agency.administrative_unit
    name = unit.name if unit is not None else (center.agency.short_name or center.agency.name)
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def directors(center: Center) -> list[Staff]:
    """The center's director(s) with an e-mail address: who receives the monthly report."""
    return list(
        Staff.objects.filter(center=center, is_active=True, roles__role=Role.CENTER_DIRECTOR)
        .exclude(email="")
        .order_by("full_name", "pk")
        .distinct()
    )


def _pct(value: Any) -> str:
    return f"{number(value)} %" if value is not None else _("chưa có số liệu")


def _view(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON the typst template reads: all text formatted, NFC."""
    center: Center = data["center"]
    start: date = data["start"]
    end: date = data["end"]
    total: indicators.Indicators = data["total"]
    result: Compliance | None = data["compliance"]
    generated: datetime = timezone.localtime(data["generated_at"])
    sections = []

    paragraphs = [
        _(
            "Trong kỳ, các cơ quan tiếp nhận %(received)s hồ sơ tại Trung tâm, đã giải quyết %(finished)s hồ sơ "
            "(trước hạn %(early)s, đúng hạn %(on_time)s, quá hạn %(late)s); tỷ lệ giải quyết đúng hạn "
            "%(rate)s. Thời gian giải quyết trung bình %(hours)s giờ làm việc."
        )
        % {
            "received": number(total.received),
            "finished": number(total.finished),
            "early": number(total.early),
            "on_time": number(total.on_time),
            "late": number(total.late),
            "rate": _pct(total.on_time_rate),
            "hours": number(total.avg_hours) if total.avg_hours is not None else "—",
        },
        _("Hiện còn %(open)s hồ sơ đang giải quyết, trong đó %(past)s hồ sơ đã quá hạn hẹn trả.")
        % {"open": number(total.in_process), "past": number(total.past_due)},
        _(
            "Số hóa thành phần hồ sơ khi tiếp nhận: %(digitized)s; kết quả giải quyết bản điện tử: %(electronic)s; "
            "tái sử dụng dữ liệu đã số hóa: %(reuse)s. Điểm hài lòng trung bình %(satisfaction)s/5, tỷ lệ hài "
            "lòng %(satisfied)s."
        )
        % {
            "digitized": _pct(total.digitized_rate),
            "electronic": _pct(total.electronic_rate),
            "reuse": _pct(total.reuse_rate),
            "satisfaction": number(total.satisfaction) if total.satisfaction is not None else "—",
            "satisfied": _pct(total.satisfied_rate),
        },
        _(
            "Hồ sơ thuộc thủ tục thực hiện “5 tại chỗ”: %(spot)s, trong đó %(real)s hồ sơ thực hiện đủ 5 bước tại "
            "Trung tâm trong thời gian giải quyết tại chỗ (%(rate)s)."
        )
        % {
            "spot": number(total.on_the_spot),
            "real": number(total.on_the_spot_real),
            "rate": _pct(total.real_rate),
        },
    ]
    sections.append(
        {
            "heading": _("I. KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ"),
            "paragraphs": paragraphs,
            "bullets": [
                _("%(agency)s: tiếp nhận %(received)s, giải quyết %(finished)s, đúng hạn %(rate)s")
                % {
                    "agency": a.name,
                    "received": number(i.received),
                    "finished": number(i.finished),
                    "rate": _pct(i.on_time_rate),
                }
                for a, i in data["indicators"]
            ],
        }
    )

    if result is not None:
        plan_text = _("Theo %(plan)s — %(phase)s (từ %(starts)s đến %(ends)s), tính đến ngày %(on)s:") % {
            "plan": result.plan.name,
            "phase": result.phase.name,
            "starts": f"{result.phase.starts:%d/%m/%Y}",
            "ends": f"{result.phase.ends:%d/%m/%Y}",
            "on": f"{result.on:%d/%m/%Y}",
        }
        bullets = []
        for row in [*result.levels, result.province]:
            for metric in (Metric.ON_THE_SPOT, Metric.DELEGATED):
                m = row.measures[metric]
                if not m.base and not m.agencies:
                    continue  # a level with no agency in the report (e.g. districts after 1/7/2025)
                text = _("%(scope)s — %(metric)s: %(count)s/%(base)s thủ tục (%(share)s)") % {
                    "scope": row.label,
                    "metric": Metric(metric).label,
                    "count": number(m.count),
                    "base": number(m.base),
                    "share": _pct(m.share),
                }
                if m.target is not None:
                    text += "; " + _("chỉ tiêu %(target)s: %(light)s") % {
                        "target": _pct(m.target),
                        "light": m.light.text.lower(),
                    }
                if m.agencies:
                    text += "; " + _("%(met)s/%(n)s cơ quan đạt") % {"met": m.met, "n": m.agencies}
                bullets.append(text)
        sections.append(
            {
                "heading": _("II. MỨC ĐỘ HOÀN THÀNH CHỈ TIÊU KẾ HOẠCH"),
                "paragraphs": [plan_text],
                "bullets": bullets,
            }
        )
    else:
        sections.append(
            {
                "heading": _("II. MỨC ĐỘ HOÀN THÀNH CHỈ TIÊU KẾ HOẠCH"),
                "paragraphs": [_("Chưa có kế hoạch, giai đoạn và chỉ tiêu để đánh giá.")],
                "bullets": [],
            }
        )

    found = [f for f in data["flags"] if f.count]
    sections.append(
        {
            "heading": _("III. DẤU HIỆU CẦN KIỂM TRA TÍNH THỰC CHẤT"),
            "paragraphs": [] if found else [_("Không phát hiện dấu hiệu cần kiểm tra trong kỳ.")],
            "bullets": [f"{f.title}: {number(f.count)}" for f in found],
        }
    )

    follow_ups: list[Inspection] = data["follow_ups"]
    overdue = [i for i in follow_ups if i.follow_up_due is not None and i.follow_up_due < data["on"]]
    sections.append(
        {
            "heading": _("IV. KIỂM TRA VÀ KHẮC PHỤC"),
            "paragraphs": [
                _(
                    "Trong kỳ có %(n)s cuộc kiểm tra. Còn %(open)s yêu cầu khắc phục chưa hoàn thành, trong đó "
                    "%(overdue)s yêu cầu đã quá hạn."
                )
                % {
                    "n": number(data["inspections"]),
                    "open": number(len(follow_ups)),
                    "overdue": number(len(overdue)),
                }
            ],
            "bullets": [
                _("%(who)s: %(what)s (hạn %(due)s)")
                % {
                    "who": (i.agency.short_name or i.agency.name) if i.agency else _("Trung tâm"),
                    "what": " ".join(i.required_actions.split()),
                    "due": f"{i.follow_up_due:%d/%m/%Y}" if i.follow_up_due else "—",
                }
                for i in overdue
            ],
        }
    )
    heads = directors(center)
    parent = center.agency
    view = {
        "title": _("Báo cáo kết quả thực hiện “5 tại chỗ” từ %(start)s đến %(end)s")
        % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"},
        "center_name": center.name,
        "center_upper": center.name.upper(),
        "parent_agency": (parent.short_name or parent.name).upper(),
        "number": "……/BC-TTPVHCC",
        "place_date": format_place_date(_place(center), generated.date()),
        "subject": _("Kết quả thực hiện cơ chế “5 tại chỗ” tại %(center)s") % {"center": center.name},
        "period": _("(Từ ngày %(start)s đến ngày %(end)s)")
        % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"},
        "intro": [
            _(
                "%(center)s báo cáo kết quả thực hiện cơ chế “5 tại chỗ” (tiếp nhận, thẩm định, phê duyệt, đóng dấu "
                "và trả kết quả tại chỗ) của các cơ quan tiếp nhận hồ sơ tại Trung tâm như sau. Số liệu lập tự động "
                "từ hệ thống lúc %(at)s; chi tiết tại các phụ lục kèm theo."
            )
            % {"center": center.name, "at": generated.strftime("%H:%M ngày %d/%m/%Y")}
        ],
        "sections": sections,
        "recipients": [
            _("%(province)s (để báo cáo);") % {"province": parent.name},
            _("Các cơ quan có tên tại Phụ lục;"),
            _("Lưu: VT."),
        ],
        "signer_title": _("GIÁM ĐỐC"),
        "signer_name": heads[0].get_full_name() if heads else None,
        "tables": [_table_view(t) for t in data["tables"]],
    }
    return json.loads(nfc(json.dumps(view, ensure_ascii=False)))


# --- rendering ---------------------------------------------------------------------------------------------

# One compiler per process behind a lock: a typst compiler holds its inputs between calls.
_LOCK = threading.Lock()


@cache
def _compiler() -> typst.Compiler:
    # The fonts of the official papers (taicho.documents.render: TAICHO_PDF_FONT_DIRS, then TeX Gyre Termes),
    # loaded once per process and shared.
    from taicho.documents.render import _fonts

    return typst.Compiler(str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=_fonts())


def summary_pdf(data: dict[str, Any]) -> bytes:
    """The province summary as a PDF (A4; appendices landscape)."""
    view = _view(data)
    local = timezone.localtime(data["generated_at"]).replace(microsecond=0)
    # typst wants a fixed-offset creation time (as in taicho.documents.render).
    generated = local.replace(tzinfo=dt_timezone(local.utcoffset() or timedelta(hours=7)))
    with _LOCK:
        try:
            pdf = _compiler().compile(
                format="pdf", sys_inputs={"data": json.dumps(view, ensure_ascii=False)}, timestamp=generated
            )
        except typst.TypstError as exc:  # a template bug, not the data
            raise RenderError(
                _("Không dựng được tệp PDF của báo cáo: %(error)s") % {"error": exc.message}
            ) from exc
    assert isinstance(pdf, bytes)
    return pdf


def summary_xlsx(data: dict[str, Any]) -> bytes:
    title = _("%(center)s — báo cáo “5 tại chỗ” từ %(start)s đến %(end)s") % {
        "center": data["center"].name,
        "start": f"{data['start']:%d/%m/%Y}",
        "end": f"{data['end']:%d/%m/%Y}",
    }
    return xlsx_bytes(data["tables"], title)


def file_base(center: Center | None, start: date, end: date) -> str:
    code = center.code if center is not None else "tinh"
    if start.day == 1 and end == month_bounds(start.year, start.month)[1]:
        return f"bao-cao-{code}-{start:%Y-%m}"
    return f"bao-cao-{code}-{start:%Y%m%d}-{end:%Y%m%d}"


# --- the report run: a job a person can see ----------------------------------------------------------------


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, RenderError):
        return str(exc)
    return _("Lỗi khi lập báo cáo (%(kind)s): %(detail)s") % {"kind": type(exc).__name__, "detail": exc}


def prepare_report(run: ReportRun) -> ReportRun:
    """Render the run's PDF and xlsx and store them on it (see the module's contract). Never raises for a failure
    of the report itself: the row says what went wrong."""
    run = ReportRun.objects.select_related("center", "center__agency", "plan").get(pk=run.pk)
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.RUNNING, error="")
    written: list[str] = []
    storage = run.pdf.storage
    old = [name for name in (run.pdf.name, run.xlsx.name) if name]
    try:
        if run.center is None:
            raise DomainError(_("Báo cáo chưa gắn với trung tâm nào."))
        stats.refresh()  # the figures of the period are up to date with the events
        plan = run.plan or default_plan()
        data = summary_data(
            run.center, run.period_start, run.period_end, plan, phase_on(plan, run.period_end)
        )
        pdf, xlsx = summary_pdf(data), summary_xlsx(data)
        base = file_base(run.center, run.period_start, run.period_end)
        written.append(storage.save(f"reports/{run.period_start:%Y}/{base}.pdf", ContentFile(pdf)))
        written.append(storage.save(f"reports/{run.period_start:%Y}/{base}.xlsx", ContentFile(xlsx)))
        with transaction.atomic():
            ReportRun.objects.filter(pk=run.pk).update(
                status=ReportRun.Status.DONE,
                pdf=written[0],
                xlsx=written[1],
                plan=plan,
                error="",
                finished_at=timezone.now(),
            )
    except Exception as exc:
        logger.exception("report run %s failed", run.pk)
        for name in written:  # nothing half-written: the files stored before the failure go again
            try:
                storage.delete(name)
            except OSError:
                logger.exception("could not delete %s", name)
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.FAILED, error=_error_text(exc), finished_at=timezone.now()
        )
    else:
        for name in old:  # a run prepared again: the previous files are replaced
            if name not in written:
                storage.delete(name)
    run.refresh_from_db()
    return run


def monthly_run(*, center: Center, year: int, month: int, requested_by: Staff | None = None) -> ReportRun:
    """The row of `center`'s report for the month (created once; unique per period in the database)."""
    start, end = month_bounds(year, month)
    with transaction.atomic():
        run, _created = ReportRun.objects.get_or_create(
            kind=MONTHLY,
            center=center,
            period_start=start,
            period_end=end,
            defaults={"requested_by": requested_by, "plan": default_plan()},
        )
    return run


def _claim(run: ReportRun) -> bool:
    """Take the run for preparation unless another worker has it or it is done: a conditional update, so two
    workers never prepare the same run."""
    return bool(
        ReportRun.objects.filter(
            pk=run.pk, status__in=[ReportRun.Status.QUEUED, ReportRun.Status.FAILED]
        ).update(status=ReportRun.Status.RUNNING)
    )


def send_report(run: ReportRun) -> list[str]:
    """Mail the prepared report (PDF and xlsx attached) to the center's director(s) unless it was sent already;
    returns the addresses it was sent to now (empty when already sent or nobody has an address)."""
    run = ReportRun.objects.select_related("center").get(pk=run.pk)
    if run.status != ReportRun.Status.DONE or run.sent_to or run.center is None:
        return []
    to = [s.email for s in directors(run.center)]
    if not to:
        logger.warning("report run %s: the center has no director with an e-mail address", run.pk)
        return []
    period = (
        f"{run.period_start:%m/%Y}"
        if run.kind == MONTHLY
        else f"{run.period_start:%d/%m/%Y}–{run.period_end:%d/%m/%Y}"
    )
    subject = _("Báo cáo tháng %(period)s: kết quả thực hiện “5 tại chỗ” — %(center)s") % {
        "period": period,
        "center": run.center.name,
    }
    body = _(
        "Kính gửi Giám đốc Trung tâm,\n\n"
        "Hệ thống gửi kèm báo cáo kết quả thực hiện cơ chế “5 tại chỗ” từ ngày %(start)s đến ngày %(end)s:\n"
        "- báo cáo tổng hợp (PDF);\n"
        "- bảng số liệu chi tiết (xlsx).\n\n"
        "Thư này được gửi tự động; báo cáo cũng có trên trang Giám sát › Báo cáo.\n"
    ) % {"start": f"{run.period_start:%d/%m/%Y}", "end": f"{run.period_end:%d/%m/%Y}"}
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    base = Path(run.pdf.name).stem
    with run.pdf.open("rb") as f:
        message.attach(f"{base}.pdf", f.read(), "application/pdf")
    with run.xlsx.open("rb") as f:
        message.attach(f"{base}.xlsx", f.read(), XLSX_TYPE)
    # Sent after the files were committed (design.md rule 5); recorded right after, so the next run skips it.
    message.send()
    ReportRun.objects.filter(pk=run.pk).update(sent_to=to)
    return to


def run_monthly(*, center_id: int, year: int, month: int) -> dict[str, Any]:
    """Create (once) the center's report for the month, prepare it unless done, mail it unless sent. Safe to run
    again: a done run is not rendered again, a sent one not mailed again."""
    center = Center.objects.select_related("agency").get(pk=center_id)
    run = monthly_run(center=center, year=year, month=month)
    if _claim(run):
        run = prepare_report(run)
    sent = send_report(run)
    run.refresh_from_db()
    return {
        "run": run.pk,
        "status": run.status,
        "error": run.error,
        "pdf": run.pdf.name,
        "xlsx": run.xlsx.name,
        "sent_now": sent,
        "sent_to": run.sent_to,
    }


def request_monthly_report(
    *, center: Center, year: int, month: int, requested_by: Staff
) -> tuple[ReportRun, bool]:
    """The "Lập báo cáo tháng" button: the run for a finished month, queued for the background worker unless it
    is done or already being prepared. Returns (run, whether a job was queued); the caller enqueues the task
    after commit."""
    if not is_supervisor(requested_by):
        raise NotAllowed(_("Chỉ lãnh đạo Trung tâm, thanh tra và quản trị được lập báo cáo."))
    _start, end = month_bounds(year, month)
    if end >= timezone.localdate():
        raise DomainError(_("Chỉ lập báo cáo tháng cho tháng đã kết thúc."), code="invalid")
    run = monthly_run(center=center, year=year, month=month, requested_by=requested_by)
    queued = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.FAILED).update(
        status=ReportRun.Status.QUEUED, error="", requested_by=requested_by
    )
    run.refresh_from_db()
    return run, bool(queued) or run.status == ReportRun.Status.QUEUED


def runs_visible_to(user: Any) -> QuerySet[ReportRun]:
    """Reports of the user's center, for supervisors (design.md rule 6); every center's for a superuser
    without one."""
    qs = ReportRun.objects.select_related("center", "requested_by")
    if not is_supervisor(user):
        return qs.none()
    if getattr(user, "center_id", None):
        return qs.filter(center_id=user.center_id)
    return qs if user.is_superuser else qs.none()
