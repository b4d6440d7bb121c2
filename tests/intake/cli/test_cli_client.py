"""Where the CLI finds intake, keys and roles, errors without an API, and the pure renderers."""

from tests.support import free_port


def test_the_groups_are_mounted_by_intakes_bootstrap(rainmaker):
    assert {"lists", "referrals", "suppressions"} <= set(rainmaker.commands)
    assert {"import", "preview", "status", "errors"} <= set(rainmaker.commands["lists"].commands)


def test_no_key_is_a_401_with_a_hint(cli):
    result = cli("suppressions", "list", role=None)
    assert result.exit_code == 1
    assert "401 Unauthorized" in result.stderr
    assert "pass --key or set RAINMAKER_API_KEY" in result.stderr


def test_key_and_url_options_override_the_environment(cli, intake_url, keys):
    result = cli("suppressions", "list", "--key", keys["manager"], "--url", intake_url,
                 role=None, INTAKE_URL="http://127.0.0.1:9")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_intake_port_names_the_default_url(cli, intake_url):
    port = intake_url.rsplit(":", 1)[1]
    result = cli("suppressions", "list", INTAKE_URL=None, INTAKE_PORT=port)  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output


def test_a_server_that_is_not_there_is_said_plainly(cli):
    url = f"http://127.0.0.1:{free_port()}"
    result = cli("suppressions", "list", INTAKE_URL=url)
    assert result.exit_code == 1
    assert f"cannot reach intake at {url}" in result.stderr
    assert "Traceback" not in result.output


def test_a_wrong_role_is_a_403(cli):
    result = cli("suppressions", "add", "--email", "a@fabrikam.com", role="manager")
    assert result.exit_code == 1
    assert "403 Forbidden" in result.stderr
