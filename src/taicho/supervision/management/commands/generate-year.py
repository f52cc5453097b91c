"""`taicho generate-year --dossiers 20000 [--agencies N --procedures N --seed N --year-end YYYY-MM-DD]`: add a
generated year of dossiers to the province (on top of `taicho demo`), then recompute the supervision figures."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from taicho.org.models import Center
from taicho.supervision.generate import CENTER_CODE, generate_year


class Command(BaseCommand):
    help = _(
        "Sinh dữ liệu một năm của tỉnh (cơ quan, cán bộ, thủ tục, hồ sơ và toàn bộ diễn biến, đánh giá) để thử "
        "trang giám sát với khối lượng thật; chạy sau `taicho demo`. Dữ liệu sinh ra là dữ liệu minh họa."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, required=True, help=_("Số hồ sơ cần sinh (ví dụ 20000)"))
        parser.add_argument("--agencies", type=int, default=40, help=_("Số cơ quan của tỉnh (mặc định 40)"))
        parser.add_argument(
            "--procedures", type=int, default=1500, help=_("Tổng số thủ tục trong danh mục (mặc định 1500)")
        )
        parser.add_argument("--seed", type=int, default=1, help=_("Hạt giống ngẫu nhiên (mặc định 1)"))
        parser.add_argument(
            "--year-end",
            type=date.fromisoformat,
            default=None,
            help=_("Ngày cuối của năm dữ liệu, dạng YYYY-MM-DD (mặc định hôm nay)"),
        )
        parser.add_argument(
            "--center",
            default=CENTER_CODE,
            help=_("Mã trung tâm (mặc định %(code)s)") % {"code": CENTER_CODE},
        )
        parser.add_argument(
            "--no-stats", action="store_true", help=_("Không tính lại số liệu giám sát sau khi sinh dữ liệu")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dossiers"] < 0 or options["agencies"] < 1:
            raise CommandError(_("Số hồ sơ phải không âm và số cơ quan phải từ 1 trở lên."))
        center = Center.objects.filter(code=options["center"]).select_related("agency").first()
        if center is None and options["center"] != CENTER_CODE:
            raise CommandError(_("Không có trung tâm mã “%(code)s”.") % {"code": options["center"]})
        if center is None:
            self.stdout.write(
                _("Chưa có trung tâm %(code)s: sẽ tạo mới (nên chạy `taicho demo` trước).")
                % {"code": CENTER_CODE}
            )
        shown = {"last": -1.0}

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "setup" and done == 0:
                self.stdout.write(_("Chuẩn bị cơ quan, cán bộ, danh mục thủ tục…"))
            elif stage == "dossiers" and total and (done == total or time.monotonic() - shown["last"] > 5):
                shown["last"] = time.monotonic()
                self.stdout.write(
                    _("Hồ sơ: %(done)s / %(total)s (%(pct)d %%)")
                    % {"done": _number(done), "total": _number(total), "pct": 100 * done // total}
                )

        result = generate_year(
            dossiers=options["dossiers"],
            agencies=options["agencies"],
            procedures=options["procedures"],
            year_end=options["year_end"],
            seed=options["seed"],
            center=center,
            progress=progress,
        )
        seconds = result["timings"]["total_s"]
        self.stdout.write(
            _(
                "Đã sinh %(dossiers)s hồ sơ (%(start)s – %(end)s) của %(agencies)d cơ quan, %(procedures)s thủ tục "
                "(%(added)s thủ tục mới): %(events)s diễn biến, %(components)s thành phần hồ sơ (%(reused)s dùng lại), "
                "%(ratings)s đánh giá; %(finished)s đã giải quyết, %(in_process)s đang giải quyết, %(late)s trễ hạn. "
                "Thời gian: %(seconds).1f giây."
            )
            % {
                "dossiers": _number(result["dossiers"]),
                "start": f"{result['year_start']:%d/%m/%Y}",
                "end": f"{result['year_end']:%d/%m/%Y}",
                "agencies": result["agencies"],
                "procedures": _number(result["procedures"]),
                "added": _number(result["procedures_added"]),
                "events": _number(result["events"]),
                "components": _number(result["components"]),
                "reused": _number(result["reused"]),
                "ratings": _number(result["ratings"]),
                "finished": _number(result["finished"]),
                "in_process": _number(result["in_process"]),
                "late": _number(result["late"]),
                "seconds": seconds,
            }
        )
        if options["no_stats"]:
            self.stdout.write(
                _("Bỏ qua tính lại số liệu giám sát (chạy `taicho supervision rebuild` khi cần).")
            )
            return
        from taicho.supervision import stats

        self.stdout.write(_("Tính lại số liệu giám sát…"))
        started = time.perf_counter()
        count = stats.rebuild()
        _analyze()
        self.stdout.write(
            _("Đã tính lại số liệu của %(n)s hồ sơ trong %(seconds).1f giây.")
            % {"n": _number(count), "seconds": time.perf_counter() - started}
        )


def _analyze() -> None:
    """Planner statistics for the read models just rewritten: without them SQLite does not use the partial
    indexes of the flag lists (seconds instead of milliseconds at a million dossiers), and PostgreSQL waits
    for autovacuum."""
    from django.db import connection

    from taicho.supervision import models

    tables = [
        m._meta.db_table
        for m in (models.DossierFacts, models.DailyStat, models.AgencyDailyStat, models.OfficerDailyStat)
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _number(value: int) -> str:
    """1.000.000: thousands separated by dots, as Vietnamese writes them."""
    return f"{value:,}".replace(",", ".")
