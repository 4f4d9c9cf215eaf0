"""The read API: the published content as JSON under ``/api/v1/<language>/…``, for apps, newsletters and partner sites.

Read-only and public: articles (a list by cursor, and each one whole), their Similar Posts, authors, tags,
categories and search, in the language asked for and only what readers of that language may see (the one
publication rule, ``Article.objects.published`` and ``Article.is_published_in``, reached through the same reads as
the pages: ``articles.pages.reading``, ``articles.search``, ``articles.similar``). An OpenAPI 3 schema describes it
at ``schema/`` and a Swagger UI page, served from the site's own static files, at ``docs/``.

Built on Django REST framework with drf-spectacular rather than django-ninja: REST framework brings the pieces this
API needs as parts of one long-kept library (throttling counted in Django's cache, content negotiation, the
exception handling its errors go through, serializers that also describe the schema), drf-spectacular writes the
OpenAPI 3 schema from those serializers, and drf-spectacular-sidecar ships Swagger UI's files as static files, so
the documentation page needs no CDN. Everything is set on the views themselves (``base.ReadView``), not in the
host's ``REST_FRAMEWORK`` settings, so a host's own REST framework API keeps its settings and this one keeps its own.

The modules: ``base`` (the view every endpoint is, and the schema's common parts), ``views`` (the endpoints), ``presenting`` (what each object looks like), ``serializers`` (the shapes,
which the schema is made from), ``cursors`` (keyset pagination), ``conditional`` (``ETag``/``Last-Modified`` and
``304`` from the page cache's dependency stamps), ``errors``, ``throttling``, ``schema`` and ``urls``.
"""
