"""`taicho api-token USERNAME [--name NAME]`: issue a bearer token for the JSON API (printed once)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from taicho.org.models import Staff
from taicho.org.services import issue_api_token


class Command(BaseCommand):
    help = _("Cấp khóa truy cập API cho một tài khoản cán bộ (chỉ hiện một lần).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API")

    def handle(self, *args: object, **options: str) -> None:
        try:
            staff = Staff.objects.get(username=options["username"], is_active=True)
        except Staff.DoesNotExist as exc:
            raise CommandError(
                _("Không có tài khoản đang hoạt động “%(u)s”.") % {"u": options["username"]}
            ) from exc
        self.stdout.write(issue_api_token(staff=staff, name=options["name"]))
