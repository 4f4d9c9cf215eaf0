"""Site-level answers that belong to no app: robots.txt, the favicon, the health check."""
from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect
from django.templatetags.static import static
from django.template import loader
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token
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


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The error page (``handler500``). When the database cannot be reached (a connection refused, cut or timed
    out) it is 503, "try again in a moment", with Retry-After: nothing is wrong with the request and a retry will
    do; any other error is Django's 500. Rendered without the request, as Django's own is, so that it needs nothing
    that may have failed."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
