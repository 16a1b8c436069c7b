"""Raw bytes to ``ArticleIn``, with a reason a producer can act on when that fails."""

from __future__ import annotations

import codecs

from pydantic import ValidationError

from copydesk.rules.records import ArticleIn

MAX_RECORD_BYTES = 16 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class RecordError(Exception):
    """Input that cannot be read as an article. ``reason`` is a short stable code."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        self.message = message
        super().__init__(f"{reason}: {message}")


def decode(raw: bytes) -> str:
    """UTF-8, or UTF-8/16/32 announced by a byte-order mark."""
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise RecordError(
            "not-utf8",
            f"not valid {encoding}: byte {exc.start} ({raw[exc.start : exc.start + 1]!r})",
        ) from None


def parse_article(raw: bytes, max_bytes: int = MAX_RECORD_BYTES) -> ArticleIn:
    if not raw:
        raise RecordError("empty", "record is empty (0 bytes)")
    if len(raw) > max_bytes:
        raise RecordError("too-large", f"record is {len(raw)} bytes; the limit is {max_bytes}")
    text = decode(raw)
    try:
        return ArticleIn.model_validate_json(text)
    except ValidationError as exc:
        raise RecordError(*_explain(exc)) from None


def _explain(exc: ValidationError) -> tuple[str, str]:
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    if first["type"] == "json_invalid":
        return "invalid-json", f"invalid JSON: {first['msg'].removeprefix('Invalid JSON: ')}"
    if first["type"] == "model_type":
        return "not-an-object", "a record must be a JSON object"
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "record"
        parts.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "invalid-record", "; ".join(parts) + more
