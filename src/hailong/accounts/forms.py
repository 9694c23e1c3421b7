"""The sign-in, second-step and user-screen forms; rules live in services and lockout."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        error_messages={"required": "Hãy nhập tên đăng nhập / enter your username"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": "Hãy nhập mật khẩu / enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        error_messages={"required": "Hãy nhập mã xác thực / enter the code"},
        help_text=_("The 6 digits your authenticator app shows now, or a recovery code"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        error_messages={"required": "Hãy nhập mã 6 chữ số / enter the 6-digit code"},
        help_text=_("The 6 digits the app shows after adding the account"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class UnitField(forms.CharField):
    """A unit typed or picked by its code (the list suggests ``code — name``)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            label=_("Unit"),
            required=False,
            max_length=300,
            help_text=_("Type a code or name and pick from the list; empty: the whole province"),
            widget=forms.TextInput(attrs={"list": "units-list", "autocomplete": "off"}),
            **kwargs,  # type: ignore[arg-type]
        )


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        error_messages={
            "required": "Hãy chọn vai trò / choose a role",
            "invalid_choice": "Bạn không giao được vai trò này / you may not grant this role",
        },
    )
    unit = UnitField()


class UserCreateForm(RoleGrantForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        error_messages={"required": "Hãy nhập tên đăng nhập / enter a username"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("For example: Nguyễn Thị Lan"),
        error_messages={"required": "Hãy nhập họ và tên / enter the full name"},
    )
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    field_order = ["username", "full_name", "email", "role", "unit"]
