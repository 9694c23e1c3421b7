from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from .models import RoleAssignment, SignInAttempt, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    """Read only: who tried to sign in, from which (hashed) address, and whether it worked."""

    list_display = ["username", "at", "ok", "client_hash"]
    list_filter = ["ok"]
    search_fields = ["username"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
