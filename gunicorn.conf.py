"""
gunicorn's configuration for DiseaseMaps, read from the project root:

    gunicorn diseasemaps.wsgi

Every figure can be changed through the environment (GUNICORN_*); the defaults suit a machine
with two cores behind a proxy whose own timeout is 60 seconds or more.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Threads let a worker overlap its waits on the database; processes use the cores.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2)
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread"

# A request that runs longer than this is killed. It stays below the proxy's timeout, so the
# proxy never gives up on a worker that is still busy; the database (statement_timeout) and
# the mail server (mail goes through the task queue) are bounded well below it.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On a restart or deploy (SIGTERM), workers stop taking requests and finish the ones they have,
# for as long as a request may run. Give the process manager's own stop timeout a little more.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", timeout)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle each worker after about this many requests (the jitter spreads the restarts), so a
# slow leak never grows without end.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The X-Forwarded-* headers are trusted only from these addresses (the proxy in front).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs: JSON lines on standard error. The access log holds the method, the path WITHOUT its
# query string (search terms can be health data), the status, the size, the time taken and
# the request id; never the referrer, which may hold a query string as well.
accesslog = "-"
errorlog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms %({x-request-id}o)s"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "diseasemaps.core.logs.JsonFormatter"},
        "access": {"()": "diseasemaps.core.logs.AccessFormatter"},
    },
    "handlers": {
        "error": {"class": "logging.StreamHandler", "formatter": "json"},
        "access": {"class": "logging.StreamHandler", "formatter": "access"},
    },
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}

# gunicorn's control socket would otherwise sit at one path in the home folder for every
# instance on the host. Off unless a path of this instance's own is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
if not control_socket:
    del control_socket
