"""Gunicorn settings of the production server (`make serve`, docs/deploy.md).

Run as `gunicorn -c python:xiangzhi.gunicorn_conf xiangzhi.wsgi`. Everything a deployment sets
comes from the environment, like the Django settings:

* XIANGZHI_BIND (default 127.0.0.1:$XIANGZHI_PORT) and XIANGZHI_PORT (default 8000): where to
  listen. Bind 0.0.0.0:PORT to serve the township's LAN directly, and list the host names or
  addresses users type in XIANGZHI_ALLOWED_HOSTS.
* XIANGZHI_WEB_WORKERS (default 2 x cores + 1, gunicorn's own advice) and XIANGZHI_WEB_THREADS
  (default 4): processes and threads per process. Threads let a worker wait on a slow phone
  upload or on the database without holding a whole process.
* XIANGZHI_WEB_TIMEOUT (default 120 s): a request running longer is killed; an export of a whole
  county's residents is the longest request.
* XIANGZHI_ACCESS_LOG: "-" for standard output, a file path, or unset for none.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def worker_count(cores: int | None = None) -> int:
    """Gunicorn's rule of thumb: two workers per core plus one."""
    return _int("XIANGZHI_WEB_WORKERS", 2 * (cores or multiprocessing.cpu_count()) + 1)


bind = os.environ.get("XIANGZHI_BIND") or f"127.0.0.1:{_int('XIANGZHI_PORT', 8000)}"
workers = worker_count()
worker_class = "gthread"
threads = _int("XIANGZHI_WEB_THREADS", 4)
timeout = _int("XIANGZHI_WEB_TIMEOUT", 120)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after about a thousand requests: memory a request leaks is bounded.
max_requests = _int("XIANGZHI_WEB_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# Headers and request lines of sane sizes; bodies are bounded by Django's upload settings.
limit_request_line = 8190
accesslog = os.environ.get("XIANGZHI_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("XIANGZHI_WEB_LOG_LEVEL", "info")
proc_name = "xiangzhi-web"
# No control socket ($HOME/.gunicorn/gunicorn.ctl by default): nothing here uses gunicornc, and two
# servers on one host (the service and a test, or two deployments) would fight over its one path.
control_socket_disable = True


def on_starting(server) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """The production server never runs the debug mode (tracebacks with settings to anyone)."""
    if os.environ.get("XIANGZHI_DEBUG", "0") == "1":
        raise SystemExit("XIANGZHI_DEBUG=1: the production server does not run in debug mode")
