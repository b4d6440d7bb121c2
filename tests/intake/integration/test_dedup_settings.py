"""The dedup thresholds are the service's settings (INTAKE_DEDUP_*), used by imports and
referrals alike: a stricter name threshold keeps a typo'd name at the same company apart."""

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from rainmaker_intake.config import Settings, dedup_from_env
from rainmaker_intake.domain.dedup import DEFAULT, DedupConfig
from rainmaker_intake.entrypoints.http import create_app
from rainmaker_intake.service_layer.importer import run_import
from rainmaker_web import KeyStore
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import to_csv

KATHERINE = {"First Name": "Katherine", "Last Name": "Johnson", "Email": "kj@acme.example",
             "Company": "Acme Ltd", "City": "London"}  # fmt: skip
# The same company, no shared address or number
TYPO = {**KATHERINE, "Last Name": "Jonhson", "Email": "", "Phone": "+44 20 7946 0999"}
STRICT = DedupConfig(name_threshold=0.99)


@pytest.mark.parametrize(("config", "leads"), [(DEFAULT, 1), (STRICT, 2)],
                         ids=["default", "strict"])  # fmt: skip
def test_an_import_matches_with_the_configured_threshold(
    intake: Intake, config: DedupConfig, leads: int
) -> None:
    r = intake.upload(to_csv([KATHERINE, TYPO]), "Typos", vendor="ListCo")
    run_import(intake.db, r.json["import_id"], dedup=config)
    assert intake.contact_count() == leads


@pytest.mark.parametrize(("config", "status"), [(DEFAULT, "duplicate"), (STRICT, "new")],
                         ids=["default", "strict"])  # fmt: skip
def test_a_referral_matches_with_the_apps_threshold(
    intake: Intake,
    key_store: KeyStore,
    tmp_path: Path,
    config: DedupConfig,
    status: str,
) -> None:
    intake.import_list(to_csv([KATHERINE]), "One", vendor="ListCo")
    settings = Settings(database_url=intake.db.url, upload_dir=tmp_path / "up", dedup=config)
    client: FlaskClient = create_app(settings, key_store=key_store).test_client()
    typo = {"first_name": "Katherine", "last_name": "Jonhson", "company": "Acme Ltd",
            "city": "London", "phone": "+44 20 7946 0999",
            "referrer": {"type": "employee", "name": "Sam"}}  # fmt: skip
    r = client.post("/referrals", json=typo, headers=intake.headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.json["results"][0]["status"] == status


def test_thresholds_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_DEDUP_NAME_THRESHOLD", "0.9")
    monkeypatch.setenv("INTAKE_DEDUP_STREET_THRESHOLD", " ")  # blank: the default
    assert dedup_from_env() == DedupConfig(name_threshold=0.9)
    assert Settings.from_env().dedup.name_threshold == 0.9
    for bad, why in (("1.5", "in (0, 1]"), ("high", "not a number"), ("0", "in (0, 1]")):
        monkeypatch.setenv("INTAKE_DEDUP_COMPANY_THRESHOLD", bad)
        message = re.escape(f"INTAKE_DEDUP_COMPANY_THRESHOLD='{bad}'") + ".*" + re.escape(why)
        with pytest.raises(ValueError, match=message):
            dedup_from_env()
