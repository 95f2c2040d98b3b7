"""Every URL pattern must have a rule in the access table."""

from django.urls import URLPattern, URLResolver, get_resolver

from config.access import ACCESS_TABLE, rule_for


def walk(resolver: URLResolver, namespace: str = "", prefix: str = "/"):
    """(pattern, view name, full route) for every URL pattern (also the access matrix's)."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            # An unnamed pattern resolves to "namespace:dotted.view.path".
            name = f"{namespace}{entry.name or entry.lookup_str}"
            yield entry, name, prefix + str(entry.pattern)


def all_view_names() -> list[tuple[str, str | None]]:
    return [(str(pattern.pattern), name) for pattern, name, _route in walk(get_resolver())]


def test_every_url_has_a_name_and_a_rule():
    missing = [(route, name) for route, name in all_view_names() if rule_for(name) is None]
    assert missing == [], f"URL patterns without an access rule: {missing}"


def test_no_stale_rules():
    names = {name for _route, name in all_view_names() if name}
    stale = [key for key in ACCESS_TABLE if not key.endswith(":*") and key not in names]
    assert stale == [], f"rules for URLs that no longer exist: {stale}"


def test_unknown_view_name_has_no_rule():
    assert rule_for("no-such-view") is None
    assert rule_for("nowhere:detail") is None
