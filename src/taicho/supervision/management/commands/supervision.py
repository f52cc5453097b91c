"""`taicho supervision refresh | rebuild | monthly-report | enqueue-monthly`: keep the supervision figures current
and produce the monthly report (for cron, or by hand)."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from taicho.core.errors import DomainError
from taicho.org.models import Center
from taicho.supervision import reports, stats
from taicho.supervision.models import ReportRun
from taicho.supervision.tasks import enqueue_monthly_reports, monthly_report


def _where(name: str) -> str:
    """A stored file's path on this machine, or its name in the object store."""
    if not name:
        return "—"
    try:
        return default_storage.path(name)
    except NotImplementedError:
        return name


class Command(BaseCommand):
    help = _("Giám sát “5 tại chỗ”: cập nhật số liệu tổng hợp, lập và gửi báo cáo tháng.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("refresh", help=_("Cập nhật số liệu tổng hợp từ các sự kiện hồ sơ mới"))
        sub.add_parser("rebuild", help=_("Tính lại toàn bộ số liệu tổng hợp từ đầu"))
        monthly = sub.add_parser(
            "monthly-report", help=_("Lập ngay báo cáo tháng và gửi cho Giám đốc Trung tâm")
        )
        monthly.add_argument("--center", help=_("Mã trung tâm (mặc định: mọi trung tâm)"))
        monthly.add_argument("--month", help=_("Tháng báo cáo, dạng YYYY-MM (mặc định: tháng trước)"))
        sub.add_parser(
            "daily",
            help=_(
                "Việc hằng ngày (cron): đưa vào thực hiện các thủ tục 5 tại chỗ đến ngày hiệu lực, cập nhật số liệu"
            ),
        )
        sub.add_parser(
            "enqueue-monthly",
            help=_("Xếp hàng lập báo cáo tháng trước cho mọi trung tâm chưa có (dùng cho cron)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "refresh":
            n = stats.refresh()
            self.stdout.write(_("Đã cập nhật số liệu của %(n)d hồ sơ.") % {"n": n})
        elif action == "rebuild":
            n = stats.rebuild()
            self.stdout.write(_("Đã tính lại số liệu của %(n)d hồ sơ.") % {"n": n})
        elif action == "daily":
            from taicho.supervision.services import activate_due

            activated = activate_due(timezone.localdate())
            self.stdout.write(
                _("Đã đưa vào thực hiện %(n)d thủ tục 5 tại chỗ đến ngày hiệu lực.") % {"n": activated}
            )
            n = stats.refresh()
            self.stdout.write(_("Đã cập nhật số liệu của %(n)d hồ sơ.") % {"n": n})
        elif action == "enqueue-monthly":
            queued = enqueue_monthly_reports(timezone.localdate())
            if not queued:
                self.stdout.write(_("Mọi trung tâm đã có báo cáo tháng trước."))
            for center, run in queued:
                self.stdout.write(
                    _("Đã xếp hàng báo cáo tháng %(month)s của %(center)s.")
                    % {"month": f"{run.period_start:%m/%Y}", "center": center.name}
                )
        else:
            self._monthly(options.get("center"), options.get("month"))

    def _monthly(self, code: str | None, month_text: str | None) -> None:
        if month_text:
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", month_text.strip())
            if not match:
                raise CommandError(
                    _("Tháng “%(m)s” không hợp lệ; dùng dạng YYYY-MM, ví dụ 2026-10.") % {"m": month_text}
                )
            year, month = int(match[1]), int(match[2])
        else:
            year, month = reports.previous_month(timezone.localdate())
        try:
            reports.month_bounds(year, month)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        centers = Center.objects.order_by("code")
        if code:
            centers = centers.filter(code=code.strip())
            if not centers.exists():
                raise CommandError(_("Không có trung tâm mã “%(code)s”.") % {"code": code})
        failed = False
        for center in centers:
            outcome = monthly_report.call(center.pk, year, month)
            self.stdout.write(
                _("%(center)s — báo cáo tháng %(month)02d/%(year)d:")
                % {"center": center.name, "month": month, "year": year}
            )
            if outcome["status"] != ReportRun.Status.DONE:
                failed = True
                self.stderr.write(
                    "  " + _("Lỗi: %(error)s") % {"error": outcome["error"] or outcome["status"]}
                )
                continue
            self.stdout.write("  " + _("Tệp PDF: %(path)s") % {"path": _where(outcome["pdf"])})
            self.stdout.write("  " + _("Tệp xlsx: %(path)s") % {"path": _where(outcome["xlsx"])})
            if outcome["sent_now"]:
                self.stdout.write("  " + _("Đã gửi tới: %(to)s") % {"to": ", ".join(outcome["sent_now"])})
            elif outcome["sent_to"]:
                self.stdout.write(
                    "  "
                    + _("Đã gửi trước đó tới: %(to)s (không gửi lại)") % {"to": ", ".join(outcome["sent_to"])}
                )
            else:
                self.stdout.write("  " + _("Chưa gửi: trung tâm chưa có Giám đốc có địa chỉ thư điện tử."))
        if failed:
            raise CommandError(_("Có báo cáo chưa lập được."))
