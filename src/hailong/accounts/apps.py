from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hailong.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib import admin

        from .views.signin import admin_login, admin_permission

        # One way in: the admin's login sends to /dang-nhap/ with its lockout and second step.
        admin.site.login = admin_login  # type: ignore[method-assign]
        # The admin knows no unit scopes: only superusers and whole-province administrators.
        admin.site.has_permission = admin_permission  # type: ignore[method-assign]
