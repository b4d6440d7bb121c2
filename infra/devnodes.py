"""Private RabbitMQ nodes and PostgreSQL clusters for development, tests and benchmarks.

State lives under <var>/rabbitmq/<name>/ and <var>/postgres/<name>/, var being the repo's
var/ (RAINMAKER_VAR_DIR overrides). A node never reads /etc/rabbitmq, has its own Erlang
cookie ($HOME = its directory) and is only ever signalled through the pid file it wrote.
Importable (tests/conftest.py) and a CLI (the Makefile):

    python infra/devnodes.py rabbitmq start|stop|status|env|ensure|restart|kill9 [--name dev]
    python infra/devnodes.py postgres start|stop|status|env|ensure [--name dev]
    python infra/devnodes.py wait-http URL... [--timeout 120] [--pid PID]

Presets (name: ports): rabbitmq dev 5682/25682 (management 15682), test 5692/25692 (15692),
fault 5702/25702 (no management); postgres dev 5442, test 5443. Other names take ports from
the options and remember them. `env` and `ensure` print `export VAR=...` lines for eval.
The nodes use RabbitMQ's `guest` user, admitted over loopback only; the clusters trust
loopback logins as `rainmaker`. Both are for local use only, never for deployment.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple
from urllib.parse import quote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


class NodeError(RuntimeError):
    """A node could not be installed, started, stopped or administered."""


def var_dir() -> Path:
    return Path(os.environ.get("RAINMAKER_VAR_DIR") or REPO_ROOT / "var").resolve()


def _say(message: str) -> None:
    print(f"devnodes: {message}", file=sys.stderr, flush=True)


# --- processes and ports ------------------------------------------------------------------


def _cmdline(pid: int) -> list[str]:
    if Path("/proc/self/cmdline").exists():
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            return []
    out = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True)
    return out.stdout.split()


def _alive(pid: int) -> bool:
    """True for a running process; a zombie (exited, not yet reaped) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        zombie = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
        # A killed multi-threaded VM shows its main thread as a zombie while the other
        # threads still hold its sockets: dead only once no thread is left.
        return not zombie or len(os.listdir(f"/proc/{pid}/task")) > 1
    except (OSError, IndexError):
        return not Path("/proc/self/stat").exists()


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_ports_free(ports: Sequence[int], timeout: float) -> list[int]:
    """Wait for the ports to be free (a just-killed process may still hold them); the busy ones."""
    deadline = time.monotonic() + timeout
    while True:
        busy = [port for port in ports if not _port_free(port)]
        if not busy or time.monotonic() > deadline:
            return busy
        time.sleep(0.2)


def _save_params(node_dir: Path, **params: int | None) -> None:
    (node_dir / "node.json").write_text(json.dumps(params))


def _load_params(node_dir: Path) -> dict[str, Any] | None:
    try:
        params: dict[str, Any] = json.loads((node_dir / "node.json").read_text())
        return params
    except (OSError, ValueError):
        return None


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no {path})"


def amqp_reachable(host: str, port: int, timeout: float = 2.0) -> bool:
    """A broker answers the AMQP 0-9-1 protocol header with a Connection.Start frame."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"AMQP\x00\x00\x09\x01")
            head = b""
            while len(head) < 7:
                chunk = sock.recv(7 - len(head))
                if not chunk:
                    return False
                head += chunk
            return head[0] == 1
    except OSError:
        return False


def amqp_url_reachable(url: str) -> bool:
    parts = urlsplit(url)
    tls = parts.scheme == "amqps"
    host, port = parts.hostname or "localhost", parts.port or (5671 if tls else 5672)
    if tls:
        try:
            socket.create_connection((host, port), timeout=2.0).close()
            return True
        except OSError:
            return False
    return amqp_reachable(host, port)


# --- OS packages ------------------------------------------------------------------------


def apt_install(packages: Sequence[str], what: str) -> None:
    """Install Debian packages without letting them start their system services."""
    names = " ".join(packages)
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise NodeError(
            f"{what} is not installed. Install it with `sudo apt-get install -y {names}` "
            "(Debian/Ubuntu; Rainmaker runs its own private instance, the system service may "
            "stay stopped), or install it with your OS package manager, then retry."
        )
    policy = Path("/usr/sbin/policy-rc.d")
    created = not policy.exists()
    if created:  # 101 = "action forbidden": the packages' postinst must not start services.
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"}
    try:
        _say(f"installing {names} with apt-get (services will not be started)")
        subprocess.run(["apt-get", "update"], env=env, check=True, stdout=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages],
                       env=env, check=True, stdout=sys.stderr)
    except subprocess.CalledProcessError as exc:
        raise NodeError(f"apt-get failed to install {names}: {exc}") from exc
    finally:
        if created:
            policy.unlink(missing_ok=True)


# --- RabbitMQ ----------------------------------------------------------------------------


class RabbitPreset(NamedTuple):
    amqp_port: int
    dist_port: int
    management_port: int | None


RABBIT_PRESETS = {
    "dev": RabbitPreset(5682, 25682, 15682),
    "test": RabbitPreset(5692, 25692, 15692),
    "fault": RabbitPreset(5702, 25702, None),
}


def rabbitmq_bin_dir(install: bool = True) -> Path:
    """Where rabbitmq-server/rabbitmqctl live, avoiding Debian's /usr/sbin wrappers (they
    switch to the `rabbitmq` user and the system node's settings)."""
    candidates = [Path("/usr/lib/rabbitmq/bin")]
    candidates += sorted(Path("/usr/lib/rabbitmq/lib").glob("rabbitmq_server-*/sbin"), reverse=True)
    found = shutil.which("rabbitmq-server")
    if found:
        candidates.append(Path(found).resolve().parent)
    for path in candidates:
        if (path / "rabbitmq-server").is_file() and (path / "rabbitmqctl").is_file():
            return path
    if not install:
        raise NodeError("rabbitmq-server is not installed")
    apt_install(["rabbitmq-server"], "RabbitMQ (rabbitmq-server)")
    return rabbitmq_bin_dir(install=False)


class RabbitNode:
    """A private RabbitMQ node under <base_dir>/rabbitmq/<name>/ (base_dir defaults to var/)."""

    def __init__(self, name: str, amqp_port: int, dist_port: int, base_dir: Path | None = None,
                 management_port: int | None = None, user: str = "guest",
                 password: str = "guest") -> None:
        self.name = name
        self.amqp_port = amqp_port
        self.dist_port = dist_port
        self.management_port = management_port
        self.user, self.password = user, password
        self.dir = ((base_dir or var_dir()) / "rabbitmq" / name).resolve()
        # Erlang node names are unique per host (epmd): tell checkouts/var dirs apart.
        digest = hashlib.sha1(str(self.dir).encode()).hexdigest()[:6]
        self.nodename = f"rainmaker-{name}-{digest}@localhost"
        self.pid_file = self.dir / "rabbit.pid"
        self.log_file = self.dir / "server.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def preset(cls, name: str, base_dir: Path | None = None) -> RabbitNode:
        """A named node: the presets' ports, else those it last started with, else dev's
        (with no management listener)."""
        ports = RABBIT_PRESETS.get(name)
        if ports is None:
            saved = _load_params((base_dir or var_dir()) / "rabbitmq" / name)
            # Dev's ports only as a start (callers give their own), without dev's management
            # listener: a second node inheriting it could not boot beside the dev node.
            default = RABBIT_PRESETS["dev"]._replace(management_port=None)
            ports = RabbitPreset(**saved) if saved else default
        return cls(name, ports.amqp_port, ports.dist_port, base_dir, ports.management_port)

    @classmethod
    def from_env(cls, prefix: str, default: str) -> RabbitNode:
        """Build from <prefix>_NAME, _AMQP_PORT, _DIST_PORT, _MANAGEMENT_PORT (0 = none)."""
        env = os.environ
        node = cls.preset(env.get(f"{prefix}_NAME", default))
        if f"{prefix}_AMQP_PORT" in env:
            node.amqp_port = int(env[f"{prefix}_AMQP_PORT"])
        if f"{prefix}_DIST_PORT" in env:
            node.dist_port = int(env[f"{prefix}_DIST_PORT"])
        if f"{prefix}_MANAGEMENT_PORT" in env:
            node.management_port = int(env[f"{prefix}_MANAGEMENT_PORT"]) or None
        return node

    def __repr__(self) -> str:
        return f"RabbitNode({self.nodename}, amqp={self.amqp_port}, dist={self.dist_port})"

    def url(self, vhost: str = "/") -> str:
        return (f"amqp://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
                f"@127.0.0.1:{self.amqp_port}/{quote(vhost, safe='')}")

    @property
    def management_url(self) -> str | None:
        return f"http://127.0.0.1:{self.management_port}" if self.management_port else None

    # state

    @property
    def pid(self) -> int | None:
        """The pid of THIS node's Erlang VM (checked against its command line), else None."""
        pid = _read_pid(self.pid_file)
        if pid is None or not _alive(pid):
            return None
        args = _cmdline(pid)
        owned = ("-home", str(self.dir)) in itertools.pairwise(args)
        return pid if owned else None

    def is_running(self) -> bool:
        return self.pid is not None

    def is_ready(self) -> bool:
        return self.is_running() and amqp_reachable("127.0.0.1", self.amqp_port)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}
        if "LC_ALL" not in env and "UTF-8" not in env.get("LANG", "").upper():
            env["LANG"] = "C.UTF-8"
        d = self.dir
        env.update(
            HOME=str(d),  # the Erlang cookie: $HOME/.erlang.cookie for server and CLI alike
            RABBITMQ_NODENAME=self.nodename,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.amqp_port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(d / "mnesia"),
            RABBITMQ_LOG_BASE=str(d / "log"),
            RABBITMQ_PID_FILE=str(self.pid_file),
            RABBITMQ_CONFIG_FILE=str(d / "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(d / "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(d / "enabled_plugins"),
            RABBITMQ_CONF_ENV_FILE=str(d / "rabbitmq-env.conf"),
            # Erlang distribution (rabbitmqctl's channel) on loopback only, like AMQP.
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
            ERL_EPMD_ADDRESS="127.0.0.1",
        )
        return env

    def _write_config(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = ["loopback_users.guest = true", "disk_free_limit.absolute = 50MB",
                "log.file.level = info"]
        plugins = "[]."
        if self.management_port:
            conf += [f"management.tcp.port = {self.management_port}",
                     "management.tcp.ip = 127.0.0.1"]
            plugins = "[rabbitmq_management]."
        (self.dir / "rabbitmq.conf").write_text("\n".join(conf) + "\n")
        (self.dir / "enabled_plugins").write_text(plugins + "\n")
        (self.dir / "rabbitmq-env.conf").write_text("# deliberately empty: no /etc settings\n")
        cookie = self.dir / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text("".join(secrets.choice(string.ascii_uppercase) for _ in range(32)))
            cookie.chmod(0o400)

    # lifecycle

    def start(self, timeout: float = 90.0) -> None:
        """Start in the background and return once the node accepts AMQP connections."""
        if self.is_running():
            self._await_ready(timeout)
            return
        bin_dir = rabbitmq_bin_dir()
        ports = [self.amqp_port, self.dist_port]
        if self.management_port:
            ports.append(self.management_port)
        deadline = time.monotonic() + 15.0
        while busy := [port for port in ports if not _port_free(port)]:
            if self.is_running():  # another process is starting this very node
                self._await_ready(timeout)
                return
            if time.monotonic() > deadline:  # else a just-killed VM may still hold them
                raise NodeError(f"{self}: port(s) {busy} on 127.0.0.1 are taken by another process")
            time.sleep(0.2)
        self._write_config()
        _save_params(self.dir, amqp_port=self.amqp_port, dist_port=self.dist_port,
                     management_port=self.management_port)
        self.pid_file.unlink(missing_ok=True)
        with self.log_file.open("ab") as log:
            self._proc = subprocess.Popen(
                [str(bin_dir / "rabbitmq-server")], env=self._env(), cwd=self.dir,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._await_ready(timeout)

    def _await_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise NodeError(f"{self} exited during start; {self._log_tail()}")
            if self.is_ready():
                return
            time.sleep(0.2)
        raise NodeError(f"{self} not ready after {timeout:.0f}s; {self._log_tail()}")

    def _log_tail(self) -> str:
        return f"{self.log_file}:\n{_tail(self.log_file)}\n(node log: {self.dir / 'log'})"

    def stop(self, timeout: float = 60.0) -> None:
        """Graceful stop (SIGTERM makes RabbitMQ 3.10 shut down cleanly); SIGKILL if it hangs."""
        pid = self.pid
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            if not self._wait_gone(pid, timeout):
                _say(f"{self} did not stop within {timeout:.0f}s; killing pid {pid}")
                os.kill(pid, signal.SIGKILL)
                self._wait_gone(pid, 10.0)
        self._reap()

    def kill9(self) -> int:
        """kill -9 this node's VM (and nothing else); returns the pid that was killed."""
        pid = self.pid
        if pid is None:
            raise NodeError(f"{self} is not running")
        os.kill(pid, signal.SIGKILL)
        if not self._wait_gone(pid, 10.0):
            raise NodeError(f"{self}: pid {pid} survived SIGKILL")
        self._reap()
        return pid

    def restart(self, timeout: float = 90.0) -> None:
        self.stop()
        self.start(timeout)

    def reset(self) -> None:
        """Forget all state (vhosts, queues, messages); the node must be stopped."""
        if self.is_running():
            raise NodeError(f"{self} is running; stop it before reset()")
        shutil.rmtree(self.dir / "mnesia", ignore_errors=True)

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None:
                self._proc.poll()
            if not _alive(pid):
                return True
            time.sleep(0.1)
        return False

    def _reap(self) -> None:
        if self._proc is not None:
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                return
            self._proc = None

    # administration

    def ctl(self, *args: str, timeout: float = 120.0) -> str:
        """Run `rabbitmqctl -n <this node> args...` and return its stdout."""
        cmd = [str(rabbitmq_bin_dir() / "rabbitmqctl"), "-n", self.nodename, *args]
        out = subprocess.run(cmd, env=self._env(), capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise NodeError(f"rabbitmqctl {' '.join(args)} failed ({out.returncode}): "
                            f"{out.stderr.strip() or out.stdout.strip()}")
        return out.stdout

    def sync_metadata(self) -> None:
        """Flush the node's metadata to disk; fault tests call this after declaring their
        topology and before kill9(). Two things sit in memory for a while after a declare:
        - Mnesia's transaction log (durable queues, exchanges, bindings) is cached by
          disk_log, so a classic queue declared moments before a kill -9 can be gone after it
          (`mnesia:sync_log/0` writes the cache out);
        - RabbitMQ 3.10 saves Ra's metadata (DETS) only every 0.5-5 s, so a quorum queue comes
          back without a leader ("leader not known") and every operation on it times out."""
        self.ctl("eval", "ok = mnesia:sync_log(), [dets:sync(T) || T <- dets:all()], ok.")

    def stop_app(self) -> None:
        self.ctl("stop_app")

    def start_app(self) -> None:
        self.ctl("start_app")
        deadline = time.monotonic() + 60
        while not amqp_reachable("127.0.0.1", self.amqp_port):
            if time.monotonic() > deadline:
                raise NodeError(f"{self}: AMQP listener not back after start_app")
            time.sleep(0.1)

    def _api(self, method: str, path: str, body: object | None = None) -> None:
        assert self.management_url is not None
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.management_url + path, data=data, method=method)
        auth = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        req.add_header("Authorization", f"Basic {auth}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30):
                pass
        except urllib.error.HTTPError as exc:
            if not (method == "DELETE" and exc.code == 404):
                raise NodeError(f"{method} {path}: HTTP {exc.code} {exc.read()!r}") from exc

    def add_vhost(self, name: str) -> str:
        """Create a vhost with full permissions for the node's user; returns its URL."""
        if self.management_url:  # ~30 ms over HTTP versus ~1 s per rabbitmqctl call
            self._api("PUT", f"/api/vhosts/{quote(name, safe='')}")
            self._api("PUT", f"/api/permissions/{quote(name, safe='')}/{quote(self.user, safe='')}",
                      {"configure": ".*", "write": ".*", "read": ".*"})
        else:
            self.ctl("add_vhost", name)
            self.ctl("set_permissions", "-p", name, self.user, ".*", ".*", ".*")
        return self.url(name)

    def delete_vhost(self, name: str) -> None:
        if self.management_url:
            self._api("DELETE", f"/api/vhosts/{quote(name, safe='')}")
        else:
            self.ctl("delete_vhost", name)


def ensure_rabbitmq(name: str = "dev") -> str:
    """The broker at AMQP_URL if it answers, else the private node `name` (started if need be)."""
    return _ensure_rabbitmq(name)[0]


def _ensure_rabbitmq(name: str) -> tuple[str, bool]:
    url = os.environ.get("AMQP_URL")
    if url and amqp_url_reachable(url):
        return url, False
    if url:
        _say(f"AMQP_URL {urlsplit(url).hostname}:{urlsplit(url).port} does not answer; "
             f"using the private node {name!r}")
    node = RabbitNode.preset(name)
    started = not node.is_running()
    node.start()
    return node.url(), started


# --- PostgreSQL --------------------------------------------------------------------------


PG_PRESETS = {"dev": 5442, "test": 5443}


def postgres_bin_dir(install: bool = True) -> Path:
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(Path(out.stdout.strip()))
    def version(path: Path) -> int:
        return int(path.parent.name) if path.parent.name.isdigit() else 0

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).resolve().parent)
    for path in candidates:
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    if not install:
        raise NodeError("the PostgreSQL server (initdb, pg_ctl) is not installed")
    apt_install(["postgresql"], "PostgreSQL server (initdb, pg_ctl)")
    return postgres_bin_dir(install=False)


def _libpq_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


def _with_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path="/" + quote(name, safe="")).geturl()


def postgres_reachable(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(_libpq_url(url), connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


def create_database(admin_url: str, name: str) -> str:
    """CREATE DATABASE through a superuser URL; returns the new database's SQLAlchemy URL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    scheme, rest = _with_database(admin_url, name).split("://", 1)
    return f"{scheme if '+' in scheme else 'postgresql+psycopg'}://{rest}"


def drop_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq_url(admin_url), autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))


def _postgres_reachable_dir(wanted: Path) -> Path:
    """`wanted`, unless the `postgres` user (which runs the cluster when we are root) could not
    traverse to it, e.g. a checkout under /root or a mode-700 temp dir: then a directory of
    its own under /var/tmp, named after `wanted` so each checkout keeps its own cluster."""
    if os.geteuid() != 0:
        return wanted
    for ancestor in [p for p in (*reversed(wanted.parents), wanted) if p.exists()]:
        if not os.stat(ancestor).st_mode & 0o001:  # no "others may traverse" bit
            digest = hashlib.sha1(str(wanted).encode()).hexdigest()[:12]
            fallback = Path("/var/tmp/rainmaker-postgres") / digest / wanted.name
            fallback.parent.mkdir(parents=True, exist_ok=True)
            return fallback
    return wanted


class PostgresCluster:
    """A private cluster under <base_dir>/postgres/<name>/ listening on 127.0.0.1:<port>.

    As root, initdb and pg_ctl run as the `postgres` user, which owns the cluster directory.
    Tuned for throwaway data: fsync off (a crash of the machine, not of postgres, may lose it).
    """

    def __init__(self, base_dir: Path | None = None, port: int = 5442, name: str = "dev",
                 user: str = "rainmaker") -> None:
        self.port, self.name, self.user = port, name, user
        self.dir = _postgres_reachable_dir(((base_dir or var_dir()) / "postgres" / name).resolve())
        self.data = self.dir / "data"
        self.sockets = self.dir / "run"
        self.log_file = self.dir / "postgres.log"

    @classmethod
    def preset(cls, name: str, base_dir: Path | None = None) -> PostgresCluster:
        """A named cluster: the preset's port, else the one it last started with, else dev's."""
        port = PG_PRESETS.get(name)
        if port is None:
            saved = _load_params((base_dir or var_dir()) / "postgres" / name)
            port = int(saved["port"]) if saved else PG_PRESETS["dev"]
        return cls(base_dir, port, name)

    @classmethod
    def from_env(cls, prefix: str, default: str) -> PostgresCluster:
        """Build from <prefix>_NAME and <prefix>_PORT."""
        cluster = cls.preset(os.environ.get(f"{prefix}_NAME", default))
        if f"{prefix}_PORT" in os.environ:
            cluster.port = int(os.environ[f"{prefix}_PORT"])
        return cluster

    def __repr__(self) -> str:
        return f"PostgresCluster({self.dir}, port={self.port})"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return _with_database(self.admin_url, database)

    @property
    def pid(self) -> int | None:
        pid = _read_pid(self.data / "postmaster.pid")
        return pid if pid is not None and _alive(pid) else None

    def is_running(self) -> bool:
        return self.pid is not None

    def _run(self, *cmd: str, timeout: float = 120.0) -> None:
        argv = [str(postgres_bin_dir() / cmd[0]), *cmd[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            argv = ["runuser", "-u", "postgres", "--", *argv]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd="/")
        if out.returncode != 0:
            raise NodeError(f"{cmd[0]} failed ({out.returncode}): {out.stderr.strip()}\n"
                            f"{self.log_file}:\n{_tail(self.log_file)}")

    def _own(self, *paths: Path) -> None:
        if os.geteuid() == 0:
            for path in paths:
                shutil.chown(path, "postgres", "postgres")

    def initdb(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        postgres_bin_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        self.log_file.touch()
        self._own(self.dir, self.sockets, self.log_file)
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "--encoding=UTF8", "--locale=C", "--no-instructions")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude_if_exists = 'rainmaker.conf'\n")

    def _write_config(self) -> None:
        conf = self.data / "rainmaker.conf"
        conf.write_text("\n".join([
            "# written by infra/devnodes.py on every start",
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.sockets}'",
            "max_connections = 200",
            "fsync = off", "synchronous_commit = off", "full_page_writes = off",
        ]) + "\n")
        self._own(conf)

    def start(self, timeout: float = 60.0) -> None:
        if self.is_running():
            return
        self.initdb()
        if _wait_ports_free([self.port], 15.0):
            raise NodeError(f"{self}: port {self.port} on 127.0.0.1 is taken by another process")
        self._write_config()
        _save_params(self.dir, port=self.port)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log_file), "-w",
                  "-t", str(int(timeout)), "start", timeout=timeout + 10)

    def stop(self, timeout: float = 60.0) -> None:
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w",
                      "-t", str(int(timeout)), "stop", timeout=timeout + 10)

    def create_database(self, name: str) -> str:
        return create_database(self.admin_url, name)

    def drop_database(self, name: str) -> None:
        drop_database(self.admin_url, name)


def ensure_postgres(name: str = "dev") -> str:
    """TEST_POSTGRES_URL (a superuser URL) if it answers, else the private cluster's."""
    return _ensure_postgres(name)[0]


def _ensure_postgres(name: str) -> tuple[str, bool]:
    url = os.environ.get("TEST_POSTGRES_URL")
    if url and postgres_reachable(url):
        return url, False
    if url:
        _say(f"TEST_POSTGRES_URL does not answer; using the private cluster {name!r}")
    cluster = PostgresCluster.preset(name)
    started = not cluster.is_running()
    cluster.start()
    return cluster.admin_url, started


# --- CLI ---------------------------------------------------------------------------------


def wait_http(urls: Sequence[str], timeout: float, pid: int | None = None) -> None:
    """Wait until every URL answers below 400; give up early if process `pid` exits."""
    deadline = time.monotonic() + timeout
    for url in urls:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    if resp.status < 400:
                        break
            except (OSError, urllib.error.URLError):
                pass
            if pid is not None and not _alive(pid):
                raise NodeError(f"process {pid} exited while waiting for {url}")
            if time.monotonic() > deadline:
                raise NodeError(f"{url} did not answer within {timeout:.0f}s")
            time.sleep(0.5)


def _exports(out: IO[str], **values: str) -> None:
    for key, value in values.items():
        print(f"export {key}={shlex.quote(value)}", file=out)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except NodeError as exc:
        _say(str(exc))
        raise SystemExit(1) from None


def _rabbit_cli(args: argparse.Namespace) -> int:
    node = RabbitNode.preset(args.name)
    if args.amqp_port:
        node.amqp_port = args.amqp_port
    if args.dist_port:
        node.dist_port = args.dist_port
    if args.management_port is not None:
        node.management_port = args.management_port or None
    action = args.action
    if action == "ensure":
        url, started = _ensure_rabbitmq(args.name)
        _exports(sys.stdout, AMQP_URL=url, RAINMAKER_STARTED_RABBIT="1" if started else "0")
    elif action == "start":
        if args.reset and not node.is_running():
            node.reset()
        was_running = node.is_running()
        node.start()
        _say(f"{node} {'already running' if was_running else 'started'} (pid {node.pid})")
    elif action == "stop":
        node.stop()
    elif action == "restart":
        node.restart()
    elif action == "kill9":
        _say(f"killed pid {node.kill9()}")
    elif action == "env":
        _exports(sys.stdout, AMQP_URL=node.url())
    elif not node.is_running():  # status
        print(f"{node.nodename}: stopped")
        return 3
    else:
        print(f"{node.nodename}: running pid={node.pid} url={node.url()} "
              f"management={node.management_url or '-'} dir={node.dir}")
    return 0


def _postgres_cli(args: argparse.Namespace) -> int:
    cluster = PostgresCluster.preset(args.name)
    if args.port:
        cluster.port = args.port
    action = args.action
    if action == "ensure":
        url, started = _ensure_postgres(args.name)
        _exports(sys.stdout, TEST_POSTGRES_URL=url,
                 RAINMAKER_STARTED_POSTGRES="1" if started else "0")
    elif action == "start":
        was_running = cluster.is_running()
        cluster.start()
        _say(f"{cluster} {'already running' if was_running else 'started'} (pid {cluster.pid})")
    elif action == "stop":
        cluster.stop()
    elif action == "env":
        _exports(sys.stdout, TEST_POSTGRES_URL=cluster.admin_url)
    elif not cluster.is_running():  # status
        print(f"postgres {cluster.name}: stopped")
        return 3
    else:
        print(f"postgres {cluster.name}: running pid={cluster.pid} url={cluster.admin_url} "
              f"dir={cluster.dir}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devnodes", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    rabbit = sub.add_parser("rabbitmq", help="a private RabbitMQ node")
    rabbit.add_argument("action", choices=["start", "stop", "status", "env", "ensure", "restart",
                                           "kill9"])
    rabbit.add_argument("--name", default="dev", help="node preset: dev, test, fault or any name")
    rabbit.add_argument("--amqp-port", type=int)
    rabbit.add_argument("--dist-port", type=int)
    rabbit.add_argument("--management-port", type=int, help="0 disables the management plugin")
    rabbit.add_argument("--reset", action="store_true", help="start: wipe the node's data first")
    pg = sub.add_parser("postgres", help="a private PostgreSQL cluster")
    pg.add_argument("action", choices=["start", "stop", "status", "env", "ensure"])
    pg.add_argument("--name", default="dev", help="cluster preset: dev, test or any name")
    pg.add_argument("--port", type=int)
    wait = sub.add_parser("wait-http", help="wait until every URL answers with a non-error status")
    wait.add_argument("urls", nargs="+")
    wait.add_argument("--timeout", type=float, default=120.0)
    wait.add_argument("--pid", type=int, help="stop waiting if this process exits")
    args = parser.parse_args(argv)
    with _errors():
        if args.kind == "rabbitmq":
            return _rabbit_cli(args)
        if args.kind == "postgres":
            return _postgres_cli(args)
        wait_http(args.urls, args.timeout, args.pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
