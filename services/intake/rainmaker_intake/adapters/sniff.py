"""What an uploaded list is before it is parsed: its kind, its text encoding, its delimiter.

Encoding: a UTF-8 or UTF-16 byte-order mark decides; otherwise the WHOLE file is decoded as
strict UTF-8 in 1 MiB chunks (about 0.1 s per 100 MB, so a stray byte on row 900,000 is not
missed). Failing that, charset-normalizer may name a non-Latin code page (Cyrillic, Greek,
Hebrew, Arabic, CJK) that decodes the whole file; otherwise the file is read as Windows-1252,
or as Latin-1 when it holds bytes that Windows-1252 leaves undefined. The same pass refuses NUL
bytes (binary files). Delimiter: the candidate (, ; tab |) found the same number of times,
outside quotes, on most of the first lines as on the header line; ties go to the one found more
often.
"""

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from rainmaker_intake.domain.model import InvalidUpload

CHUNK = 1 << 20
SAMPLE = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "a legacy Excel/Office file (.xls): save it as .xlsx or CSV",
    b"\x1f\x8b": "a gzip archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
NON_LATIN_CODE_PAGES = frozenset(
    {"cp1251", "koi8_r", "koi8_u", "cp866", "iso8859_5", "cp1253", "cp1255", "cp1256",
     "cp932", "shift_jis", "euc_jp", "gb18030", "gbk", "gb2312", "big5", "cp949", "euc_kr"}
)  # fmt: skip
_CP1252_HOLES = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_QUOTED = re.compile(r'"[^"]*"')


def file_kind(path: Path) -> str:
    """'xlsx' for a zip container, 'text' otherwise; refuses empty and known binary files."""
    with path.open("rb") as f:
        head = f.read(8)
    if not head:
        raise InvalidUpload("the file is empty")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise InvalidUpload(f"the file is {what}, not a CSV, TSV or XLSX list")
    return "text"


def detect_encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _check_utf16(path)
    if _decodes(path, "utf-8"):
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    legacy = _non_latin_guess(path)
    if legacy and _decodes(path, legacy):
        return legacy
    holes = any(_CP1252_HOLES.search(chunk) for chunk in _chunks(path))
    return "latin-1" if holes else "cp1252"


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for chunk in _chunks(path):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _non_latin_guess(path: Path) -> str | None:
    """charset-normalizer's guess when it is a Cyrillic/Greek/Hebrew/Arabic/CJK code page.

    Its guesses between Western code pages are unreliable (German cp1252 comes back as
    cp1250), so for Latin text the answer stays Windows-1252 (or Latin-1).
    """
    from charset_normalizer import from_bytes

    with path.open("rb") as f:
        sample = f.read(SAMPLE)
    if len(sample) - len(sample.decode("ascii", "ignore")) < len(sample) // 10:
        return None  # a few accented letters in mostly ASCII text: a Western list
    best = from_bytes(sample).best()
    encoding = best.encoding if best else None
    return encoding if encoding in NON_LATIN_CODE_PAGES else None


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            if b"\x00" in chunk:
                raise InvalidUpload("the file contains NUL bytes: it is binary, not a text list")
            yield chunk


def _check_utf16(path: Path) -> str:
    with path.open(encoding="utf-16", errors="strict", newline="") as f:
        try:
            while chunk := f.read(CHUNK):
                if "\x00" in chunk:
                    raise InvalidUpload("the file contains NUL characters: it is not a text list")
        except UnicodeDecodeError as error:
            raise InvalidUpload(f"the file starts as UTF-16 but is not: {error}") from None
    return "utf-16"


def read_sample(path: Path, encoding: str) -> str:
    """The first 64 KiB of text; refuses text that is mostly control characters."""
    with path.open(encoding=encoding, newline="") as f:
        sample = f.read(SAMPLE)
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise InvalidUpload("the file is full of control characters: it is binary, not a list")
    return sample


def detect_delimiter(sample: str, *, truncated: bool) -> str:
    """The delimiter of a CSV/TSV sample (',' for a one-column list)."""
    lines = [line for line in _QUOTED.sub("", sample).splitlines() if line.strip()]
    if truncated and len(lines) > 1:
        lines.pop()
    lines = lines[:50]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        header = lines[0].count(delimiter) if lines else 0
        if header == 0:
            continue
        same = sum(1 for line in lines if line.count(delimiter) == header) / len(lines)
        if (same, header) > best_score:
            best, best_score = delimiter, (same, header)
    return best
