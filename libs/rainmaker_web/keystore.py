"""API keys: created once in plaintext, stored as sha256, verified with a short TTL cache.

A key reads `rk_<key_id>_<secret>`: the key_id (16 hex chars) names the row and may appear
in logs and listings; the secret is 256 random bits and never stored.

Why sha256 and not bcrypt/argon2: slow hashes exist to protect low-entropy passwords from
guessing. A 256-bit random secret cannot be guessed from a leaked hash at any hash speed, and
a fast hash keeps verification cheap on every request.
"""

import builtins
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from rainmaker_db import Database
from rainmaker_web.authdb import api_keys, auth_database_url, migrate_auth
from rainmaker_web.roles import Principal, Role

KEY_PREFIX = "rk_"
_KEY_ID_HEX = 16
_MAX_CACHED = 10_000  # bounds memory when someone sprays random keys at us


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def parse_key_id(key: str) -> str | None:
    """The key_id of a well-formed key, else None (no database hit for garbage)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    key_id, sep, secret = key[len(KEY_PREFIX):].partition("_")
    hexdigits = set("0123456789abcdef")
    if not sep or not secret or len(key_id) != _KEY_ID_HEX or not set(key_id) <= hexdigits:
        return None
    return key_id


@dataclass(frozen=True)
class ApiKey:
    """A stored key as listed (no secret, no hash)."""

    key_id: str
    role: Role
    am_id: str | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


class KeyStore:
    """The api_keys table. Revocation reaches other processes within `ttl_seconds`."""

    def __init__(
        self,
        url: str | None = None,
        *,
        ttl_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url or auth_database_url()
        self._db = Database(self.url)  # lazy: no connection until first use
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Principal | None, float]] = {}

    def migrate(self) -> None:
        migrate_auth(self.url)

    def create(self, role: Role | str, am_id: str | None = None, label: str | None = None) -> str:
        """Store a new key and return it in plaintext: the only time it is ever visible."""
        role = Role(role)
        if (role is Role.ACCOUNT_MANAGER) != (am_id is not None):
            raise ValueError("an account_manager key needs an am_id, and only it may have one")
        key_id = secrets.token_hex(_KEY_ID_HEX // 2)
        key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        with self._db.transaction() as session:
            session.execute(insert(api_keys).values(
                key_id=key_id, hash=_digest(key), role=role.value, am_id=am_id, label=label,
                created_at=datetime.now(UTC),
            ))
        return key

    def verify(self, key: str) -> Principal | None:
        """The key's principal, or None when it is malformed, unknown or revoked."""
        key_id = parse_key_id(key)
        if key_id is None:
            return None
        digest = _digest(key)
        now = self._clock()
        with self._lock:
            hit = self._cache.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        principal = self._lookup(key_id, digest)
        with self._lock:
            if len(self._cache) >= _MAX_CACHED:
                self._cache.clear()
            self._cache[digest] = (principal, now + self._ttl)
        return principal

    def _lookup(self, key_id: str, digest: str) -> Principal | None:
        query = select(api_keys).where(api_keys.c.key_id == key_id)
        with self._db.engine.connect() as conn:
            row = conn.execute(query).first()
        # Constant-time compare: response timing must not reveal how much of a hash matched.
        if row is None or not hmac.compare_digest(row.hash, digest) or row.revoked_at:
            return None
        return Principal(key_id=row.key_id, role=Role(row.role), am_id=row.am_id)

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; False when it is unknown or already revoked."""
        with self._db.transaction() as session:
            result = session.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        with self._lock:  # this process stops accepting it at once; others within the TTL
            self._cache = {d: v for d, v in self._cache.items()
                           if v[0] is None or v[0].key_id != key_id}
        return bool(getattr(result, "rowcount", 0))

    def check(self) -> None:
        """Readiness: the auth database answers and has its table."""
        with self._db.engine.connect() as conn:
            conn.execute(select(api_keys.c.key_id).limit(1)).first()

    def close(self) -> None:
        self._db.dispose()

    def list(self) -> builtins.list[ApiKey]:
        with self._db.engine.connect() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).all()
        return [
            ApiKey(key_id=r.key_id, role=Role(r.role), am_id=r.am_id, label=r.label,
                   created_at=_utc(r.created_at) or r.created_at, revoked_at=_utc(r.revoked_at))
            for r in rows
        ]
