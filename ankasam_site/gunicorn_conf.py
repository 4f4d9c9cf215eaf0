"""gunicorn settings for production (``make serve``): sync workers, the count from WEB_CONCURRENCY.

Pages are cached in Redis (REDIS_URL) and shared by every worker, so a restart or an added worker starts warm.
"""
import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# The application is imported once in the master and forked: workers start at once and share its memory.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# SIGTERM: the workers finish the requests they are serving (at most this long), then exit. Requests still waiting in
# the listen queue are reset when the master closes it: take the server out of the proxy's rotation first, or let
# the proxy retry (README, "Production").
graceful_timeout = 20

# Bounded time on every shared service (README, "Production"): a query may run DJANGO_DB_STATEMENT_TIMEOUT ms, well
# inside the worker timeout above, so that a stuck statement ends in the error page, not in a killed worker and a
# dropped connection. Set here, for the web workers only: commands (imports, restores, the benchmark) run longer
# statements. Redis calls are bounded in the settings (REDIS_TIMEOUT) and skipped after a failure (a breaker).
os.environ.setdefault("DJANGO_DB_STATEMENT_TIMEOUT", str(max(1000, (timeout - 5) * 1000)))
# Recycle a worker now and then, so that a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket has one default path per user: every server of the machine (the benchmark's, the tests',
# a second site) would take it over from the last one. Off unless GUNICORN_CONTROL_SOCKET names a path of its own.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


# Garbage collection. A page allocates tens of thousands of short-lived objects, and with Python's default
# thresholds (700, 10, 10) the collector ran so often, each time walking every object Django and the app had
# loaded, that it took about a quarter of an uncached article page (docs/performance.md). So the master moves
# everything loaded so far out of the collector's sight before forking (``gc.freeze``: those objects are also
# no longer touched, so the workers keep sharing their memory pages), and the workers collect less often.
# Reference cycles are still collected; memory stays bounded (the benchmark reports the workers' peak).
GC_THRESHOLD = tuple(int(part) for part in os.environ.get("GUNICORN_GC_THRESHOLD", "10000,20,20").split(","))


def pre_fork(server, worker):
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    gc.set_threshold(*GC_THRESHOLD)
