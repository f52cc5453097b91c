"""`taicho import-catalog PATH...`: import the portal's xlsx list and/or detail records (JSON lines, .gz)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from taicho.catalog.services import ImportFailed, import_catalog_paths


class Command(BaseCommand):
    help = _(
        "Nhập danh mục thủ tục hành chính từ tệp của Cổng Dịch vụ công quốc gia (xlsx, jsonl, jsonl.gz)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+")
        parser.add_argument(
            "--effective-from",
            type=date.fromisoformat,
            default=None,
            help=_("Ngày áp dụng của các phiên bản mới (YYYY-MM-DD; mặc định hôm nay)"),
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            run = import_catalog_paths(options["paths"], effective_from=options["effective_from"])  # type: ignore[arg-type]
        except ImportFailed as exc:
            raise CommandError(
                _("Không nhập được, dữ liệu không thay đổi:\n%(problems)s")
                % {"problems": "\n".join(f"- {p}" for p in exc.problems)}
            ) from exc
        self.stdout.write(
            _(
                "Đã nhập: %(created)d thủ tục mới, %(versions)d phiên bản mới, %(unchanged)d không đổi, %(flagged)d cần rà soát."
            )
            % {
                "created": run.created,
                "versions": run.new_versions,
                "unchanged": run.unchanged,
                "flagged": run.flagged,
            }
        )
