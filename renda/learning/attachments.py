"""Checking an uploaded attachment by what it contains, not by its name or the type the
browser claimed: a renamed executable must not reach deputies' phones as a "PDF"."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from renda.core import uploads
from renda.core.errors import InvalidInput

MAX_BYTES = 20 * 1024 * 1024
ACCEPT = ".pdf,.doc,.docx,.jpg,.jpeg,.png,.gif,.webp"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# The types the core upload kit cleans, by the content type detect() found.
_INSPECTED = {
    "application/pdf": (uploads.PDF,),
    "image/jpeg": uploads.PHOTOS,
    "image/png": uploads.PHOTOS,
    "image/webp": uploads.PHOTOS,
    "image/gif": uploads.GIF,
}


@dataclass(frozen=True)
class Detected:
    content_type: str
    extension: str


def _is_docx(head: bytes, upload: Any) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)


def detect(head: bytes, upload: Any) -> Detected | None:
    """The file's real type from its first bytes (and, for .docx, its parts)."""
    if head.startswith(b"%PDF-"):
        return Detected("application/pdf", "pdf")
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("image/jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image/png", "png")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Detected("image/gif", "gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected("image/webp", "webp")
    if head.startswith(_OLE2):
        # The old binary Word format; the compound-file header is shared with .xls and .ppt,
        # so the name must say .doc too.
        name = (getattr(upload, "name", "") or "").lower()
        return Detected("application/msword", "doc") if name.endswith(".doc") else None
    if _is_docx(head, upload):
        return Detected(_DOCX, "docx")
    return None


def content(upload: Any, detected: Detected) -> tuple[Any, int]:
    """What to store for an upload ``inspect`` accepted, and its size: the cleaned copy of an
    image or PDF, a Word document as it came."""
    signatures = _INSPECTED.get(detected.content_type)
    clean = uploads.inspect(upload, signatures) if signatures else None
    if clean is None:
        return upload, int(upload.size)
    return clean.content, clean.size


def inspect(upload: Any) -> Detected:
    """Validate an upload: size at most 20 MB and a PDF, Word document or image by content.
    Raises InvalidInput on the ``attachment`` field with a message saying what to do."""
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise InvalidInput(field_errors={"attachment": [_("上传的附件是空文件,请重新选择。")]})
    if size > MAX_BYTES:
        raise InvalidInput(
            field_errors={
                "attachment": [
                    _("附件大小为 %(size).1f MB,超过 20 MB 的上限。请压缩或拆分后再上传。")
                    % {"size": size / 1024 / 1024}
                ]
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = detect(head, upload)
    if found is not None and found.content_type in _INSPECTED:
        # Images re-encoded (appended data and EXIF dropped), PDFs refused with scripts or
        # embedded files; the cleaned bytes are what publish() stores.
        try:
            uploads.inspect(upload, _INSPECTED[found.content_type])
        except uploads.Refused as refused:
            raise InvalidInput(field_errors={"attachment": [refused.message]}) from None
    if found is None:
        raise InvalidInput(
            field_errors={
                "attachment": [
                    _(
                        "附件只能是 PDF、Word 文档(.doc、.docx)或图片(JPG、PNG、GIF、WEBP);所选文件的内容不是这些格式。"
                    )
                ]
            }
        )
    return found
