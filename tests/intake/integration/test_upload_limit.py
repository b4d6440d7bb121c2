"""The upload size limit (Settings.max_upload_bytes, INTAKE_MAX_UPLOAD_BYTES): a body over it
is refused by POST /lists and POST /lists/preview with 413 as a problem, before any byte is
stored (the upload dir stays empty, no list is created); a body under it is served."""

import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from rainmaker_db import Database
from rainmaker_intake.config import Settings
from rainmaker_intake.entrypoints.http import create_app
from rainmaker_web import KeyStore
from tests.intake.integration.people import person, to_csv

LIMIT = 4096
SMALL = to_csv(person(i) for i in range(5))
LARGE = to_csv(person(i) for i in range(200))
PATHS = ("/lists", "/lists/preview")


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    return tmp_path / "small-uploads"


@pytest.fixture
def small_client(intake_db: Database, key_store: KeyStore, upload_dir: Path) -> FlaskClient:
    settings = Settings(database_url=intake_db.url, upload_dir=upload_dir, max_upload_bytes=LIMIT)
    return create_app(settings, key_store=key_store).test_client()


def post(client: FlaskClient, path: str, data: bytes, headers: dict[str, str]) -> TestResponse:
    form: dict[str, Any] = {"file": (io.BytesIO(data), "list.csv")}
    if path == "/lists":
        form.update(name="A list", cost="10.00", currency="EUR")
    return client.post(path, data=form, headers=headers, content_type="multipart/form-data")


def stored_files(upload_dir: Path) -> list[Path]:
    return [p for p in upload_dir.rglob("*") if p.is_file()] if upload_dir.exists() else []


def test_a_body_over_the_limit_is_refused_with_413_and_nothing_is_stored(
    small_client: FlaskClient, keys: dict[str, dict[str, str]], upload_dir: Path
) -> None:
    assert len(SMALL) < LIMIT // 2 < 2 * LIMIT < len(LARGE)
    for path in PATHS:
        r = post(small_client, path, LARGE, keys["marketing"])
        assert r.status_code == 413, (path, r.get_data(as_text=True))
        assert r.mimetype == "application/problem+json", path
        problem: Any = r.json
        assert (problem["status"], problem["instance"]) == (413, path)
        assert stored_files(upload_dir) == [], path
    assert small_client.get("/lists", headers=keys["marketing"]).json == []

    # Control: under the limit the same requests are served (the limit is what refused them).
    r = post(small_client, "/lists/preview", SMALL, keys["marketing"])
    assert r.status_code == 200, r.get_data(as_text=True)
    assert stored_files(upload_dir) == []  # a preview keeps nothing
    r = post(small_client, "/lists", SMALL, keys["marketing"])
    assert r.status_code == 202, r.get_data(as_text=True)
    assert len(stored_files(upload_dir)) == 1


def test_the_413_says_what_the_limit_is(
    small_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    for path in PATHS:
        r = post(small_client, path, LARGE, keys["marketing"])
        assert r.status_code == 413, path
        problem: Any = r.json
        detail = problem["detail"]
        assert "4 KiB (4,096 bytes)" in detail, detail
