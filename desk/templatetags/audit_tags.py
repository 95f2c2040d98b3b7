from django import template

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
