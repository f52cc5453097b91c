from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "taicho.public"
    label = "public"
    verbose_name = _("Tra cứu và xác thực công khai")
