"""The proxies of docs/deploy.md started on the loopback for a while: Varnish with the repository's VCL, and nginx
as a balancer in front of several app servers or as a static file server (the ceiling a caching proxy is measured
against). The benchmark (``ankasam_site/bench_servers.py``) and the tests start them; every process runs in the
foreground from a temporary directory of its own, which is removed when it stops.
"""
from __future__ import annotations

import http.client
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .loadgen import LOOPBACK, free_port

PROJECT = Path(__file__).resolve().parent.parent
VCL = PROJECT / "deploy" / "varnish" / "ankasam.vcl"


def program(name: str) -> str | None:
    """The path of ``name``, also where Debian installs it outside a user's PATH (``/usr/sbin``)."""
    return shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)


def vcl_for(backend_port: int) -> str:
    """The repository's VCL with its one app server on ``backend_port`` of the loopback."""
    return VCL.read_text().replace('.port = "8000"', f'.port = "{backend_port}"')


def nginx_config(*, workdir: str | Path, balancers: dict[int, list[int]] | None = None,
                 static: dict[int, str | Path] | None = None, worker_processes: int | str = "auto",
                 user: str | None = None) -> str:
    """An nginx configuration that runs in the foreground from ``workdir``, writing nothing elsewhere: each port of
    ``balancers`` spreads requests over the app servers on its list of ports (nginx's round robin), each port of
    ``static`` serves the files under its folder, ``index.html`` for an address ending in ``/``. ``user``: the
    workers' user when nginx is started by root (nginx's default, nobody, could not read a private folder)."""
    workdir = Path(workdir)
    lines = [
        "daemon off;",
        *([f"user {user};"] if user else []),
        f"worker_processes {worker_processes};",
        f"pid {workdir / 'nginx.pid'};",
        f"error_log {workdir / 'error.log'} warn;",
        "events { worker_connections 1024; }",
        "http {",
        "    access_log off;",
        f"    client_body_temp_path {workdir / 'client_body'};",
        f"    proxy_temp_path {workdir / 'proxy'};",
        f"    fastcgi_temp_path {workdir / 'fastcgi'};",
        f"    uwsgi_temp_path {workdir / 'uwsgi'};",
        f"    scgi_temp_path {workdir / 'scgi'};",
        "    keepalive_requests 100000;",
    ]
    for port, servers in sorted((balancers or {}).items()):
        lines += [f"    upstream app_servers_{port} {{",
                  *(f"        server {LOOPBACK}:{server};" for server in servers),
                  "    }",
                  f"    server {{ listen {LOOPBACK}:{port}; location / {{ proxy_pass http://app_servers_{port}; "
                  "proxy_set_header Host $host; proxy_set_header X-Forwarded-For $remote_addr; } }"]
    for port, root in sorted((static or {}).items()):
        lines.append(f"    server {{ listen {LOOPBACK}:{port}; root {root}; index index.html; "
                     "default_type text/html; }")
    lines.append("}")
    return "\n".join(lines) + "\n"


class _Foreground:
    """A server process in the foreground, listening on ``self.port`` of the loopback, with a scratch folder."""

    name = ""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> _Foreground:
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _attempt in range(400):
            if self.process.poll() is not None:
                error = self.process.stderr.read()[-2000:]
                self.stop()
                raise RuntimeError(f"{self.name} exited: {error}")
            try:
                http.client.HTTPConnection(LOOPBACK, self.listening_port(), timeout=1).connect()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen")

    def listening_port(self) -> int:
        return self.port

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Varnish(_Foreground):
    """varnishd with the repository's VCL in front of the app server on ``backend_port``."""

    name = "varnish"

    def __init__(self, backend_port: int, *, storage: str = "malloc,64m") -> None:
        super().__init__()
        self.port, self.storage = free_port(), storage
        self.vcl = self.workdir / "ankasam.vcl"
        self.vcl.write_text(vcl_for(backend_port))

    def command(self) -> list[str]:
        return [program("varnishd"), "-F", "-j", "none", "-n", str(self.workdir / "n"), "-a", f"{LOOPBACK}:{self.port}",
                "-f", str(self.vcl), "-s", self.storage, "-T", "none"]


class Nginx(_Foreground):
    """nginx with ``balancers`` and ``static`` as :func:`nginx_config` takes them."""

    name = "nginx"

    def __init__(self, *, balancers: dict[int, list[int]] | None = None,
                 static: dict[int, str | Path] | None = None) -> None:
        super().__init__()
        self.ports = sorted([*(balancers or {}), *(static or {})])
        user = pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() == 0 else None
        (self.workdir / "nginx.conf").write_text(nginx_config(workdir=self.workdir, balancers=balancers, static=static,
                                                              user=user))

    def listening_port(self) -> int:
        return self.ports[0]

    def command(self) -> list[str]:
        return [program("nginx"), "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"), "-e", "stderr"]
