from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from hailong.audit.services import audit_record

from .models import RoleAssignment, SignInAttempt, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


def _role_logged(action: str, request: HttpRequest, assignment: RoleAssignment) -> None:
    """Write a role granted or taken back to the audit log, scoped to the role's unit."""
    audit_record(
        action=action,
        actor=request.user,  # type: ignore[arg-type]
        obj=assignment,
        unit=assignment.unit,
        data={
            "user": assignment.user.get_username(),
            "role": assignment.role,
            "unit": assignment.unit.code if assignment.unit else None,
        },
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        """Save the roles, logging each grant and revocation (a changed row is both)."""
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        before = {
            f.instance.pk: RoleAssignment.objects.select_related("unit", "user").get(
                pk=f.instance.pk
            )
            for f in formset.initial_forms
            if f.instance.pk and (f in formset.deleted_forms or f.has_changed())
        }
        deleted = [before[f.instance.pk] for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        for assignment in deleted:  # deleting clears the pk of the formset's own copies
            _role_logged("user.role_revoke", request, assignment)
        for assignment, _fields in formset.changed_objects:
            _role_logged("user.role_revoke", request, before[assignment.pk])
            _role_logged("user.role_grant", request, assignment)
        for assignment in formset.new_objects:
            _role_logged("user.role_grant", request, assignment)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        for assignment in obj.roles.select_related("unit"):
            _role_logged("user.role_revoke", request, assignment)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for assignment in RoleAssignment.objects.filter(user__in=queryset).select_related(
            "unit", "user"
        ):
            _role_logged("user.role_revoke", request, assignment)
        super().delete_queryset(request, queryset)


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
