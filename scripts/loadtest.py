#!/usr/bin/env python
"""Load test: mixed reads and admin saves against gunicorn on loopback, with a graceful worker restart (HUP) midway.

    .venv/bin/python scripts/loadtest.py [--seconds 20] [--max-requests 5000] [--readers 6] [--editors 3]

It builds a scratch site in a temporary folder (SQLite by default, or an empty PostgreSQL database on this machine
with --database-url), in production mode (DEBUG off, collected static files, HTTPS as a proxy would announce it),
starts gunicorn on 127.0.0.1, and runs reader threads (home pages, articles in three languages, tags, search,
sitemap, feeds) and editor threads (the admin's change form, read and posted as a browser does: each editor saves
its own article, and all of them also save one shared article, where stale saves must be refused). Halfway through (half
the request budget, or half the time, whichever comes first) it sends SIGHUP to the gunicorn master, which replaces every worker while requests are in flight.

It then prints the counts and checks that no response was a 5xx or a dropped connection and that no save was lost:
every save the server acknowledged (302) is in the article's revisions, and each editor's own article holds its
last acknowledged save. Exit status 0 only if all of that holds. Traffic goes to 127.0.0.1 only, and stops after
--seconds or --max-requests, whichever comes first.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
MAX_SECONDS = 300
MAX_REQUESTS = 50_000
PASSWORD = "load-test-editor-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def django(env: dict, code: str) -> str:
    """Run ``code`` with Django set up in the scratch site; its stdout."""
    result = subprocess.run(
        [PYTHON, "-c", "import django; django.setup()\n" + code],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300,
    )
    if result.returncode:
        raise SystemExit(f"setup failed:\n{result.stderr}")
    return result.stdout


def manage(env: dict, *arguments: str) -> None:
    result = subprocess.run([PYTHON, "manage.py", *arguments], cwd=PROJECT, env=env, capture_output=True, text=True,
                            timeout=600)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{result.stderr}")


SITE_FACTS = """
import json
from django.contrib.auth import get_user_model
from django.utils import translation
from articles.models import Article, Tag
editors = int(EDITORS)
User = get_user_model()
for number in range(editors):
    User.objects.create_superuser(f"load{number}", f"load{number}@example.org", PASSWORD)
articles = list(Article.objects.order_by("pk"))
urls = ["/robots.txt", "/sitemap.xml"]
for code in ("tr", "en", "ru"):
    with translation.override(code):
        urls += [f"/{code}/", f"/{code}/feed/"]
        urls += [article.url_in(code) for article in Article.objects.published(code)]
        urls += [tag.url_in(code) for tag in Tag.objects.filter(tagged_articles__isnull=False).distinct()[:8]]
searches = {"tr": ["kore", "rusya"], "en": ["korea", "sanctions"], "ru": ["корея", "россия"]}
print(json.dumps({
    "urls": urls,
    "searches": searches,
    "own_articles": [articles[number % len(articles)].pk for number in range(editors)],
    "shared_article": articles[-1].pk,
}))
"""

VERIFY = """
import json
from reversion.models import Version
from articles.models import Article
facts = json.loads(FACTS)
result = {}
for pk in facts["articles"]:
    article = Article.objects.get(pk=pk)
    stored = [json.loads(v.serialized_data)[0]["fields"].get("highlights_en") or "" for v in Version.objects.get_for_object(article)]
    result[str(pk)] = {"current": article.highlights_en, "in_revisions": stored}
print(json.dumps(result))
"""


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.errors: list[str] = []
        self.server_errors: list[str] = []
        self.requests = 0
        self.acknowledged: dict[int, list[str]] = {}
        self.refused: dict[int, list[str]] = {}
        self.last_own: dict[int, str] = {}

    def record(self, kind: str, status: int | None, url: str, error: str = "") -> None:
        with self.lock:
            self.requests += 1
            self.kinds[kind] += 1
            if status is None:
                self.statuses["connection error"] += 1
                self.errors.append(f"{kind} {url}: {error}")
            else:
                self.statuses[str(status)] += 1
                if status >= 500:
                    self.server_errors.append(f"{kind} {url}: {status}")


class Browser:
    """One person's HTTP client: a new connection per request (as through a proxy), cookies kept by hand because
    production cookies are Secure and the proxy in front would have spoken HTTPS."""

    def __init__(self, port: int, stats: Stats, deadline: float, budget: threading.Semaphore) -> None:
        self.port, self.stats, self.deadline, self.budget = port, stats, deadline, budget
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{HOST}:{port}"

    def request(self, kind: str, method: str, url: str, body: dict | None = None) -> tuple[int | None, str, str]:
        if time.monotonic() > self.deadline or not self.budget.acquire(blocking=False):
            raise TimeoutError
        headers = {
            "Host": f"{HOST}:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "en",
            "Connection": "close",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        payload = None
        if body is not None:
            payload = urlencode(body, doseq=True).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                            "Referer": self.origin + url})
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(method, url, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(header)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            self.stats.record(kind, response.status, url)
            return response.status, response.headers.get("Location", ""), text
        except (OSError, http.client.HTTPException) as error:
            self.stats.record(kind, None, url, repr(error))
            return None, "", ""
        finally:
            connection.close()


def form_fields(html: str) -> dict[str, object]:
    """What a browser would post for the admin's change form on ``html``."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").select_one("#content-main form[method=post]")
    data: dict[str, object] = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name:
            continue
        if element.name == "textarea":
            data[name] = element.text.removeprefix("\n")
        elif element.name == "select":
            chosen = [o.get("value", o.text) for o in element.find_all("option") if o.has_attr("selected")]
            data[name] = chosen if element.has_attr("multiple") else (chosen[0] if chosen else "")
        elif element.get("type", "text") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data[name] = element.get("value", "on")
        elif element.get("type", "text") not in ("submit", "button", "file", "image", "reset"):
            data[name] = element.get("value", "")
    return data


def reader(browser: Browser, facts: dict, seed: int) -> None:
    rng = random.Random(seed)
    try:
        while True:
            if rng.random() < 0.15:
                code = rng.choice(["tr", "en", "ru"])
                path = {"tr": "ara", "en": "search", "ru": "poisk"}[code]
                browser.request("search", "GET", f"/{code}/{path}/?" + urlencode({"q": rng.choice(facts["searches"][code])}))
            else:
                browser.request("read", "GET", rng.choice(facts["urls"]))
    except TimeoutError:
        return


def editor(browser: Browser, number: int, facts: dict, stats: Stats) -> None:
    try:
        status, _location, page = browser.request("login", "GET", "/admin/login/?next=/admin/")
        token = browser.cookies.get("csrftoken", "")
        status, location, _page = browser.request(
            "login", "POST", "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": token, "username": f"load{number}", "password": PASSWORD, "next": "/admin/"},
        )
        if status != 302:
            stats.errors.append(f"editor {number} could not log in ({status})")
            return
        own, shared = facts["own_articles"][number], facts["shared_article"]
        counter = 0
        while True:
            counter += 1
            article = shared if counter % 3 == 0 else own
            url = f"/admin/articles/article/{article}/change/"
            status, _location, page = browser.request("edit form", "GET", url)
            if status != 200:
                continue
            data = form_fields(page)
            marker = f"load editor {number} save {counter}"
            data["highlights_en"] = marker
            status, location, answer = browser.request("save", "POST", url, data)
            with stats.lock:
                if status == 302:
                    stats.acknowledged.setdefault(article, []).append(marker)
                    if article == own:
                        stats.last_own[article] = marker
                elif status == 200 and "edit-conflict" in answer:
                    stats.refused.setdefault(article, []).append(marker)
                elif status is not None and status < 500:
                    stats.errors.append(f"editor {number}: save answered {status}")
    except TimeoutError:
        return


def worker_pids(master: int) -> set[int]:
    result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True)
    return {int(pid) for pid in result.stdout.split()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help=f"duration of the load (at most {MAX_SECONDS})")
    parser.add_argument("--max-requests", type=int, default=5000, help=f"request budget (at most {MAX_REQUESTS})")
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--editors", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--database-url", default="", help="an empty database on this machine (default: SQLite)")
    parser.add_argument("--redis-url", default="", help="a Redis on this machine for the cache (default: none)")
    options = parser.parse_args()
    seconds = min(max(options.seconds, 2.0), MAX_SECONDS)
    budget_count = min(max(options.max_requests, 10), MAX_REQUESTS)
    for url in (options.database_url, options.redis_url):
        host = urlsplit(url).hostname if url else None
        if host not in (None, "127.0.0.1", "localhost", "::1") and not (url.startswith("sqlite")):
            raise SystemExit(f"loopback only: {url} is not on this machine")

    scratch = Path(tempfile.mkdtemp(prefix="ankasam-load-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ankasam_site.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=options.database_url or f"sqlite:///{scratch / 'load.sqlite3'}",
        MEDIA_ROOT=str(scratch / "media"),
        STATIC_ROOT=str(scratch / "static"),
        DJANGO_LOGIN_FAILURE_LIMIT="1000",
    )
    if options.redis_url:
        env["REDIS_URL"] = options.redis_url
    print(f"scratch site in {scratch} ({'PostgreSQL' if options.database_url.startswith('postgres') else 'SQLite'})")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_site_fixtures")
    manage(env, "collectstatic", "--noinput", "-v0")
    facts = json.loads(django(env, f"EDITORS={options.editors}\nPASSWORD={PASSWORD!r}\n" + SITE_FACTS))

    port = free_port()
    log = open(scratch / "gunicorn.log", "w")
    # The production settings of gunicorn (ankasam_site/gunicorn_conf.py) where the project has them; the options
    # given here only place it on the scratch port.
    config = PROJECT / "ankasam_site" / "gunicorn_conf.py"
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", *(["--config", str(config)] if config.exists() else []),
         "ankasam_site.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", str(options.workers),
         "--forwarded-allow-ips", HOST],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        ready = time.monotonic() + 30
        while time.monotonic() < ready:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start; see " + str(scratch / "gunicorn.log"))
        time.sleep(1.0)

        stats = Stats()
        started = time.monotonic()
        deadline = started + seconds
        budget = threading.Semaphore(budget_count)
        threads = [
            threading.Thread(target=reader, args=(Browser(port, stats, deadline, budget), facts, number))
            for number in range(options.readers)
        ] + [
            threading.Thread(target=editor, args=(Browser(port, stats, deadline, budget), number, facts, stats))
            for number in range(options.editors)
        ]
        for thread in threads:
            thread.start()
        workers_before = worker_pids(server.pid)
        # Halfway: half the request budget spent (or half the time gone, on a machine too busy to spend it), so that
        # a run bounded by its budget restarts the workers amid the same amount of work however fast the machine is.
        while stats.requests < budget_count // 2 and time.monotonic() < started + seconds / 2:
            time.sleep(0.05)
        hup_at = time.monotonic() - started
        requests_at_hup = stats.requests
        server.send_signal(signal.SIGHUP)
        for thread in threads:
            thread.join(seconds + 90)
        elapsed = time.monotonic() - started
        workers_after = worker_pids(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    saved_articles = sorted(set(stats.acknowledged) | set(stats.refused) | set(facts["own_articles"]))
    stored = json.loads(django(env, f"FACTS={json.dumps(json.dumps({'articles': saved_articles}))}\n" + VERIFY))
    lost, wrongly_kept, stale_current = [], [], []
    for pk, markers in stats.acknowledged.items():
        kept = set(stored[str(pk)]["in_revisions"])
        lost += [marker for marker in markers if marker not in kept]
    for pk, markers in stats.refused.items():
        kept = set(stored[str(pk)]["in_revisions"])
        wrongly_kept += [marker for marker in markers if marker in kept]
    for pk, marker in stats.last_own.items():
        if stored[str(pk)]["current"] != marker and pk != facts["shared_article"]:
            stale_current.append(f"article {pk}: holds {stored[str(pk)]['current']!r}, last save was {marker!r}")
    acknowledged = sum(len(markers) for markers in stats.acknowledged.values())
    refused = sum(len(markers) for markers in stats.refused.values())

    print(f"load: {options.readers} readers, {options.editors} editors, gunicorn with {options.workers} workers, "
          f"{elapsed:.1f} s, {stats.requests} requests ({stats.requests / elapsed:.0f}/s)")
    print("requests by kind: " + ", ".join(f"{kind} {count}" for kind, count in sorted(stats.kinds.items())))
    print("responses by status: " + ", ".join(f"{status}: {count}" for status, count in sorted(stats.statuses.items())))
    print(f"graceful restart: SIGHUP at {hup_at:.1f} s after {requests_at_hup} requests; workers {sorted(workers_before)}"
          f" -> {sorted(workers_after)} ({'all replaced' if workers_before.isdisjoint(workers_after) else 'NOT replaced'})")
    print(f"admin saves: {acknowledged} acknowledged, {refused} refused as stale (shared article), "
          f"{len(lost)} lost, {len(wrongly_kept)} refused but stored, {len(stale_current)} own articles not at their last save")
    print(f"5xx responses: {len(stats.server_errors)}; connection errors: {stats.statuses.get('connection error', 0)}")
    for line in (stats.server_errors + stats.errors + lost + wrongly_kept + stale_current)[:20]:
        print("  problem:", line)
    failed = (stats.server_errors or stats.errors or lost or wrongly_kept or stale_current or acknowledged == 0
              or workers_before & workers_after)
    print("RESULT: " + ("FAIL" if failed else "PASS: no 5xx, no dropped request, no lost save"))
    if not failed:
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
    else:
        print(f"gunicorn's log: {scratch / 'gunicorn.log'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
