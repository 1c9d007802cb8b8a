"""The response body a history record kept, as bytes to download.

A binary answer is kept as base64 (`CallRecord.response_body_b64`, its first
CONSOLE_HISTORY_BODY_LIMIT bytes); a text answer as redacted text. Records written
before binary bodies were kept say so in a placeholder and have nothing to download.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from dataclasses import dataclass

from console.explorer.rendering import media_type
from console.history.models import CallRecord

_LEGACY_PLACEHOLDER = re.compile(r"\[\d+ bytes of binary content not stored\]")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
_EXTENSIONS = {"application/json": ".json", "text/plain": ".txt", "application/xml": ".xml"}


@dataclass(frozen=True)
class StoredBody:
    """What a download of a record's response body serves."""

    data: bytes
    content_type: str
    filename: str
    binary: bool
    complete: bool  # False when only the first part of the answer was kept


def response_media_type(record: CallRecord) -> str:
    """The recorded response's media type, if it is a well-formed one ("" otherwise)."""
    value = next(
        (str(v) for k, v in record.response_headers if str(k).lower() == "content-type"), ""
    )
    media = media_type(value)
    return media if _MEDIA_TYPE.fullmatch(media) else ""


def stored_body(record: CallRecord) -> StoredBody | None:
    """The kept response body of `record`, or None when it kept none."""
    media = response_media_type(record)
    if record.response_body_b64:
        try:
            data = base64.b64decode(record.response_body_b64, validate=True)
        except (binascii.Error, ValueError):
            return None
        content_type = media or "application/octet-stream"
        binary = True
    elif record.response_body and not _LEGACY_PLACEHOLDER.fullmatch(record.response_body):
        data = record.response_body.encode()
        # Stored as redacted text, served as UTF-8 whatever charset the API used.
        content_type = f"{media or 'text/plain'}; charset=utf-8"
        binary = False
    else:
        return None
    extension = _EXTENSIONS.get(media) or mimetypes.guess_extension(media or "") or ".bin"
    return StoredBody(
        data=data,
        content_type=content_type,
        filename=f"call-{record.pk}-response{extension}",
        binary=binary,
        complete=not record.response_truncated,
    )
