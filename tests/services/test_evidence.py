"""Evidence files: photos lose their EXIF and GPS, sizes are limited, failures noted."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.services import images
from bot.services.evidence import MEGABYTE, EvidenceFetcher, attachments_in
from bot.services.images import UnreadableImageError, strip_metadata
from tests.evidence_files import PHONE_MAKE, FakeFiles, gps_of, photo_with_gps

PDF = b"%PDF-1.4\n% Author: somebody\n\x00\x01\x02 not a real pdf"


def photo(file_id: str = "p1", size: int | None = 900) -> dict[str, object]:
    return {"kind": "photo", "file_id": file_id, "size": size, "mime_type": "image/jpeg"}


def document(file_id: str = "d1", size: int | None = len(PDF)) -> dict[str, object]:
    return {"kind": "document", "file_id": file_id, "size": size, "mime_type": "application/pdf"}


# --- photos -----------------------------------------------------------------------------


def test_a_photo_comes_out_without_exif_or_gps_and_upright() -> None:
    original = photo_with_gps()
    assert gps_of(original), "the test photo must carry GPS to begin with"

    clean = strip_metadata(original)

    with Image.open(io.BytesIO(clean)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert gps_of(clean) == {}
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        # Orientation 6 applied: 40x20 turned a quarter clockwise; the red left edge is on top.
        assert image.size == (20, 40)
        red, _, _ = image.getpixel((10, 2))  # type: ignore[misc]
        assert red > 200
        assert image.getpixel((10, 37)) == pytest.approx((255, 255, 255), abs=8)
    assert PHONE_MAKE.encode() not in clean
    assert b"taken at home" not in clean


def test_a_photo_with_too_many_pixels_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(images, "MAX_PIXELS", 40 * 20 - 1)
    with pytest.raises(UnreadableImageError, match="too many pixels"):
        strip_metadata(photo_with_gps())


def test_the_pixel_limit_is_below_pillows_own_warning() -> None:
    assert (Image.MAX_IMAGE_PIXELS or 0) > images.MAX_PIXELS


def test_bytes_that_are_no_image_are_unreadable() -> None:
    with pytest.raises(UnreadableImageError):
        strip_metadata(b"\xff\xd8\xff\xe0 a truncated jpeg")


# --- fetching ---------------------------------------------------------------------------


async def test_photos_are_cleaned_and_documents_kept_byte_for_byte() -> None:
    files = FakeFiles({"p1": photo_with_gps(), "d1": PDF})
    fetcher = EvidenceFetcher(files, MEGABYTE)

    kept_photo = await fetcher.fetch(photo())
    kept_document = await fetcher.fetch(document())

    assert kept_photo.status == "kept"
    assert kept_photo.mime == "image/jpeg"
    assert kept_photo.content is not None
    assert gps_of(kept_photo.content) == {}
    assert kept_photo.size == len(kept_photo.content)
    assert (kept_document.status, kept_document.content, kept_document.size) == (
        "kept",
        PDF,
        len(PDF),
    )
    assert kept_document.mime == "application/pdf"


async def test_a_file_over_the_limit_is_not_even_downloaded() -> None:
    files = FakeFiles({"d1": PDF})

    big = await EvidenceFetcher(files, 10).fetch(document(size=11))

    assert (big.status, big.size, big.content) == ("too_big", 11, None)
    assert files.asked == []


async def test_a_file_larger_than_telegram_said_is_dropped_after_download() -> None:
    big = await EvidenceFetcher(FakeFiles({"d1": PDF}), 10).fetch(document(size=None))
    assert (big.status, big.size, big.content) == ("too_big", len(PDF), None)


async def test_a_failed_download_is_noted_and_logged_without_the_file_reference(
    caplog: pytest.LogCaptureFixture,
) -> None:
    files = FakeFiles({"p1": ConnectionError("secret-file-ref p1")})

    missing = await EvidenceFetcher(files, MEGABYTE).fetch(photo())
    nowhere = await EvidenceFetcher(None, MEGABYTE).fetch(photo())

    assert (missing.status, missing.content) == ("not_fetched", None)
    assert (nowhere.status, nowhere.content) == ("not_fetched", None)
    assert "ConnectionError" in caplog.text
    assert "secret-file-ref" not in caplog.text


async def test_a_photo_that_is_no_image_is_not_kept_at_all() -> None:
    # Not kept as sent either: its metadata could not be removed.
    broken = await EvidenceFetcher(FakeFiles({"p1": b"junk"}), MEGABYTE).fetch(photo())
    assert (broken.status, broken.content) == ("unreadable", None)


async def test_a_photo_sent_as_a_file_is_cleaned_too() -> None:
    files = FakeFiles({"d1": photo_with_gps(), "d2": b"\x00\x00\x00\x18ftypheic"})
    fetcher = EvidenceFetcher(files, MEGABYTE)
    as_file = {"kind": "document", "file_id": "d1", "size": None, "mime_type": "image/jpeg"}
    heic = {"kind": "document", "file_id": "d2", "size": None, "mime_type": "image/heic"}

    cleaned = await fetcher.fetch(as_file)
    unknown = await fetcher.fetch(heic)

    assert cleaned.status == "kept"
    assert cleaned.content is not None
    assert gps_of(cleaned.content) == {}
    assert PHONE_MAKE.encode() not in cleaned.content
    # A picture format Pillow can't read is kept as sent, like any file: not lost.
    assert (unknown.status, unknown.content) == ("kept", b"\x00\x00\x00\x18ftypheic")


async def test_each_fetches_in_order() -> None:
    files = FakeFiles({"p1": photo_with_gps(), "d1": PDF})
    fetched = [e async for e in EvidenceFetcher(files, MEGABYTE).each([document(), photo()])]
    assert [e.kind for e in fetched] == ["document", "photo"]
    assert files.asked == ["d1", "p1"]


def test_attachments_are_found_in_any_answer_single_or_listed() -> None:
    answers = {
        "story": "words",
        "evidence": [photo("a"), document("b"), "not a file"],
        "extra": photo("c"),
        "nothing": None,
        "fake": {"kind": "photo"},
    }
    assert [a["file_id"] for a in attachments_in(answers)] == ["a", "b", "c"]
