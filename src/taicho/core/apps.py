from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "taicho.core"
    label = "core"
    verbose_name = _("Nền tảng: lịch làm việc và mã số")
