"""Uploads that are what they say (issue 10, item 7): the upload kit itself. The forms and
services that store uploads are tested with it in tests/duties, tests/suggestions and
tests/learning (``test_*uploads.py``)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from renda.core import uploads
from tests.core import upload_samples as samples

ATTACHMENTS = (*uploads.PHOTOS, uploads.PDF)


def upload(data: bytes, name: str = "file") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def stored(data: bytes, signatures: tuple[uploads.Signature, ...] = ATTACHMENTS) -> bytes:
    result = uploads.inspect(upload(data), signatures)
    assert result is not None
    return result.content.read()


def refusal(data: bytes, name: str = "样本") -> str:
    with pytest.raises(uploads.Refused) as caught:
        uploads.inspect(upload(data, name), ATTACHMENTS, name=name)
    return caught.value.message


def test_png_header_followed_by_html_is_refused() -> None:
    assert "“样本”无法作为图片读取" in refusal(samples.png_then_html())


@pytest.mark.parametrize("sample", [samples.jpeg_then_zip, samples.jpeg_then_html])
def test_what_follows_a_jpeg_is_not_stored(sample: object) -> None:
    data = sample()  # type: ignore[operator]
    kept = stored(data)
    assert b"PK\x03\x04" not in kept
    assert b"<html" not in kept
    assert kept.endswith(b"\xff\xd9")  # the JPEG's own end, nothing after it
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "JPEG"
        assert image.size == (32, 32)


def test_gps_and_other_exif_are_dropped_after_turning_the_picture() -> None:
    original = samples.jpeg(40, 20, exif=samples.located_exif(orientation=6))
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(samples.GPS_IFD)  # the sample does carry a position
    kept = stored(original)
    assert b"Exif" not in kept
    assert b"PhoneMaker" not in kept
    with Image.open(io.BytesIO(kept)) as after:
        assert not after.getexif()
        assert not after.getexif().get_ifd(samples.GPS_IFD)
        # Orientation 6 (phone held upright): the pixels are turned, the tag is gone.
        assert after.size == (20, 40)


def test_png_text_chunks_are_dropped() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG", pnginfo=info)
    kept = stored(buffer.getvalue())
    assert b"<script>" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "PNG"


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG")  # 60 million pixels in a small file
    assert len(buffer.getvalue()) < 1024 * 1024
    message = refusal(buffer.getvalue())
    assert "尺寸过大（10000×6000 像素）" in message
    assert "5000 万像素" in message


def test_a_truncated_photo_is_refused() -> None:
    data = samples.jpeg(64, 64)
    assert "无法作为图片读取" in refusal(data[: len(data) // 2])


def test_valid_photos_are_accepted_and_keep_their_type() -> None:
    for data, content_type in ((samples.jpeg(), "image/jpeg"), (samples.png(), "image/png")):
        result = uploads.inspect(upload(data), uploads.PHOTOS)
        assert result is not None
        assert result.content_type == content_type
        assert result.size == len(result.content.read()) > 0


def test_webp_and_gif_are_reencoded_too() -> None:
    for fmt, signatures in (("WEBP", uploads.PHOTOS), ("GIF", uploads.GIF)):
        buffer = io.BytesIO()
        Image.new("RGB", (16, 16), (1, 2, 3)).save(buffer, fmt)
        kept = stored(buffer.getvalue() + samples.HTML, signatures)
        assert samples.HTML not in kept
        with Image.open(io.BytesIO(kept)) as image:
            assert image.format == fmt


def test_pdf_with_open_action_javascript_is_refused() -> None:
    assert "“样本”含有脚本或打开时自动执行的动作" in refusal(samples.pdf_with_open_action_js())


def test_pdf_with_an_embedded_file_is_refused() -> None:
    assert "“样本”内嵌了其他文件" in refusal(samples.pdf_with_embedded_file())


def test_pdf_whose_javascript_is_inside_an_object_stream_is_refused() -> None:
    data = samples.pdf_with_js_in_object_stream()
    assert b"JavaScript" not in data
    assert b"OpenAction" not in data
    assert "含有脚本" in refusal(data)


def test_pdf_with_javascript_in_a_name_tree_or_launch_action_is_refused() -> None:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    # A document-level script: /Names << /JavaScript << /Names [(name) <<action>>] >> >>.
    action = DictionaryObject({NameObject("/JS"): TextStringObject("app.alert(1);")})
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("init"), writer._add_object(action)])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "含有脚本" in refusal(buffer.getvalue())

    writer = PdfWriter()
    page = writer.add_blank_page(width=100, height=100)
    page[NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject("cmd.exe"),
                }
            )
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "含有脚本" in refusal(buffer.getvalue())


def test_a_clean_pdf_is_accepted_unchanged() -> None:
    data = samples.pdf()
    result = uploads.inspect(upload(data), ATTACHMENTS)
    assert result is not None
    assert result.content_type == "application/pdf"
    assert result.content.read() == data


def test_a_clean_pdf_with_object_streams_is_accepted() -> None:
    data = samples.pdf_with_js_in_object_stream(script=False)
    result = uploads.inspect(upload(data), ATTACHMENTS)
    assert result is not None


def test_a_broken_pdf_is_refused() -> None:
    assert "不是有效的 PDF 文件" in refusal(b"%PDF-1.4\n" + b"0" * 200)


def test_unknown_types_are_not_recognised() -> None:
    assert uploads.inspect(upload(b"MZ\x90\x00 an executable"), ATTACHMENTS) is None
    assert uploads.inspect(upload(samples.pdf()), uploads.PHOTOS) is None


def test_checking_then_storing_decodes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = uploads._reencode

    def counting(*args: object) -> bytes:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(uploads, "_reencode", counting)
    photo = upload(samples.jpeg())
    first = uploads.inspect(photo, uploads.PHOTOS)
    second = uploads.inspect(photo, uploads.PHOTOS)
    assert first is second
    assert calls == [1]


def test_a_header_claiming_huge_dimensions_is_refused_as_too_large() -> None:
    """Only a header (20,000 × 15,000 pixels) and no pixel data: Pillow's own bomb guard
    stops it at opening; the caller is told it is too large, not that something broke."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 20_000, 15_000, 8, 2, 0, 0, 0)
    data = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    message = refusal(b"\x89PNG\r\n\x1a\n" + data)
    assert "尺寸过大" in message
    assert "5000 万像素" in message
