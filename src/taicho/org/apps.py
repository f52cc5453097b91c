from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "taicho.org"
    label = "org"
    verbose_name = _("Tổ chức: cơ quan, trung tâm, cán bộ, ủy quyền")
