"""`rainmaker keys` against a real SQLite auth database named by the environment."""

import pytest
from click.testing import CliRunner

from rainmaker_cli.keys import keys
from rainmaker_web import KeyStore, Role


@pytest.fixture
def runner(auth_url, monkeypatch):
    monkeypatch.setenv("RAINMAKER_AUTH_DATABASE_URL", auth_url)
    return CliRunner()


def test_create_prints_only_the_key(runner, auth_url):
    result = runner.invoke(keys, ["create", "--role", "account_manager", "--am", "am-1",
                                  "--label", "Ada"])
    assert result.exit_code == 0, result.output
    key = result.output.strip()
    assert "\n" not in key and key.startswith("rk_")
    principal = KeyStore(auth_url).verify(key)
    assert principal is not None and principal.role is Role.ACCOUNT_MANAGER
    assert principal.am_id == "am-1"


def test_create_refuses_am_role_without_am(runner):
    result = runner.invoke(keys, ["create", "--role", "account_manager"])
    assert result.exit_code == 2


def test_list_and_revoke(runner):
    key = runner.invoke(keys, ["create", "--role", "manager"]).output.strip()
    key_id = key.split("_")[1]
    listed = runner.invoke(keys, ["list"]).output
    assert key_id in listed and "manager" in listed and key not in listed
    assert runner.invoke(keys, ["revoke", key_id]).exit_code == 0
    assert runner.invoke(keys, ["revoke", key_id]).exit_code == 1
    assert runner.invoke(keys, ["list"]).output.split("\t")[-1].strip() != "-"
