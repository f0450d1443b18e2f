"""Files a bot can see: by file_id for getFile, by file_path for downloads."""

from __future__ import annotations

import mimetypes

from bot.testing.errors import bad_request
from bot.testing.models import StoredFile
from bot.testing.params import UploadedFile

# getFile refuses files above 20 MB, as Telegram does for bots.
DOWNLOAD_LIMIT = 20 * 1024 * 1024
_FOLDERS = {"photo": "photos", "document": "documents"}


class FileStore:
    """One bot's files. File ids are per bot, as in Telegram."""

    def __init__(self, bot_id: int) -> None:
        self._bot_id = bot_id
        self._by_id: dict[str, StoredFile] = {}
        self._count = 0

    def add(
        self,
        kind: str,
        data: bytes | None,
        file_name: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        """Keep a new file and give it a file_id and a file_path."""
        self._count += 1
        number = self._count
        guessed = mimetypes.guess_type(file_name)[0] if file_name else None
        mime = mime_type or guessed or ("image/jpeg" if kind == "photo" else None)
        extension = (mimetypes.guess_extension(mime) if mime else None) or ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"{kind.upper()}-{self._bot_id}-{number}",
            file_unique_id=f"U{self._bot_id}x{number}",
            kind=kind,
            file_path=f"{_FOLDERS.get(kind, kind + 's')}/file_{number}{extension}",
            data=data,
            file_name=file_name,
            mime_type=mime,
            url=url,
        )
        self._by_id[stored.file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """A file by file_id."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """A file by the file_path getFile gave out."""
        for stored in self._by_id.values():
            if stored.file_path == file_path:
                return stored
        return None

    def resolve(self, kind: str, value: UploadedFile | str | None, field: str) -> StoredFile:
        """The file a send method refers to: a fresh upload, a file_id, or a URL."""
        if value is None or value == "":
            raise bad_request(f"there is no {field} in the request")
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            return self.add(kind, value.data, value.file_name, value.content_type)
        if value.startswith(("http://", "https://")):
            # Telegram would fetch the URL; the emulator never leaves the machine.
            return self.add(kind, None, value.rsplit("/", 1)[-1] or None, url=value)
        stored = self._by_id.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored
