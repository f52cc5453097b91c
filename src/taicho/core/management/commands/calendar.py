"""`taicho calendar load PATH` and `taicho calendar due START LIMIT`: maintain and check the working calendar."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from taicho.core.calendar import calendar_for, due_at, working_time_between
from taicho.core.services import load_official_calendar
from taicho.core.workcal import CalendarError, TimeLimit
from taicho.org.models import Center

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def parse_instant(text: str) -> datetime:
    """An instant as an administrator types it: ISO 8601, local Vietnam time when no offset is given."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(
            _("Thời điểm “%(text)s” không hợp lệ; dùng dạng 2026-02-13 10:00 (giờ Việt Nam) hoặc ISO 8601.")
            % {"text": text}
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=VN)


class Command(BaseCommand):
    help = _("Lịch làm việc: nạp lịch nghỉ chính thức, tính hạn giải quyết, đo thời gian làm việc.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help=_("Nạp lịch nghỉ lễ và ngày làm bù từ tệp CSV"))
        load.add_argument("path")
        due = sub.add_parser(
            "due", help=_("In thời điểm hết hạn (ISO 8601) của một thời hạn bắt đầu từ START")
        )
        due.add_argument("start")
        due.add_argument("limit", help=_('Ví dụ: "3 working days", "3 ngày làm việc", "4 giờ", "trong ngày"'))
        due.add_argument("--center", help=_("Mã trung tâm (mặc định: lịch chung)"))
        elapsed = sub.add_parser("elapsed", help=_("In thời gian làm việc giữa hai thời điểm"))
        elapsed.add_argument("start")
        elapsed.add_argument("end")
        elapsed.add_argument("--center")
        day = sub.add_parser("day", help=_("Cho biết một ngày có phải ngày làm việc không"))
        day.add_argument("date")

    def handle(self, *args: object, **options: str) -> None:
        action = options["action"]
        if action == "load":
            try:
                result = load_official_calendar(source=options["path"])
            except ValidationError as exc:
                raise CommandError("\n".join(exc.messages)) from exc
            self.stdout.write(
                _(
                    "Đã nạp lịch: %(created)d ngày mới, %(updated)d ngày cập nhật, %(unchanged)d ngày không đổi."
                )
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
            )
            return
        center = self._center(options.get("center"))
        try:
            if action == "due":
                limit = TimeLimit.parse(options["limit"])
                self.stdout.write(due_at(parse_instant(options["start"]), limit, center=center).isoformat())
            elif action == "elapsed":
                spent = working_time_between(
                    parse_instant(options["start"]), parse_instant(options["end"]), center=center
                )
                hours, rest = divmod(int(spent.total_seconds()), 3600)
                self.stdout.write(f"{hours}:{rest // 60:02d}:{rest % 60:02d}")
            elif action == "day":
                day = parse_instant(options["date"]).date()
                cal = calendar_for(None)
                verdict = _("ngày làm việc") if cal.is_working_day(day) else _("ngày nghỉ")
                self.stdout.write(f"{day.isoformat()}: {verdict} — {cal.day_kind_reason(day)}")
        except CalendarError as exc:
            raise CommandError(str(exc)) from exc

    def _center(self, code: str | None) -> Center | None:
        if not code:
            return None
        try:
            return Center.objects.get(code=code)
        except Center.DoesNotExist as exc:
            raise CommandError(_("Không có trung tâm mã “%(code)s”.") % {"code": code}) from exc
