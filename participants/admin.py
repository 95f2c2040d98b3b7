"""Admin for the consent wordings (no participant content is registered here).

A wording is never changed in place: saving an edited wording stores a new
version (``consent_template_save``), so each consent keeps pointing at the
words the person actually agreed to.
"""

from django.contrib import admin

from .models import ConsentTemplate
from .services import consent_template_save


@admin.register(ConsentTemplate)
class ConsentTemplateAdmin(admin.ModelAdmin):
    list_display = ("purpose", "version", "title", "created_at")
    list_filter = ("purpose",)
    fields = ("purpose", "title", "wording")
    ordering = ("purpose", "-version")

    def get_readonly_fields(self, request, obj=None):
        # The purpose of an existing wording stays: a new purpose is a new template.
        return ("purpose",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # Consents point at their wording; the versions are the record of what was agreed.
        return False

    def save_model(self, request, obj, form, change):
        saved = consent_template_save(
            purpose=obj.purpose, title=obj.title, wording=obj.wording, acting_user=request.user
        )
        # The admin redirects to and logs the new version.
        obj.pk, obj.version, obj.created_at = saved.pk, saved.version, saved.created_at
        obj._state.adding = False
