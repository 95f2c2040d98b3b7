from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (names looked up once per page)."""
    return mapping.get(key, "") if mapping else ""
