"""Files to upload in tests: real photos and PDFs, and the polyglots that only look like them
(issue 10, item 7). Each hostile sample is what an attacker would send: its first bytes are
those of an allowed type."""

from __future__ import annotations

import io
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(width: int = 32, height: int = 32, *, exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), (200, 30, 30))
    # A left half that differs, so that a turned picture can be told from an untouched one.
    image.paste((20, 20, 220), (0, 0, width // 2, height))
    image.save(buffer, "JPEG", exif=exif or Image.Exif())
    return buffer.getvalue()


def png(width: int = 32, height: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 160, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def located_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: where the photo was taken, and how the phone was held."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (26.0, 53.0, 30.0)
    gps[3] = "E"
    gps[4] = (112.0, 34.0, 12.0)
    return exif


def png_then_html() -> bytes:
    """A PNG signature with a web page behind it, and no image at all."""
    return b"\x89PNG\r\n\x1a\n" + HTML


def jpeg_then_zip() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.html", HTML)
        bundle.writestr("payload.exe", b"MZ\x90\x00")
    return jpeg() + archive.getvalue()


def jpeg_then_html() -> bytes:
    return jpeg() + HTML


def _pdf(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf(pad: int = 0) -> bytes:
    """A clean one-page PDF (``pad`` characters of metadata make it larger)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": "学习提纲", **({"/Subject": "0" * pad} if pad else {})})
    return _pdf(writer)


def pdf_with_open_action_js() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    return _pdf(writer)


def pdf_with_embedded_file() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("说明.exe", b"MZ\x90\x00 not a document")
    return _pdf(writer)


def pdf_with_js_in_object_stream(*, script: bool = True) -> bytes:
    """The catalog with its /OpenAction and the JavaScript action live inside a compressed
    object stream: neither word appears in the file's bytes, only a parser sees them.
    ``script=False`` is the same file with a harmless page-opening destination instead."""
    hidden = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        4: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
        if script
        else b"<< /S /GoTo /D [3 0 R /Fit] >>",
    }
    offsets: list[bytes] = []
    bodies = b""
    for number, body in hidden.items():
        offsets.append(b"%d %d" % (number, len(bodies)))
        bodies += body + b"\n"
    header = b" ".join(offsets) + b"\n"
    packed = zlib.compress(header + bodies)

    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    where: dict[int, int] = {}

    def obj(number: int, content: bytes) -> None:
        where[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + content + b"\nendobj\n")

    obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
    obj(
        5,
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(hidden), len(header), len(packed))
        + packed
        + b"\nendstream",
    )
    xref_at = out.tell()
    rows = b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")
    for number in range(1, 7):
        if number in hidden:
            index = list(hidden).index(number)
            rows += b"\x02" + (5).to_bytes(4, "big") + index.to_bytes(2, "big")
        elif number == 6:
            rows += b"\x01" + xref_at.to_bytes(4, "big") + (0).to_bytes(2, "big")
        else:
            rows += b"\x01" + where[number].to_bytes(4, "big") + (0).to_bytes(2, "big")
    where[6] = xref_at
    out.write(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(rows)
        + rows
        + b"\nendstream\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()
