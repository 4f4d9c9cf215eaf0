"""Site-level answers that belong to no app: robots.txt, the favicon, the health check."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read every public page; the admin is not for them; the sitemap lists what there is."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and process managers: the process answers. Also the benchmark's trivial page, the
    fastest any page of the site can be served through the same middleware."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The site's icon for browsers that ask for /favicon.ico (the admin's pages have no icon link)."""
    return redirect(static("ankasam/favicon.svg"), permanent=True)
