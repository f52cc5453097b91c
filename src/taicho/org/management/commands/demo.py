"""`taicho demo`: load the demo center, accounts and real procedures, and print the logins."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from taicho.demo import build_demo


class Command(BaseCommand):
    help = _(
        "Tạo dữ liệu minh họa: trung tâm, cơ quan, tài khoản theo vai trò, thủ tục thật từ danh mục quốc gia."
    )

    def handle(self, *args: object, **options: object) -> None:
        summary = build_demo()
        run = summary.import_run
        if run is not None:
            self.stdout.write(
                _("Đã nhập danh mục: %(created)d thủ tục, %(flagged)d cần rà soát.")
                % {"created": run.created, "flagged": run.flagged}
            )
        self.stdout.write(_("Trung tâm: %(name)s") % {"name": summary.center})
        self.stdout.write(_("Thủ tục 5 tại chỗ: %(codes)s") % {"codes": ", ".join(summary.procedures)})
        self.stdout.write(_("Tài khoản minh họa (mật khẩu chung: %(pw)s):") % {"pw": summary.password})
        for username, full_name, roles in summary.accounts:
            self.stdout.write(f"  {username:<10} {full_name:<22} {roles}")
        self.stdout.write(_("Mã định danh Sở Tư pháp và UBND phường trong dữ liệu minh họa là mã giả định."))
