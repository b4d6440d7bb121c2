"""The private nodes that the suite and `make run` rely on actually behave as advertised."""

import subprocess
import sys
from pathlib import Path

import pika
import pytest
import sqlalchemy as sa
from pika.adapters.blocking_connection import BlockingChannel

from infra.devnodes import RabbitNode, _alive, amqp_reachable, create_database, drop_database
from tests.support import unique_id, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _channel(url: str) -> tuple[pika.BlockingConnection, BlockingChannel]:
    conn = pika.BlockingConnection(pika.URLParameters(url))
    return conn, conn.channel()


def _publish(url: str, queue: str, body: bytes, arguments: dict[str, object]) -> None:
    conn, ch = _channel(url)
    ch.confirm_delivery()
    ch.queue_declare(queue, durable=True, arguments=arguments)
    ch.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2))
    conn.close()


def _get(url: str, queue: str) -> bytes | None:
    conn, ch = _channel(url)
    try:
        _method, _props, body = ch.basic_get(queue, auto_ack=True)
        return bytes(body) if body is not None else None
    finally:
        conn.close()


@pytest.mark.parametrize("queue_type", ["quorum", "classic"])
def test_fault_node_survives_kill9_and_restart(fault_rabbit: RabbitNode, queue_type: str) -> None:
    url = fault_rabbit.add_vhost(unique_id("kill"))
    _publish(url, "q", b"kept", {"x-queue-type": queue_type})
    fault_rabbit.sync_metadata()
    old_pid = fault_rabbit.pid
    assert old_pid is not None

    assert fault_rabbit.kill9() == old_pid
    assert not _alive(old_pid)
    assert not fault_rabbit.is_running()
    assert not amqp_reachable("127.0.0.1", fault_rabbit.amqp_port)

    fault_rabbit.start()
    assert fault_rabbit.pid not in (None, old_pid)
    # A confirmed persistent message outlives the crash.
    assert wait_for(lambda: _get(url, "q"), timeout=30, message="the message back",
                    ignore=(pika.exceptions.AMQPError,)) == b"kept"


def test_stop_app_closes_amqp_and_start_app_reopens_it(fault_rabbit: RabbitNode) -> None:
    fault_rabbit.stop_app()
    assert not amqp_reachable("127.0.0.1", fault_rabbit.amqp_port)
    assert fault_rabbit.is_running()  # the VM stays up
    fault_rabbit.start_app()
    assert fault_rabbit.is_ready()


def test_graceful_restart_keeps_vhosts(fault_rabbit: RabbitNode) -> None:
    vhost = unique_id("keep")
    fault_rabbit.add_vhost(vhost)
    fault_rabbit.restart()
    assert vhost in fault_rabbit.ctl("list_vhosts", "--silent").split()
    fault_rabbit.delete_vhost(vhost)
    assert vhost not in fault_rabbit.ctl("list_vhosts", "--silent").split()


def test_amqp_url_is_an_isolated_vhost(amqp_url: str, rabbit: RabbitNode) -> None:
    assert amqp_url.startswith(f"amqp://guest:guest@127.0.0.1:{rabbit.amqp_port}/test_")
    _publish(amqp_url, "isolated", b"x", {})
    assert _get(amqp_url, "isolated") == b"x"
    # The queue exists in this test's vhost only.
    conn, ch = _channel(rabbit.url("/"))
    with pytest.raises(pika.exceptions.ChannelClosedByBroker):
        ch.queue_declare("isolated", passive=True)
    conn.close()


def test_pg_create_and_drop_database(pg_admin_url: str) -> None:
    name = unique_id("infra")
    url = create_database(pg_admin_url, name)
    assert url.startswith("postgresql+psycopg://") and url.endswith(f"/{name}")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (v int)"))
        conn.execute(sa.text("INSERT INTO t VALUES (42)"))
        assert conn.execute(sa.text("SELECT v FROM t")).scalar_one() == 42
    engine.dispose()
    drop_database(pg_admin_url, name)
    engine = sa.create_engine(url)
    with pytest.raises(sa.exc.OperationalError):
        engine.connect().close()
    engine.dispose()


def test_database_url_works_on_both_backends(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    engine.dispose()


def test_cli_reports_status_of_the_session_node(rabbit: RabbitNode) -> None:
    out = subprocess.run(
        [sys.executable, "infra/devnodes.py", "rabbitmq", "status", "--name", rabbit.name,
         "--amqp-port", str(rabbit.amqp_port), "--dist-port", str(rabbit.dist_port)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0, out.stderr
    assert f"pid={rabbit.pid}" in out.stdout


def test_procfile_parses() -> None:
    honcho = Path(sys.executable).parent / "honcho"
    out = subprocess.run([str(honcho), "check", "-f", "infra/Procfile"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


def test_wait_for_returns_the_value_or_fails_with_the_message() -> None:
    values = iter([0, None, 7])
    assert wait_for(lambda: next(values), timeout=1, interval=0) == 7
    with pytest.raises(AssertionError, match="the impossible"):
        wait_for(lambda: False, timeout=0.05, interval=0.01, message="the impossible")


def test_unique_ids_are_unique_and_safe_names() -> None:
    ids = {unique_id("x") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("x_") and i.replace("_", "").isalnum() for i in ids)


def test_a_node_of_a_new_name_does_not_inherit_the_dev_management_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test node given only AMQP and distribution ports (RAINMAKER_TEST_FAULT_RABBIT_*) took
    dev's management port, 15682, and failed to boot beside a running dev node."""
    monkeypatch.setenv("RAINMAKER_X_RABBIT_NAME", "brand-new")
    monkeypatch.setenv("RAINMAKER_X_RABBIT_AMQP_PORT", "6123")
    monkeypatch.setenv("RAINMAKER_X_RABBIT_DIST_PORT", "26123")
    monkeypatch.setenv("RAINMAKER_VAR_DIR", str(tmp_path))
    node = RabbitNode.from_env("RAINMAKER_X_RABBIT", default="unused")
    assert (node.amqp_port, node.dist_port, node.management_port) == (6123, 26123, None)
    monkeypatch.setenv("RAINMAKER_X_RABBIT_MANAGEMENT_PORT", "16123")
    assert RabbitNode.from_env("RAINMAKER_X_RABBIT", default="unused").management_port == 16123
    assert RabbitNode.preset("dev").management_port == 15682
