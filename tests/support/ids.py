"""Unique names instead of cleanup: tests never collide, even on a shared broker or database."""

import socket
import uuid


def unique_id(prefix: str = "t") -> str:
    """`<prefix>_<12 hex>`: valid as a vhost, queue, PostgreSQL database or file name."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers a test starts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
