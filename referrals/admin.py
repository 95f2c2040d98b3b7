"""Agency–enterprise agreements, managed by the system administrators alongside
organisations and units. Referrals and messages hold personal data and are
deliberately not registered here."""

from django.contrib import admin

from .models import Agreement


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("agency", "enterprise", "valid_from", "valid_to", "reference")
    list_filter = ("agency", "enterprise")
    list_select_related = ("agency", "enterprise")
    search_fields = ("agency__name", "enterprise__name", "reference")
    date_hierarchy = "valid_from"
