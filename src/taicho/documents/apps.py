from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "taicho.documents"
    label = "documents"
    verbose_name = _("Văn bản, kết quả và xác thực")
