"""Admin for system administrators: organisations, units, users and memberships.

Participant content is deliberately not registered here: the admin role has no
access to casework, and the admin site bypasses the selectors, grants and
access log.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.templatetags.static import static
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership, Organisation, Unit, User
from .services import (
    membership_approve,
    membership_request,
    membership_request_validate,
    user_deactivate,
)

MEMBERSHIP_FIELDS = ("user", "organisation", "role", "active_from", "active_to")


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("name", "trade", "active")


class MembershipInline(admin.TabularInline):
    """Read-only: memberships are added and ended on the membership page."""

    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "active_from", "active_to", "approved_at")
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


def _boolean_icon(value):
    """Django's yes/no icon, with a translated text (Django writes "True"/"False")."""
    name, text = {True: ("yes", _("Yes")), False: ("no", _("No")), None: ("unknown", _("Unknown"))}[
        value
    ]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


# Read by the admin's list, detail and read-only field displays at call time.
admin_list._boolean_icon = _boolean_icon  # type: ignore[attr-defined]


class SwedishAdminPasswordChangeForm(AdminPasswordChangeForm):
    """Django's form, with its warning (plain English in Django) translated."""

    usable_password_help_text = lazy(format_html, str)(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = SwedishAdminPasswordChangeForm
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

    #: The administrator filling in the form (set by MembershipAdmin.get_form).
    acting_user = None

    def clean(self):
        cleaned = super().clean()
        user, role, organisation = (cleaned.get(n) for n in ("user", "role", "organisation"))
        if self.instance._state.adding and None not in (user, role, organisation):
            try:
                membership_request_validate(
                    user=user, organisation=organisation, role=role, acting_user=self.acting_user
                )
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Memberships are requested here; one that sees participants waits for a second
    person's approval (the action below, or the enterprise's manager)."""

    form = MembershipAdminForm
    list_display = ("user", "organisation", "role", "active_from", "active_to", "approval")
    list_filter = ("role", "organisation__kind", "organisation")
    search_fields = ("user__username", "user__first_name", "user__last_name", "organisation__name")
    list_select_related = ("user", "organisation", "requested_by", "approved_by")
    autocomplete_fields = ("user", "organisation")
    date_hierarchy = "active_from"
    actions = ["approve_selected"]

    @admin.display(description=_("approval"))
    def approval(self, membership: Membership) -> str:
        if membership.approved_at is None:
            return _("Waiting for approval (asked by %(who)s)") % {
                "who": membership.requested_by or "–"
            }
        if membership.approved_by is None:
            return _("In force")
        return _("Approved by %(who)s") % {"who": membership.approved_by}

    def get_readonly_fields(self, request, obj=None):
        # Ending or changing a membership must revoke the grants it gave, which
        # the membership_end service does; the admin only asks for memberships.
        if obj is None:
            return ()
        return (*MEMBERSHIP_FIELDS, "requested_by", "approved_by", "approved_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied  # read-only once made (get_readonly_fields)
        try:
            saved = membership_request(
                user=obj.user,
                organisation=obj.organisation,
                role=obj.role,
                active_from=obj.active_from,
                acting_user=request.user,
            )
        except ValidationError as error:
            # The form's clean() ran the same checks; this is a race or a rule it lacks.
            raise PermissionDenied(" ".join(error.messages)) from None
        obj.pk, obj._state.adding, obj._state.db = saved.pk, False, saved._state.db
        if saved.approved_at is None:
            messages.warning(
                request,
                _(
                    "The membership waits for approval by another administrator or by a "
                    "manager of %(organisation)s; until then it gives no access."
                )
                % {"organisation": saved.organisation},
            )

    @admin.action(description=_("Approve the selected memberships"))
    def approve_selected(self, request, queryset):
        approved = 0
        for membership in queryset.filter(approved_at__isnull=True):
            try:
                membership_approve(membership=membership, acting_user=request.user)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request, f"{membership}: {' '.join(_messages(error))}", messages.ERROR
                )
            else:
                approved += 1
        if approved:
            self.message_user(request, _("%(count)s memberships approved.") % {"count": approved})


def _messages(error: Exception) -> list[str]:
    return list(getattr(error, "messages", None) or [str(error)])


# Second factors are set up by their users only (accounts.views_signin): an
# administrator never sees or sets a secret, so django-otp's device pages go.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
