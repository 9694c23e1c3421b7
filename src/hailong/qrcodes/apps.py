from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrcodesConfig(AppConfig):
    name = "hailong.qrcodes"
    label = "qrcodes"
    verbose_name = _("QR codes and printables")
