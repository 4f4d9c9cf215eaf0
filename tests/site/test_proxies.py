"""The proxies the benchmark starts on the loopback: nginx as a balancer spreads requests over every app server of
its list and, as a static server, answers each address with its file's bytes; Varnish gets the repository's VCL
pointed at its app server. Skipped, saying why, where nginx is not installed (Debian: nginx-light)."""
from __future__ import annotations

import tempfile
import unittest
from pathlib import Path

from ankasam_site.loadgen import fetch, free_port
from ankasam_site.proxies import VCL, Nginx, nginx_config, program, vcl_for

NGINX = program("nginx")


class NginxConfigTests(unittest.TestCase):
    def test_every_file_nginx_writes_stays_in_its_own_folder(self):
        config = nginx_config(workdir="/tmp/scratch", balancers={8080: [8001, 8002]}, static={8090: "/srv/pages"})
        self.assertIn("daemon off;", config)
        for line in config.splitlines():
            if line.strip().startswith(("pid", "error_log")) or "_temp_path" in line:
                self.assertIn("/tmp/scratch/", line)
        self.assertIn("server 127.0.0.1:8001;", config)
        self.assertIn("server 127.0.0.1:8002;", config)

    @unittest.skipIf(NGINX is None, "nginx is not installed (apt-get install nginx-light)")
    def test_the_balancer_spreads_requests_over_both_servers_and_the_static_server_answers_with_the_files_bytes(self):
        with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
            for root, text in ((first, b"first server"), (second, b"second server")):
                (Path(root) / "en" / "page").mkdir(parents=True)
                (Path(root) / "en" / "page" / "index.html").write_bytes(text)
            ports = {"first": free_port(), "second": free_port(), "balancer": free_port()}
            with Nginx(balancers={ports["balancer"]: [ports["first"], ports["second"]]},
                       static={ports["first"]: first, ports["second"]: second}):
                self.assertEqual(fetch(ports["first"], "/en/page/"), (200, b"first server"))
                self.assertEqual(fetch(ports["first"], "/en/missing/")[0], 404)
                answers = {fetch(ports["balancer"], "/en/page/")[1] for _request in range(4)}
        self.assertEqual(answers, {b"first server", b"second server"})


class VarnishConfigTests(unittest.TestCase):
    def test_the_vcl_points_at_the_app_server_it_is_given(self):
        self.assertIn('.port = "8000"', VCL.read_text())
        vcl = vcl_for(43210)
        self.assertIn('.port = "43210"', vcl)
        self.assertNotIn('.port = "8000"', vcl)
