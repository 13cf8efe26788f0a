"""Recognising an uploaded file by its first bytes, never by the name or type the browser
claims: a renamed executable must not pass as a photo."""

from __future__ import annotations

from typing import IO

# (magic bytes, their offset, content type, file extension)
Signature = tuple[bytes, int, str, str]

PHOTOS: tuple[Signature, ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"WEBP", 8, "image/webp", "webp"),
)
PDF: Signature = (b"%PDF-", 0, "application/pdf", "pdf")


def sniff(upload: IO[bytes], signatures: tuple[Signature, ...]) -> tuple[str, str] | None:
    """(content type, extension) of the first signature the file starts with, else None.
    The file is left at its start."""
    head = upload.read(16)
    upload.seek(0)
    for magic, offset, content_type, extension in signatures:
        if head[offset : offset + len(magic)] == magic:
            return content_type, extension
    return None
