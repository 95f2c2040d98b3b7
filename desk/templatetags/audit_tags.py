from django import template
from django.utils.translation import gettext as _

from audit.reasons import reason_label

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (names looked up once per page)."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def change_reason(reason):
    """A history change reason in the reader's language (``audit.reasons``)."""
    return reason_label(reason)


@register.filter
def history_value(value):
    """A plain value from a history row, as a reader writes it (yes/no, not True/False)."""
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value in (None, ""):
        return "–"
    return value
