"""Run the four services as real processes (gunicorn web, consumers, relays) for e2e tests."""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVICES = ("intake", "tagging", "pipeline", "matching")
CONSUMER_QUEUES = {
    "intake": ("intake.imports", "intake.events"),
    "tagging": ("tagging.events",),
    "pipeline": ("pipeline.events",),
    "matching": ("matching.events",),
}


def base_env(tmp_path: Path, amqp_url: str) -> dict[str, str]:
    """The environment of a stack's processes: this one's, minus any database URLs, plus the
    broker, a private var dir and auth store, and short retry delays."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update(
        AMQP_URL=amqp_url,
        RAINMAKER_VAR_DIR=str(tmp_path / "var"),
        RAINMAKER_AUTH_DATABASE_URL=f"sqlite:///{tmp_path / 'auth.db'}",
        BUS_RETRY_DELAYS_S="0.5,1",
        PYTHONUNBUFFERED="1",
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    env: dict[str, str]
    log_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def run_cli(self, *args: str) -> str:
        out = subprocess.run(
            [str(BIN / "rainmaker"), *args],
            env=self.env,
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return out.stdout.strip()

    def start(self) -> None:
        self.run_cli("migrate")
        self.run_cli("topology", "declare")
        for svc in SERVICES:
            self.ports[svc] = free_port()
            self._spawn(
                f"{svc}-web",
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    str(REPO / "infra/gunicorn.conf.py"),
                    "--bind",
                    f"127.0.0.1:{self.ports[svc]}",
                    "--workers",
                    "2",
                    f"rainmaker_{svc}.entrypoints.http:create_app()",
                ],
            )
            for queue in CONSUMER_QUEUES[svc]:
                self._spawn(f"{queue}-consumer", [str(BIN / "rainmaker"), "consume", queue])
            self._spawn(f"{svc}-relay", [str(BIN / "rainmaker"), "relay", svc])
        for svc in SERVICES:
            self.wait_http(f"{self.url(svc)}/readyz")

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            cmd,
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_http(self, url: str, timeout: float = 120) -> None:
        # Generous: every web, consumer and relay process of the stack boots at once, and CI
        # machines are small and slower than a laptop.
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                r = requests.get(url, timeout=2)
                if r.status_code == 200:
                    return
                last = f"{r.status_code} {r.text[:200]}"
            except requests.RequestException as exc:
                last = str(exc)
            time.sleep(0.3)
        raise TimeoutError(f"{url} not ready: {last}\n{self.logs()}")

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise RuntimeError(f"processes exited: {dead}\n{self.logs()}")

    def logs(self, tail: int = 30) -> str:
        parts = []
        for log in sorted(self.log_dir.glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()[-tail:]
            parts.append(f"--- {log.name}\n" + "\n".join(lines))
        return "\n".join(parts)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def wait_for(self, predicate, timeout: float, message: str):  # type: ignore[no-untyped-def]
        """tests.support.wait_for, with the processes' logs attached when it times out."""
        from tests.support import wait_for

        try:
            return wait_for(predicate, timeout=timeout, interval=0.2, message=message)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.logs()}") from None
