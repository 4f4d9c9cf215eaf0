"""``{% chrome "name" %}…{% endchrome %}``: a part of ``base.html`` that is the same on every page of a language.

The header, the footer, the feed links and the static files' addresses depend only on the language, the site's
address prefix and the deployed code (templates, translations, the static files' manifest). So each is rendered
once per language and prefix in each process, and kept in memory until the process ends (a deploy restarts the
processes) or a setting changes (tests).

Not Django's ``{% cache %}`` tag on a local-memory cache, which would keep them as well: its key hashing, locking
and pickling cost an uncached article page about two thirds of what keeping the fragments saves (measured:
−4 % of the page's worker CPU instead of −7 %, docs/performance.md). With ``DEBUG`` on nothing is kept, so an edited
template shows at once.

Nothing that depends on the request (beyond its language) or on what editors save may go inside.
"""
from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_kept: dict[tuple[str, str | None, str], str] = {}
MAX_KEPT = 256


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _kept.clear()


class ChromeNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList):
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        if settings.DEBUG:
            return self.nodelist.render(context)
        key = (self.name, get_language(), get_script_prefix())
        try:
            return _kept[key]
        except KeyError:
            rendered = mark_safe(self.nodelist.render(context))
            if len(_kept) < MAX_KEPT:  # a few blocks × languages × prefixes; never grown by what requests send
                _kept[key] = rendered
            return rendered


@register.tag
def chrome(parser, token) -> ChromeNode:
    """``{% chrome "header" %}…{% endchrome %}``: the enclosed part rendered once per language (see the module)."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one quoted name: {{% chrome \"header\" %}}")
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    return ChromeNode(bits[1][1:-1], nodelist)
