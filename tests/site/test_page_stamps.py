"""A change made by another process (a shell, ``import_translation``, ``restore``, another worker) shows on the
server's next request, whatever cache the site runs on: the embedded setup's shared page stamps (in the database, or
in files) and Redis. Each runs a gunicorn worker that caches the page, then saves from a second process."""
from __future__ import annotations

import http.client
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults.services import LOOPBACK
from tests.faults.site import ScratchSite

BACKENDS = {
    "database stamps (embedded default)": {"PAGE_STAMPS_CACHE": "database"},
    "file stamps (embedded)": {"PAGE_STAMPS_CACHE": "file"},
    "redis": {"REDIS_URL": os.environ.get("REDIS_URL", "")},
}

SAVE_FROM_ANOTHER_PROCESS = """
import json
from articles.models import Article
article = Article.objects.get(pk=PK)
article.title_en = "Retitled from another process"
article.save()
print("true")
"""


@pytest.fixture(scope="module")
def site():
    scratch = Path(tempfile.mkdtemp(prefix="ankasam-stamps-"))
    site = ScratchSite(scratch)
    site.build(seed=False)
    site.article = site.python(
        "import json\n"
        "from tests.factories import make_article\n"
        "article = make_article('Before the change')\n"
        "print(json.dumps({'pk': article.pk, 'url': article.url_in('en')}))"
    )
    yield site
    shutil.rmtree(scratch, ignore_errors=True)


def read(port: int, path: str) -> tuple[str, str]:
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": LOOPBACK})
        response = connection.getresponse()
        assert response.status == 200, response.status
        return response.getheader("X-Page-Cache", ""), response.read().decode()
    finally:
        connection.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_save_from_another_process_shows_on_the_next_request(site, backend):
    environment = BACKENDS[backend]
    if backend == "redis" and not environment["REDIS_URL"]:
        pytest.skip("needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/<n> (CI does)")
    site.python("from articles.models import Article\n"
                f"Article.objects.filter(pk={site.article['pk']}).update(title_en='Before the change en')\n"
                "from django.core.cache import caches\n"
                "[cache.clear() for cache in caches.all()]\n"
                "print('true')", env=environment)
    url = site.article["url"]
    with site.gunicorn(workers=1, **environment) as server:
        assert read(server.port, url)[0] == "miss"
        state, page = read(server.port, url)
        assert state == "hit" and "Before the change en" in page
        site.python(SAVE_FROM_ANOTHER_PROCESS.replace("PK", str(site.article["pk"])), env=environment)
        state, page = read(server.port, url)
        assert "Retitled from another process" in page
        assert state == "miss"
        assert read(server.port, url)[0] == "hit", "cached again after the change"
