"""The main menu in the header of every page, and what marks the current place.

Which entries a user sees is not decided here: an entry is shown exactly when
the access table admits the user to its target URL. The check comes in as
``may_open`` (``config.context_processors.navigation`` passes
``config.access.may_open``), since no app imports ``config``; there is no
second list of roles to keep in step with the table.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class MenuEntry:
    label: Promise
    #: URL names in order of preference: the first the user may open is the link.
    targets: tuple[str, ...]
    #: The pages that belong to the entry: a view name, or a namespace ("reports:").
    sections: tuple[str, ...]

    def holds(self, view_name: str) -> bool:
        return any(
            view_name.startswith(section) if section.endswith(":") else view_name == section
            for section in self.sections
        )


MAIN_MENU: tuple[MenuEntry, ...] = (
    MenuEntry(pgettext_lazy("main menu", "Home"), ("home",), ("home",)),
    MenuEntry(
        pgettext_lazy("main menu", "Participants"), ("participants:list",), ("participants:",)
    ),
    MenuEntry(pgettext_lazy("main menu", "Placements"), ("placements:list",), ("placements:",)),
    MenuEntry(pgettext_lazy("main menu", "Referrals"), ("referrals:list",), ("referrals:",)),
    MenuEntry(pgettext_lazy("main menu", "Attendance"), ("units:attendance",), ("units:",)),
    # Manager and analyst start from the outcome report (the analyst's is anonymised).
    MenuEntry(
        pgettext_lazy("main menu", "Reports"),
        ("reports:outcome", "reports:export_list"),
        ("reports:",),
    ),
    MenuEntry(pgettext_lazy("main menu", "Projects"), ("funding:list",), ("funding:",)),
    MenuEntry(pgettext_lazy("main menu", "Log review"), ("audit:events",), ("audit:",)),
    MenuEntry(
        pgettext_lazy("main menu", "Access requests"), ("memberships:pending",), ("memberships:",)
    ),
    # Managers request erasures and review retention; the data-protection officer approves.
    MenuEntry(pgettext_lazy("main menu", "Data protection"), ("erasure:list",), ("erasure:",)),
    MenuEntry(pgettext_lazy("main menu", "Administration"), ("admin:index",), ("admin:",)),
)

#: The participant search the header's search box posts to (never GET: a
#: personal identity number must not land in a URL or a log).
PARTICIPANT_SEARCH = "participants:list"


@dataclass(frozen=True)
class MenuLink:
    label: Promise
    url: str
    current: bool


@dataclass(frozen=True)
class Navigation:
    menu: list[MenuLink]
    #: Where the header's search box posts; None when the user may not search.
    search_url: str | None


def navigation_for(view_name: str, *, may_open: Callable[[str], bool]) -> Navigation:
    """The menu entries the user may open, the one holding ``view_name`` marked current."""
    menu = []
    for entry in MAIN_MENU:
        target = next((name for name in entry.targets if may_open(name)), None)
        if target is not None:
            menu.append(MenuLink(entry.label, reverse(target), entry.holds(view_name)))
    search_url = reverse(PARTICIPANT_SEARCH) if may_open(PARTICIPANT_SEARCH) else None
    return Navigation(menu=menu, search_url=search_url)
