"""Admin for system administrators: organisations, units, users and memberships.

Participant content is deliberately not registered here: the admin role has no
access to casework, and the admin site bypasses the selectors, grants and
access log.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organisation, Unit, User
from .services import user_deactivate

MEMBERSHIP_FIELDS = ("user", "organisation", "role", "active_from", "active_to")


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("name", "trade", "active")


class MembershipInline(admin.TabularInline):
    """Read-only: memberships are added and ended on the membership page."""

    model = Membership
    extra = 0
    fields = ("organisation", "role", "active_from", "active_to")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "municipality", "county", "organisation_number")
    list_filter = ("kind", "county")
    search_fields = ("name", "organisation_number", "municipality")
    filter_horizontal = ("statistics_shared_with",)
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "trade", "active")
    list_filter = ("trade", "active", "organisation")
    search_fields = ("name", "organisation__name")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            # Otherwise an administrator could raise their own privileges.
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: history and audit rows point at the user

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            # Through the service, so the user's sessions end at once.
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            user_deactivate(user=obj, acting_user=request.user)


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = MEMBERSHIP_FIELDS

    def clean(self):
        cleaned = super().clean()
        role, organisation = cleaned.get("role"), cleaned.get("organisation")
        kind = Membership.ROLE_ORGANISATION_KIND.get(role)
        if organisation is not None and kind is not None and organisation.kind != kind:
            raise forms.ValidationError(
                _("This role belongs at an organisation of the kind “%(kind)s”.")
                % {"kind": Organisation.Kind(kind).label}
            )
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("user", "organisation", "role", "active_from", "active_to")
    list_filter = ("role", "organisation__kind", "organisation")
    search_fields = ("user__username", "user__first_name", "user__last_name", "organisation__name")
    list_select_related = ("user", "organisation")
    autocomplete_fields = ("user", "organisation")
    date_hierarchy = "active_from"

    def get_readonly_fields(self, request, obj=None):
        # Ending or changing a membership must revoke the grants it gave, which
        # the membership_end service does; the admin only adds memberships.
        return MEMBERSHIP_FIELDS if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = "membership added in the admin"
        super().save_model(request, obj, form, change)
