"""`taicho load-units`: load the provinces and communes of the `vietnam-provinces` package."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from taicho.org.services import load_administrative_units


class Command(BaseCommand):
    help = _(
        "Nạp danh mục đơn vị hành chính (34 tỉnh, thành phố và 3.321 xã, phường) từ gói vietnam-provinces."
    )

    def handle(self, *args: object, **options: object) -> None:
        provinces, communes = load_administrative_units()
        self.stdout.write(
            _("Đơn vị hành chính: %(p)d tỉnh, thành phố; %(c)d xã, phường, đặc khu.")
            % {"p": provinces, "c": communes}
        )
