"""Hours and weekdays as the active language writes them."""

from django import template

from placements.selectors import hours_display, weekdays_display

register = template.Library()


@register.filter
def hours(value) -> str:
    return "" if value in (None, "") else hours_display(value)


@register.filter
def weekdays(codes: str) -> str:
    return weekdays_display(codes or "")
