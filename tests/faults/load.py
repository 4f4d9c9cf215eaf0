"""A bounded load on the scratch site: readers cycling through its pages and an editor saving one article through the
admin, as a browser would, each request timed. Stops at ``stop()`` or after ``budget`` requests."""
from __future__ import annotations

import http.client
import importlib.util
import itertools
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.faults.services import LOOPBACK
from tests.faults.site import EDITOR, PASSWORD, PROJECT

_spec = importlib.util.spec_from_file_location("loadtest", PROJECT / "scripts" / "loadtest.py")
_loadtest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_loadtest)
form_fields = _loadtest.form_fields  # what a browser posts for the admin's change form

# A request that has not answered in this time is a failure; the suite's bound is 2 s, this only ends the wait.
CLIENT_TIMEOUT = 10


@dataclass
class Answer:
    kind: str
    url: str
    started: float
    seconds: float
    status: int | None
    body: str = ""
    error: str = ""


@dataclass
class Results:
    answers: list[Answer] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    attempted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def slowest(self, *, leaving_out: str = "") -> Answer | None:
        return max((answer for answer in self.answers if answer.kind != leaving_out),
                   key=lambda answer: answer.seconds, default=None)

    def slowest_report(self, count: int = 5) -> str:
        first = min((answer.started for answer in self.answers), default=0)
        slow = sorted(self.answers, key=lambda answer: answer.seconds, reverse=True)[:count]
        return "; ".join(f"{a.kind} {a.url} at {a.started - first:.1f} s took {a.seconds:.2f} s" for a in slow)

    def by_status(self) -> dict:
        counts: dict = {}
        for answer in self.answers:
            counts[answer.status] = counts.get(answer.status, 0) + 1
        return counts


def multipart(fields: dict, files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body, as a browser sends a form with a file."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                         + str(item).encode() + b"\r\n")
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Client:
    """One person: a new connection per request (as through a proxy), cookies kept by hand."""

    def __init__(self, port: int, results: Results) -> None:
        self.port, self.results = port, results
        self.cookies: dict[str, str] = {}

    def request(self, kind: str, method: str, url: str, body: dict | None = None,
                files: dict[str, tuple[str, bytes]] | None = None) -> Answer:
        headers = {"Host": f"{LOOPBACK}:{self.port}", "Accept-Language": "en", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        payload = None
        if files:
            payload, content_type = multipart(body or {}, files)
            headers.update({"Content-Type": content_type, "Origin": f"http://{LOOPBACK}:{self.port}"})
        elif body is not None:
            payload = urlencode(body, doseq=True).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": f"http://{LOOPBACK}:{self.port}"})
        started = time.monotonic()
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=CLIENT_TIMEOUT)
        try:
            connection.request(method, url, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            answer = Answer(kind, url, started, time.monotonic() - started, response.status, text)
        except (OSError, http.client.HTTPException) as error:
            answer = Answer(kind, url, started, time.monotonic() - started, None, error=repr(error))
        finally:
            connection.close()
        self.results.add(answer)
        return answer


class Load:
    def __init__(self, port: int, facts: dict, *, readers: int = 2, editor: bool = True, budget: int = 600) -> None:
        self.port, self.facts, self.readers, self.editor = port, facts, readers, editor
        self.results = Results()
        self.stopped = threading.Event()
        self.budget = threading.Semaphore(budget)
        self.threads: list[threading.Thread] = []

    def _go_on(self) -> bool:
        return not self.stopped.is_set() and self.budget.acquire(blocking=False)

    def _read(self, offset: int) -> None:
        client = Client(self.port, self.results)
        urls = itertools.islice(itertools.cycle(self.facts["urls"]), offset, None)
        while self._go_on():
            client.request("read", "GET", next(urls))

    def log_in(self) -> Client:
        """The editor, logged in before the load starts (its password hashing is slow by design)."""
        client = Client(self.port, self.results)
        for _attempt in range(5):
            client.request("login", "GET", "/admin/login/")
            answer = client.request("login", "POST", "/admin/login/?next=/admin/", {
                "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""), "username": EDITOR,
                "password": PASSWORD, "next": "/admin/"})
            if answer.status == 302:
                return client
        raise RuntimeError(f"the editor could not log in: {self.results.by_status()}")

    def _edit(self, client: Client) -> None:
        url = f"/admin/articles/article/{self.facts['article']}/change/"
        for number in itertools.count(1):
            if not self._go_on():
                return
            form = client.request("edit form", "GET", url)
            if form.status != 200:
                continue
            data = form_fields(form.body)
            marker = f"fault save {number}"
            data["highlights_en"] = marker
            with self.results.lock:
                self.results.attempted.append(marker)
            answer = client.request("save", "POST", url, data)
            if answer.status == 302:
                with self.results.lock:
                    self.results.acknowledged.append(marker)

    def __enter__(self) -> Load:
        self.threads = [threading.Thread(target=self._read, args=(number * 7,), daemon=True)
                        for number in range(self.readers)]
        if self.editor:
            self.threads.append(threading.Thread(target=self._edit, args=(self.log_in(),), daemon=True))
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> Results:
        self.stopped.set()
        for thread in self.threads:
            thread.join(CLIENT_TIMEOUT * 3)
        return self.results

    def __exit__(self, *exc) -> None:
        self.stop()
