"""Test files for evidence: a phone photo with GPS in its EXIF, and a fake file source."""

from __future__ import annotations

import io
from collections.abc import Mapping

from PIL import ExifTags, Image

RED, WHITE = (255, 0, 0), (255, 255, 255)
PHONE_MAKE = "Zorblax-Phone"  # a word nobody types, to look for in the output


def photo_with_gps() -> bytes:
    """A 40x20 JPEG, red on its left, whose EXIF says where it was taken and to turn it
    90 degrees clockwise (orientation 6), as phones do."""
    image = Image.new("RGB", (40, 20), WHITE)
    image.paste(RED, (0, 0, 10, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = PHONE_MAKE
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (53.0, 48.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (1.0, 33.0, 10.0),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def gps_of(data: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


class FakeFiles:
    """A `FileSource` serving these bytes by file_id; an exception is raised instead."""

    def __init__(self, files: Mapping[str, bytes | Exception]) -> None:
        self._files = dict(files)
        self.asked: list[str] = []

    async def download(self, file_id: str) -> bytes:
        self.asked.append(file_id)
        found = self._files.get(file_id)
        if found is None:
            raise LookupError("no such file")
        if isinstance(found, Exception):
            raise found
        return found
