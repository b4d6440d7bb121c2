"""How the CLI shows imports: a progress line, the list-quality report, tables. Pure text."""

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from rainmaker_contracts.money import format_money, from_minor, minor_digits

OUTCOMES = (
    ("accepted", "new"),
    ("duplicates_in_file", "dup in file"),
    ("duplicates_existing", "already owned"),
    ("suppressed", "suppressed"),
    ("rejected", "rejected"),
)
LABEL = 44  # the quality report's label column


def progress_line(job: Mapping[str, Any], rate: float | None = None, width: int = 100) -> str:
    """`running [#####-----]  45%  450,000/1,000,000 rows  12,000 rows/s  new 400,000 · ...`"""
    done, total = int(job.get("rows_done") or 0), int(job.get("rows_total") or 0)
    status = str(job.get("status", "?"))
    parts = [f"{status:<7}"]
    if total:
        share = min(done / total, 1.0)
        parts.append(f"[{'#' * round(20 * share):-<20}] {share:4.0%}")
        parts.append(f"{done:,}/{total:,} rows")
    else:
        parts.append(f"{done:,} rows")
    if rate:
        parts.append(f"{rate:,.0f} rows/s")
    counts = [f"{label} {int(job.get(key) or 0):,}" for key, label in OUTCOMES]
    line = "  ".join(parts) + "  " + " · ".join(counts)
    if job.get("error") and status == "running":
        line += f"  (retrying after: {job['error']})"
    return line if len(line) <= width else line[: max(width - 1, 10)] + "…"


def money(minor: int | None, currency: str) -> str:
    return "-" if minor is None else format_money(minor, currency)


def per_contact(cost_minor: int, new: int, currency: str) -> str:
    """Cost per new contact, with two more decimals when under one unit of the currency (so
    a cheap list does not show 0.00)."""
    if not new:
        return "- (no new contacts)"
    exact = from_minor(cost_minor, currency) / new
    places = minor_digits(currency) + (2 if 0 < exact < 1 else 0)
    return f"{exact:,.{places}f} {currency}"


def quality_report(job: Mapping[str, Any], source_names: Mapping[str, str] | None = None) -> str:
    """The list-quality report of a finished import: what the list was really worth."""
    q = job.get("quality") or {}
    names = source_names or {}
    total = int(job.get("rows_done") or job.get("rows_total") or 0)
    currency = str(q.get("currency") or "")
    cost, new = int(q.get("cost_minor") or 0), int(q.get("rows_new_to_us") or 0)

    def row(label: str, n: int, indent: int = 2) -> str:
        share = f"{n / total:7.1%}" if total else ""
        room = LABEL - indent
        label = label if len(label) <= room else label[: room - 2] + "…"
        return f"{' ' * indent}{label:<{room}}{n:>12,} {share}"

    lines = [
        f"List-quality report for import {job.get('import_id')} ({total:,} rows"
        + (f", {job.get('encoding')}" if job.get("encoding") else "")
        + (f", delimiter {job.get('delimiter')!r}" if job.get("delimiter") else "")
        + ")",
        row("new to us", new),
        row("already owned", int(q.get("rows_already_owned") or 0)),
    ]
    owned = sorted((q.get("owned_by_source") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    for source, n in owned:
        lines.append(row(f"via {names.get(source, source)}", int(n), indent=6))
    lines += [
        row("duplicates within the file", int(q.get("duplicates_in_file") or 0)),
        row("existing customers", int(q.get("existing_customers") or 0)),
        row("invalid emails", int(q.get("invalid_emails") or 0)),
        row("invalid phones", int(q.get("invalid_phones") or 0)),
        row("suppressed", int(q.get("suppressed") or 0)),
        row("rejected rows", int(q.get("rejected") or 0)),
        f"  {'list cost':<{LABEL - 2}}{money(q.get('cost_minor'), currency):>12}",
        f"  {'cost per new contact':<{LABEL - 2}}{per_contact(cost, new, currency):>12}",
    ]
    return "\n".join(lines)


def width(text: str) -> int:
    """Terminal columns: CJK and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_cell: int = 24) -> str:
    """A plain text table; cells are cut to `max_cell` characters and newlines shown as ⏎."""

    def cell(value: Any) -> str:
        text = "" if value is None else str(value).replace("\r\n", "⏎").replace("\n", "⏎")
        return text if len(text) <= max_cell else text[: max_cell - 1] + "…"

    body = [[cell(v) for v in r] for r in rows]
    head = [cell(h) for h in headers]
    widths = [
        max([width(head[i])] + [width(r[i]) for r in body if i < len(r)]) for i in range(len(head))
    ]
    out = ["  ".join(pad(h, w) for h, w in zip(head, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(pad(c, w) for c, w in zip(r, widths, strict=False)).rstrip() for r in body]
    return "\n".join(out)


def preview_text(preview: Mapping[str, Any], limit: int, max_cell: int) -> str:
    """POST /lists/preview as text: detection, the header -> field mapping, the first rows."""
    delimiter = preview.get("delimiter")
    shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delimiter or "", "-")
    lines = [
        f"format:    {preview.get('format')}",
        f"encoding:  {preview.get('encoding') or '-'}",
        f"delimiter: {shown}" + (f" ({delimiter!r})" if delimiter else ""),
        "",
        "columns:",
    ]
    columns = preview.get("columns") or []
    lines += [
        f"  {c['index'] + 1:>3}. {c['header']!r:<32} -> {c.get('field') or '(kept as attribute)'}"
        for c in columns
    ]
    rows = (preview.get("rows") or [])[:limit]
    fields = [c["field"] for c in columns if c.get("field")]
    extras = [c["header"] for c in columns if not c.get("field")]
    lines += ["", f"first {len(rows)} rows:"]
    lines.append(
        table(
            ["row", *fields, *extras],
            [
                [
                    r["row_number"],
                    *(r["values"].get(f) for f in fields),
                    *(r["attributes"].get(h) for h in extras),
                ]
                for r in rows
            ],
            max_cell,
        )
    )
    errors = preview.get("errors") or []
    if errors:
        lines += ["", "problems in these rows:"]
        lines += [f"  row {e['row_number']} {e['column']}: {e['reason']}" for e in errors]
    return "\n".join(lines)
