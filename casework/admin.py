"""Admin for the progress instruments (their areas inline).

Notes, goals, assessments, reviews, exits and follow-ups are participant
content and are deliberately not registered.
"""

from django.contrib import admin

from .models import Instrument, Item


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ("position", "code", "label", "description", "min_score", "max_score")
    ordering = ("position",)


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "version", "active")
    list_filter = ("active",)
    search_fields = ("name", "code")
    inlines = [ItemInline]
