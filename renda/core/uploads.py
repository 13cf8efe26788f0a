"""Uploaded files that are what they say, checked by content, never by the name or the type
the browser claims.

``sniff`` recognises a file by its first bytes (a renamed executable does not pass as a
photo). That alone lets a polyglot through: a PNG header followed by HTML, a JPEG with a ZIP
appended, a PDF that runs JavaScript when opened. So every upload that is stored goes through
``inspect``, which returns the bytes to store:

- **images** are decoded and re-encoded by Pillow: anything that is not a decodable image is
  refused; what follows the image data (an appended page or archive) and every piece of
  metadata (EXIF with the GPS position, XMP, text chunks) is dropped, after the EXIF
  orientation has been applied to the pixels; images over ``MAX_PIXELS`` (a decompression
  bomb is a small file with huge dimensions) are refused before they are decoded;
- **PDFs** are parsed with pypdf, object streams included, and refused when any object
  carries JavaScript (``/JS``, ``/S /JavaScript``, a ``/JavaScript`` name tree, XFA forms),
  an action that starts or imports something (``/Launch``, ``/ImportData``,
  ``/RichMediaExecute``, ``/GoToE``), or an embedded file (``/EmbeddedFile(s)``,
  file-attachment annotations). A refused PDF is refused (not kept as a download): the
  message says how to make a clean copy ("打印为 PDF");
- other types (Word documents of the learning attachments) are returned unchanged.

The result is cached on the upload object, so a service that validates first and stores
later decodes the file once.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# (magic bytes, their offset, content type, file extension)
Signature = tuple[bytes, int, str, str]

PHOTOS: tuple[Signature, ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"WEBP", 8, "image/webp", "webp"),
)
GIF: tuple[Signature, ...] = (
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
)
PDF: Signature = (b"%PDF-", 0, "application/pdf", "pdf")

# 50 million pixels: more than any phone photo that fits the size limits, and about 150 MB
# of memory to decode; Pillow's own bomb guard (MAX_IMAGE_PIXELS) only warns below 89 M.
MAX_PIXELS = 50_000_000
MAX_SIDE = 20_000

_PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}

# Actions that run something rather than go somewhere.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/GoToE"}
_SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA"}
_EMBEDDED_KEYS = {"/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
_EMBEDDED_TYPES = {"/EmbeddedFile", "/Filespec"}
_EMBEDDED_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"}
_MAX_PDF_OBJECTS = 200_000


class Refused(Exception):
    """The upload is not stored; ``message`` (Chinese, naming the file) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Inspected:
    content_type: str
    extension: str
    content: ContentFile[bytes]

    @property
    def size(self) -> int:
        return int(self.content.size)


def sniff(upload: IO[bytes], signatures: tuple[Signature, ...]) -> tuple[str, str] | None:
    """(content type, extension) of the first signature the file starts with, else None.
    The file is left at its start."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, offset, content_type, extension in signatures:
        if head[offset : offset + len(magic)] == magic:
            return content_type, extension
    return None


def inspect(upload: Any, signatures: tuple[Signature, ...], *, name: str = "") -> Inspected | None:
    """The bytes to store for an upload recognised by ``signatures``; None if its first
    bytes match none of them (the caller says which types it takes). Raises ``Refused`` for
    a file that starts like an allowed type but is not a clean one."""
    key = tuple(signatures)
    cached = getattr(upload, "_renda_inspected", None)
    if cached is not None and cached[0] == key:
        result: Inspected | None = cached[1]
        return result
    found = sniff(upload, signatures)
    label = name or str(getattr(upload, "name", "") or _("文件"))
    result = None
    if found is not None:
        content_type, extension = found
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        if content_type == PDF[2]:
            _check_pdf(data, label)
        elif content_type in _PILLOW_FORMATS:
            data = _reencode(data, content_type, label)
        result = Inspected(content_type, extension, ContentFile(data))
    with contextlib.suppress(AttributeError):  # a plain file object without a __dict__
        upload._renda_inspected = (key, result)
    return result


# Images --------------------------------------------------------------------------------------


def _unreadable_image(label: str) -> Refused:
    return Refused(
        _(
            "“%(name)s”无法作为图片读取（文件已损坏，或并不是真正的图片），请重新拍摄或另存后再上传。"
        )
        % {"name": label}
    )


def _reencode(data: bytes, content_type: str, label: str) -> bytes:
    expected = _PILLOW_FORMATS[content_type]
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                raise _unreadable_image(label)
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise Refused(
                    _(
                        "“%(name)s”的尺寸过大（%(width)d×%(height)d 像素），"
                        "请缩小到 %(limit)d 万像素以内再上传。"
                    )
                    % {
                        "name": label,
                        "width": width,
                        "height": height,
                        "limit": MAX_PIXELS // 10_000,
                    }
                )
            image.load()
            return _encode(image, expected)
    except Refused:
        raise
    except Image.DecompressionBombError:
        raise Refused(
            _("“%(name)s”的尺寸过大，请缩小到 %(limit)d 万像素以内再上传。")
            % {"name": label, "limit": MAX_PIXELS // 10_000}
        ) from None
    except Exception:  # a broken file fails in many ways inside a decoder: all are a refusal
        raise _unreadable_image(label) from None


def _encode(image: Image.Image, fmt: str) -> bytes:
    """The pixels again, in the same format, with no metadata but the colour profile."""
    out = io.BytesIO()
    options: dict[str, Any] = {}
    icc = image.info.get("icc_profile")
    if icc and fmt != "GIF":
        options["icc_profile"] = icc
    if fmt == "GIF":
        frames = getattr(image, "n_frames", 1)
        options.update(save_all=frames > 1, loop=image.info.get("loop", 0))
        if "duration" in image.info:
            options["duration"] = image.info["duration"]
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
        image.save(out, "GIF", **options)
        return out.getvalue()
    # Turn the pixels the way the camera's orientation tag says, then drop the tag with the
    # rest of the EXIF block (GPS position, camera serial, time).
    upright = ImageOps.exif_transpose(image) or image
    if fmt == "JPEG":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=90, optimize=True, **options)
    elif fmt == "PNG":
        if "transparency" in upright.info and upright.mode in ("P", "L", "RGB"):
            options["transparency"] = upright.info["transparency"]
        upright.save(out, "PNG", optimize=True, **options)
    else:
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
        upright.save(out, "WEBP", quality=90, **options)
    return out.getvalue()


# PDFs ----------------------------------------------------------------------------------------


def _check_pdf(data: bytes, label: str) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused(
                _("“%(name)s”设置了打开密码，无法检查其内容。请去掉密码后再上传。")
                % {"name": label}
            )
        problem = _pdf_problem(reader)
    except Refused:
        raise
    except Exception:  # pypdf on a malformed file raises more than PyPdfError: all a refusal
        raise Refused(
            _("“%(name)s”不是有效的 PDF 文件，无法读取。请重新导出后再上传。") % {"name": label}
        ) from None
    if problem == "script":
        raise Refused(
            _(
                "“%(name)s”含有脚本或打开时自动执行的动作，为安全起见不能上传。"
                "请用“打印为 PDF”另存一份后再上传。"
            )
            % {"name": label}
        )
    if problem == "embedded":
        raise Refused(
            _(
                "“%(name)s”内嵌了其他文件，为安全起见不能上传。"
                "请去掉其中的附件，或用“打印为 PDF”另存一份后再上传。"
            )
            % {"name": label}
        )


def _pdf_objects(reader: Any) -> list[Any]:
    """Every object of the file: all that the cross-reference tables list, those inside
    compressed object streams included, and all that the trailer reaches."""
    from pypdf.generic import IndirectObject

    roots: list[Any] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        roots += [IndirectObject(number, generation, reader) for number in numbers]
    roots += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    return roots


def _pdf_problem(reader: Any) -> str | None:
    """ "script", "embedded" or None, from a walk over every dictionary, array and stream."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack = _pdf_objects(reader)
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        visited += 1
        if visited > _MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):  # streams are dictionaries too
            keys = set(item.keys())
            if keys & _SCRIPT_KEYS or str(item.get("/S", "")) in _ACTIVE_ACTIONS:
                return "script"
            if (
                keys & _EMBEDDED_KEYS
                or (str(item.get("/Type", "")) in _EMBEDDED_TYPES and "/EF" in keys)
                or str(item.get("/Subtype", "")) in _EMBEDDED_SUBTYPES
            ):
                return "embedded"
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None
