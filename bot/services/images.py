"""Photos made safe to keep: re-encoded, so nothing but the picture survives.

A phone's photo carries EXIF data: where it was taken (GPS), when, on which phone. For a
person reporting hate that can say where they live. Re-encoding draws the pixels into a
fresh image and saves that as a new JPEG: EXIF, GPS, XMP, comments and colour profiles
are all left behind, whatever the original held. The EXIF orientation is applied first,
so the picture still stands the right way up without it.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

JPEG_QUALITY = 90  # evidence should stay legible; Telegram has already compressed photos
# A small file may unpack into gigabytes (a "decompression bomb"). Telegram sends photos
# at most 2560 pixels a side (under 7 million pixels); refuse anything far beyond, before
# decoding. Below Pillow's own MAX_IMAGE_PIXELS (89 million), where it only warns.
MAX_PIXELS = 50_000_000


class UnreadableImageError(Exception):
    """The bytes are not an image Pillow can read, or it has too many pixels to open safely."""


def strip_metadata(data: bytes) -> bytes:
    """`data` (an image) as a new JPEG without any metadata, turned upright."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UnreadableImageError("too many pixels")
            upright = ImageOps.exif_transpose(image)  # decodes: only after the check
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,  # some of Pillow's plugins raise it for a malformed file
        ValueError,
    ) as error:
        raise UnreadableImageError(type(error).__name__) from None
    mode = "L" if upright.mode in ("1", "L", "I;16") else "RGB"
    clean = Image.new(mode, upright.size)
    clean.paste(upright.convert(mode))
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
