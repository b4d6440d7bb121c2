"""`rainmaker keys`: create, list and revoke API keys in the auth database.

`create` prints the new key and nothing else, so scripts can capture it:
    KEY=$(rainmaker keys create --role account_manager --am am-42 --label "Ada")
The key is shown once; only its hash is stored. The database comes from
RAINMAKER_AUTH_DATABASE_URL (default var/auth.db) and is migrated on first use.
"""

import click

from rainmaker_web.keystore import KeyStore
from rainmaker_web.roles import Role


def _store() -> KeyStore:
    store = KeyStore()
    store.migrate()  # idempotent; lets `keys create` work on a fresh checkout
    return store


@click.group()
def keys() -> None:
    """Manage API keys (Authorization: Bearer <key>)."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--am", "am_id", help="The account manager id; required for account_manager.")
@click.option("--label", help="Who or what the key is for.")
def create(role: str, am_id: str | None, label: str | None) -> None:
    """Create a key and print it (the only time it is visible)."""
    try:
        key = _store().create(Role(role), am_id=am_id, label=label)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(key)


@keys.command("list")
def list_keys() -> None:
    """List keys: key_id, role, am_id, label, created_at, revoked_at (tab-separated)."""
    for key in _store().list():
        revoked = key.revoked_at.isoformat() if key.revoked_at else "-"
        fields = (
            key.key_id,
            key.role.value,
            key.am_id or "-",
            key.label or "-",
            key.created_at.isoformat(),
            revoked,
        )
        click.echo("\t".join(fields))


@keys.command("revoke")
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Revoke a key; services stop accepting it within their cache TTL (30 s)."""
    if not _store().revoke(key_id):
        raise click.ClickException(f"no active key {key_id!r}")
    click.echo(f"revoked {key_id}", err=True)
