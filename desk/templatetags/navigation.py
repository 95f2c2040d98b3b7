"""``{% breadcrumbs %}…{% endbreadcrumbs %}``: the trail to a nested page.

The content is the list items of the page's ancestors below the home page
(``<li><a href="…">…</a></li>``); the tag wraps them in the one accessible
breadcrumb navigation (``desk/_breadcrumbs.html``), starting at the home page.
The current page is the page's own heading, not a crumb.
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class BreadcrumbsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        crumbs = self.nodelist.render(context)  # escaped by the templates it renders
        trail = context.template.engine.get_template("desk/_breadcrumbs.html")
        with context.push(crumbs=mark_safe(crumbs)):  # noqa: S308
            return trail.render(context)


@register.tag
def breadcrumbs(parser, token):
    nodelist = parser.parse(("endbreadcrumbs",))
    parser.delete_first_token()
    return BreadcrumbsNode(nodelist)
