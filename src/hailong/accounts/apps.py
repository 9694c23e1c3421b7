from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hailong.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib import admin

        from .views.signin import admin_login

        # One way in: the admin's login sends to /dang-nhap/ with its lockout and second step.
        admin.site.login = admin_login  # type: ignore[method-assign]
