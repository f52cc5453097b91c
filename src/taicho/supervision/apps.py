from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "taicho.supervision"
    label = "supervision"
    verbose_name = _("Giám sát, đánh giá “5 tại chỗ”")
