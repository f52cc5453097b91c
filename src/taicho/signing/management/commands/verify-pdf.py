"""`taicho verify-pdf FILE`: the validation report of a signed PDF; exits non-zero when it fails."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _(
        "Kiểm tra chữ ký số trên tệp PDF (người ký, thời điểm, chứng thư, con dấu, mức độ thay đổi); "
        "thoát với mã khác 0 nếu không hợp lệ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--trust", action="append", default=[], help=_("Thêm chứng thư gốc tin cậy (PEM/DER)")
        )
        parser.add_argument(
            "--no-seal", action="store_true", help=_("Không yêu cầu con dấu điện tử của cơ quan")
        )

    def handle(self, *args: object, **options: object) -> None:
        from taicho.signing import services as signing
        from taicho.signing.validate import format_report, validate_pdf

        path = Path(str(options["file"]))
        try:
            content = path.read_bytes()
            extra = [Path(p).read_bytes() for p in options["trust"]]  # type: ignore[attr-defined]
        except OSError as exc:
            raise CommandError(_("Không đọc được tệp: %(error)s") % {"error": exc}) from exc
        roots = signing.trust_roots() + extra
        if not roots:
            raise CommandError(
                _("Chưa có chứng thư gốc tin cậy nào (thêm trong trang quản trị hoặc dùng --trust).")
            )
        report = validate_pdf(
            content, trust_roots=roots, crls=signing.crls(), expect_seal=not options["no_seal"]
        )
        self.stdout.write(format_report(report))
        if not report.ok:
            raise CommandError(_("Tệp KHÔNG hợp lệ."))
