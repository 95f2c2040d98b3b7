"""The user's own notifications: the list, opening one, marking all read, and the
choice of how to be told. A notification holds a kind and a link only, so none of
these pages reads person data or records an access event: opening the item is
where its own selector and access event come in."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from desk.forms.notifications import PreferencesForm
from notifications.selectors import (
    notification_get_for,
    notification_list_for,
    preferences_for,
)
from notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    preferences_set,
)

PAGE_SIZE = 30


@require_GET
def notification_list(request):
    """The newest first, unread marked; two queries (the page and its count)."""
    page = Paginator(notification_list_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "desk/notifications/list.html", {"page": page})


@require_POST
def notification_open(request, notification_id):
    """Mark the notification read and go to its item (whose own page checks access)."""
    notification = notification_get_for(user=request.user, notification_id=notification_id)
    notification_mark_read(notification=notification, acting_user=request.user)
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(notification.url)


@require_POST
def notifications_read_all(request):
    count = notifications_mark_all_read(acting_user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    """Per kind: in Stegvis only, or also by e-mail at once or once a day."""
    form = PreferencesForm(
        request.POST or None, initial_deliveries=preferences_for(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        preferences_set(user=request.user, deliveries=form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Your choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "desk/notifications/preferences.html", {"form": form})
