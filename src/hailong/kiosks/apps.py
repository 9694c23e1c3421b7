from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KiosksConfig(AppConfig):
    name = "hailong.kiosks"
    verbose_name = _("Kiosks")
    default_auto_field = "django.db.models.BigAutoField"
