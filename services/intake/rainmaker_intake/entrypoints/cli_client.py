"""The CLI's client of the intake HTTP API: where it is, the key, uploads, problem+json errors.

URL: --url, else INTAKE_URL, else http://127.0.0.1:${INTAKE_PORT:-8001}. Key: --key, else
RAINMAKER_API_KEY. Every 4xx/5xx becomes an `ApiError` (a click.ClickException: printed
without a traceback, exit code 1) showing the problem's title, detail and per-field errors.
"""

import io
import json
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import quote

import click
import requests

TIMEOUT = (10.0, 60.0)  # connect, read
UPLOAD_TIMEOUT = (10.0, 900.0)  # the server hashes and sniffs the whole file before it answers


def default_url() -> str:
    return os.environ.get("INTAKE_URL") or (
        f"http://127.0.0.1:{os.environ.get('INTAKE_PORT', '8001')}"
    )


class ApiError(click.ClickException):
    """An error answer of the API, or no answer at all, worded for a person."""

    def __init__(self, message: str, status: int | None = None, problem: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.problem = problem


def problem_lines(problem: Mapping[str, Any]) -> list[str]:
    """A problem+json body as lines: `title: detail`, then one line per field error."""
    title, detail = problem.get("title") or "Error", problem.get("detail")
    lines = [f"{problem.get('status', '')} {title}".strip() + (f": {detail}" if detail else "")]
    errors = problem.get("errors")
    if errors:
        lines += [f"  {where}: {what}" for where, what in _flatten(errors, "")]
    if problem.get("request_id"):
        lines.append(f"  (request_id {problem['request_id']})")
    return lines


def _flatten(errors: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """{"form": {"cost": ["Not a valid number."]}} -> ("form.cost", "Not a valid number.")."""
    if isinstance(errors, Mapping):
        if {"column", "reason"} <= errors.keys():  # a row error of the importer/referrals
            value = f" {errors.get('value')!r}" if errors.get("value") else ""
            yield prefix or "row", f"{errors['column']}{value}: {errors['reason']}"
            return
        for key, value in errors.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(errors, list | tuple):
        if all(isinstance(e, str) for e in errors):
            yield prefix or "errors", "; ".join(errors)
        else:
            for item in errors:
                yield from _flatten(item, prefix)
    else:
        yield prefix or "errors", str(errors)


class MultipartBody:
    """A multipart/form-data body streamed from disk with a known length: requests sends it
    block by block with a Content-Length, so a 500 MB list never sits in memory."""

    def __init__(
        self,
        fields: Mapping[str, str],
        path: Path,
        file_field: str = "file",
        on_read: Callable[[int], None] | None = None,
    ) -> None:
        boundary = f"rainmaker-{secrets.token_hex(12)}"
        self.content_type = f"multipart/form-data; boundary={boundary}"
        head = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
            for name, value in fields.items()
        )
        ascii_name = path.name.encode("ascii", "replace").decode().replace('"', "_")
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f"filename=\"{ascii_name}\"; filename*=UTF-8''{quote(path.name)}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        self._size = len(head) + path.stat().st_size + len(tail)
        self._parts: list[IO[bytes]] = [io.BytesIO(head), path.open("rb"), io.BytesIO(tail)]
        self._sent = 0
        self._on_read = on_read

    def __len__(self) -> int:
        return self._size

    def tell(self) -> int:  # requests computes Content-Length as len() - tell()
        return self._sent

    def read(self, size: int | None = -1) -> bytes:
        size = self._size if size is None or size < 0 else size
        out = b""
        while self._parts and len(out) < size:
            block = self._parts[0].read(size - len(out))
            if not block:
                self._parts.pop(0).close()
                continue
            out += block
        self._sent += len(out)
        if self._on_read and out:
            self._on_read(len(out))
        return out

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(1 << 16):
            yield block

    def close(self) -> None:
        for part in self._parts:
            part.close()
        self._parts = []

    def __enter__(self) -> "MultipartBody":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class IntakeClient:
    """Calls the intake API with a bearer key; returns decoded JSON or raises ApiError."""

    def __init__(self, url: str | None = None, key: str | None = None) -> None:
        self.url = (url or default_url()).rstrip("/")
        self.key = key
        self.http = requests.Session()
        if key:
            self.http.headers["Authorization"] = f"Bearer {key}"

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", TIMEOUT)
        try:
            response = self.http.request(method, self.url + path, **kw)
        except requests.ConnectionError as exc:
            raise ApiError(
                f"cannot reach intake at {self.url} ({type(exc).__name__}); is it running? "
                "Point INTAKE_URL (or --url) at it."
            ) from None
        except requests.Timeout:
            raise ApiError(f"intake at {self.url} did not answer {method} {path} in time") from None
        if response.status_code >= 400:
            raise self._error(method, path, response)
        return response

    def json(self, method: str, path: str, **kw: Any) -> Any:
        response = self.request(method, path, **kw)
        return response.json() if response.content else None

    def upload(
        self,
        path: str,
        fields: Mapping[str, str],
        file: Path,
        on_read: Callable[[int], None] | None = None,
    ) -> Any:
        """POST a multipart form with FILE streamed from disk."""
        with MultipartBody(fields, file, on_read=on_read) as body:
            return self.json(
                "POST",
                path,
                data=body,
                headers={"Content-Type": body.content_type},
                timeout=UPLOAD_TIMEOUT,
            )

    def _error(self, method: str, path: str, response: requests.Response) -> ApiError:
        try:
            problem = response.json()
        except ValueError:
            problem = None
        if not isinstance(problem, dict):
            text = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
            return ApiError(
                f"{method} {path}: HTTP {response.status_code} {response.reason} {text}".strip(),
                response.status_code,
            )
        lines = problem_lines(problem)
        if response.status_code == 401 and not self.key:
            lines.append("  no API key given: pass --key or set RAINMAKER_API_KEY")
        return ApiError("\n".join(lines), response.status_code, problem)


def dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str)


F = TypeVar("F", bound=Callable[..., Any])


def api_options(command: F) -> F:
    """--url and --key on a command (each falls back to its environment variable)."""
    command = click.option(
        "--key",
        envvar="RAINMAKER_API_KEY",
        show_envvar=True,
        help="API key (Bearer); marketing to change things, marketing or manager to read.",
    )(command)
    return click.option(
        "--url",
        envvar="INTAKE_URL",
        show_envvar=True,
        help="Intake's base URL [default: http://127.0.0.1:${INTAKE_PORT:-8001}].",
    )(command)
