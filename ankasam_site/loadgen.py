"""Serving the site under gunicorn and measuring its throughput from the outside, on the loopback only.

``wrk`` (Debian package ``wrk``) is used when it is installed; otherwise a small client in this module, threads
opening one connection per request as gunicorn's sync workers expect. Every run is bounded in time and sends
requests only to 127.0.0.1.
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class Gunicorn:
    """A gunicorn master with ``workers`` sync workers serving the project on a loopback port."""

    def __init__(self, *, env: dict[str, str], workers: int = 2, port: int | None = None) -> None:
        self.env, self.workers, self.port = env, workers, port or free_port()
        self.process: subprocess.Popen | None = None

    def start(self, *, wait: bool = True, timeout: float = 60) -> Gunicorn:
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "ankasam_site.wsgi:application",
                "--config", str(PROJECT / "ankasam_site" / "gunicorn_conf.py"),
                "--bind", f"{LOOPBACK}:{self.port}", "--workers", str(self.workers),
                "--log-level", "warning",
            ],
            cwd=PROJECT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        if wait:
            try:
                self.wait_ready(timeout)
            except BaseException:
                self.stop()  # a server that never answered is not left running
                raise
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read()[-2000:]}")
            try:
                if fetch(self.port, "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("gunicorn did not answer in time")

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def worker_peak_memory_mb(self) -> float:
        """The largest resident set any worker reached (VmHWM), in MB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return round(max(peaks), 1) if peaks else 0.0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def fetch(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": LOOPBACK, "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    tool: str

    @property
    def per_second(self) -> float:
        return round(self.requests / self.seconds, 1) if self.seconds else 0.0


def load(port: int, paths: list[str], *, seconds: float, connections: int = 8) -> LoadResult:
    """Requests per second the server on ``port`` answers with 200, cycling through ``paths`` for ``seconds``."""
    if shutil.which("wrk"):
        return _load_with_wrk(port, paths, seconds=seconds, connections=connections)
    return _load_with_threads(port, paths, seconds=seconds, connections=connections)


_WRK_SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Host"] = "127.0.0.1"})
end
local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("REQUESTS %%d ERRORS %%d\\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _load_with_wrk(port: int, paths: list[str], *, seconds: float, connections: int) -> LoadResult:
    script = _WRK_SCRIPT % ", ".join(f'"{path}"' for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        started = time.monotonic()
        result = subprocess.run(
            ["wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
             "-s", handle.name, f"http://{LOOPBACK}:{port}{paths[0]}"],
            capture_output=True, text=True, timeout=seconds + 60,
        )
        elapsed = time.monotonic() - started
    finally:
        os.unlink(handle.name)
    match = re.search(r"REQUESTS (\d+) ERRORS (\d+)", result.stdout)
    if not match:
        raise RuntimeError(f"wrk failed: {result.stdout[-500:]} {result.stderr[-500:]}")
    duration = re.search(r"requests in ([\d.]+)(ms|s|m)", result.stdout)
    if duration:
        value, unit = float(duration.group(1)), duration.group(2)
        elapsed = value / 1000 if unit == "ms" else value * 60 if unit == "m" else value
    requests, errors = int(match.group(1)), int(match.group(2))
    return LoadResult(requests=requests - errors, errors=errors, seconds=elapsed, tool="wrk")


def _load_with_threads(port: int, paths: list[str], *, seconds: float, connections: int) -> LoadResult:
    deadline = time.monotonic() + seconds
    counts = [0] * connections
    errors = [0] * connections

    def worker(index: int) -> None:
        n = index
        while time.monotonic() < deadline:
            try:
                status, _body = fetch(port, paths[n % len(paths)])
            except OSError:
                status = 0
            if status == 200:
                counts[index] += 1
            else:
                errors[index] += 1
            n += connections

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    return LoadResult(requests=sum(counts), errors=sum(errors), seconds=time.monotonic() - started, tool="python")
