"""gunicorn settings for every Rainmaker web process (`make run`, infra/Procfile, docker).

    gunicorn -c infra/gunicorn.conf.py --bind 127.0.0.1:8001 \
        'rainmaker_intake.entrypoints.http:create_app()'

Environment: HOST/PORT (bind, when --bind is not given), GUNICORN_WORKERS (or
WEB_CONCURRENCY; default 2), GUNICORN_THREADS (default 1; >1 switches to gthread),
GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_LOGLEVEL, FORWARDED_ALLOW_IPS,
GUNICORN_CONTROL_SOCKET (a path; the control socket is off by default because several
masters would share $HOME/.gunicorn/gunicorn.ctl), PROMETHEUS_MULTIPROC_DIR (one empty
directory per service: emptied when the master starts, dead workers' files marked).
"""

import os
from pathlib import Path
from typing import Any


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", 2))
threads = _int("GUNICORN_THREADS", 1)
# Large list uploads stream in through one request: give them time.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# client "request" status bytes duration request-id (the id the app echoes back)
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'

# The heartbeat file on tmpfs: a disk-backed tmp can stall workers (gunicorn FAQ).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET")
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True


def on_starting(server: Any) -> None:
    """Empty the Prometheus multiprocess directory before any worker writes to it."""
    multiproc = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc:
        path = Path(multiproc)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges from the aggregated /metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
