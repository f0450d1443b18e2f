"""Incident reports: encrypted with the operators' keys, found again by a reference code.

Every answer goes into one JSON document encrypted with Fernet (AES-128-CBC with an
HMAC-SHA256 tag) under the first of `REPORT_KEYS`; any of the keys decrypts, so a new key
can be put first and old reports re-encrypted with `rotate_keys`. The database keeps in
clear only consent, status, dates and a slow (scrypt) hash of the reference code. An
anonymous report's dates, in the row and in its Fernet tokens, are only the day (UTC).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.services.clock import Clock
from bot.services.code_attempts import WrongCodeLimit
from bot.storage import ContactRecord, NewReport, ReportRecord, ReportRepository

if TYPE_CHECKING:
    from bot.services.evidence import EvidenceBatch
    from bot.services.evidence_vault import EvidenceVault

log = logging.getLogger(__name__)

# No 0/O, 1/I/L: a code read out over the phone or copied by hand must survive it.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 12  # 31**12: about 59 bits, unguessable one code at a time
REFERENCE_GROUP = 4
PAYLOAD_VERSION = 1
# How long a turn may take to be run again; after that the submission key is cleared.
SUBMISSION_WINDOW = timedelta(hours=1)
WITHDRAWN = "withdrawn"
# The reference hash is scrypt, not a plain SHA-256: a code has only ~59 bits, which a
# stolen database would give up to a GPU trying SHA-256 guesses. scrypt at these settings
# takes tens of milliseconds and 16 MiB per guess, so searching the codes costs years.
# It must stay deterministic (a code is found by its hash), hence a fixed salt: the salt
# only keeps tables computed for other uses of scrypt from applying. Changing any of these
# makes every stored report unfindable by its code.
REFERENCE_SALT = b"standby reference code v1"
REFERENCE_SCRYPT_N = 2**14
REFERENCE_SCRYPT_R = 8
REFERENCE_SCRYPT_P = 1
REFERENCE_HASH_BYTES = 32  # 64 hex characters, the width of the column

Choose = Callable[[str], str]
"""Picks one character of an alphabet: `secrets.choice`, or a seeded one in tests."""


class ReportNotFoundError(LookupError):
    """No report has this reference code (or it is not a code at all)."""


class TooManyWrongCodesError(RuntimeError):
    """This contact tried too many wrong codes lately: they must wait before trying more."""


class ReportsUnavailableError(RuntimeError):
    """No REPORT_KEYS are set, so reports cannot be stored or read."""


class ReportKeyError(RuntimeError):
    """None of REPORT_KEYS opens this report: it was encrypted with a key not given."""


class ReportCipher:
    """Fernet over the report keys: the first encrypts, every one decrypts."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one report key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])
        # A separate secret for keyed hashes, so the encryption key is used for nothing else.
        self._hash_key = hashlib.sha256(b"standby submission key\0" + keys[0].encode()).digest()

    def seal(self, document: Any, *, at: datetime | None = None) -> str:
        """`document` as JSON, encrypted with the first key (a Fernet token, ASCII).

        A Fernet token carries its making time in clear: `at` sets it (an anonymous
        report's is the day only, see `day_of`); None is now."""
        text = json.dumps(document, ensure_ascii=False, sort_keys=True, allow_nan=False)
        return self._encrypt(text.encode(), at).decode("ascii")

    def open(self, token: str) -> Any:
        """What `seal` was given; ReportKeyError when no key opens it."""
        try:
            return json.loads(self._fernet.decrypt(token.encode("ascii")))
        except InvalidToken:
            raise ReportKeyError(
                "none of REPORT_KEYS can decrypt this report: it was encrypted with a key "
                "that is not in the list (reports whose key is lost cannot be read)"
            ) from None

    def reseal(self, token: str) -> str:
        """The same content encrypted with the first key (for key rotation)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise ReportKeyError(
                "none of REPORT_KEYS can decrypt a stored report, so it cannot be re-encrypted"
            ) from None

    def seal_bytes(self, data: bytes, *, at: datetime | None = None) -> bytes:
        """`data` encrypted with the first key: the Fernet token without its base64, which
        would make a stored file a third larger. `at` as for `seal`."""
        return base64.urlsafe_b64decode(self._encrypt(data, at))

    def _encrypt(self, data: bytes, at: datetime | None) -> bytes:
        if at is None:
            return self._fernet.encrypt(data)
        return self._fernet.encrypt_at_time(data, int(at.timestamp()))

    def open_bytes(self, sealed: bytes) -> bytes:
        """What `seal_bytes` was given; ReportKeyError when no key opens it."""
        try:
            return self._fernet.decrypt(base64.urlsafe_b64encode(sealed))
        except InvalidToken:
            raise ReportKeyError(
                "none of REPORT_KEYS can decrypt this evidence file: it was encrypted with a "
                "key that is not in the list"
            ) from None

    def reseal_bytes(self, sealed: bytes) -> bytes:
        """The same file encrypted with the first key (for key rotation)."""
        try:
            return base64.urlsafe_b64decode(self._fernet.rotate(base64.urlsafe_b64encode(sealed)))
        except InvalidToken:
            raise ReportKeyError(
                "none of REPORT_KEYS can decrypt a stored evidence file, so it cannot be "
                "re-encrypted"
            ) from None

    def keyed_hash(self, text: str) -> str:
        """HMAC-SHA256 of `text`: the same for the same keys, unguessable without them."""
        return hmac.new(self._hash_key, text.encode(), hashlib.sha256).hexdigest()


def new_reference(choose: Choose = secrets.choice) -> str:
    """A fresh reference code, e.g. `K7QD-94XF-TMRA`."""
    code = "".join(choose(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return "-".join(
        code[start : start + REFERENCE_GROUP] for start in range(0, len(code), REFERENCE_GROUP)
    )


def normalise_reference(text: str) -> str | None:
    """The 12 code characters of what someone typed (any case, spaces, dashes); None if
    it cannot be a reference code."""
    code = "".join(text.split()).replace("-", "").replace("\u2010", "").upper()
    if len(code) != REFERENCE_LENGTH or any(c not in REFERENCE_ALPHABET for c in code):
        return None
    return code


def reference_hash(code: str) -> str:
    """The hash stored for a code (normalised first), hex; never the code itself.

    scrypt of the SHA-256 hex of the code: wrapping the former plain SHA-256 lets a
    migration turn every hash already stored into this one (`wrap_legacy_hash`) without
    the codes, which nobody has. Slow on purpose (tens of milliseconds): call it off the
    event loop (`reference_hash_async`).
    """
    normalised = normalise_reference(code)
    if normalised is None:
        raise ValueError("not a reference code")
    return wrap_legacy_hash(hashlib.sha256(normalised.encode("ascii")).hexdigest())


def wrap_legacy_hash(sha256_hex: str) -> str:
    """The stored hash for a code whose plain SHA-256 hex (the former stored hash) is given."""
    return hashlib.scrypt(
        sha256_hex.encode("ascii"),
        salt=REFERENCE_SALT,
        n=REFERENCE_SCRYPT_N,
        r=REFERENCE_SCRYPT_R,
        p=REFERENCE_SCRYPT_P,
        maxmem=64 * 1024 * 1024,
        dklen=REFERENCE_HASH_BYTES,
    ).hex()


async def reference_hash_async(code: str) -> str:
    """`reference_hash` in a thread: tens of milliseconds of CPU would stall every chat."""
    return await asyncio.to_thread(reference_hash, code)


def day_of(moment: datetime) -> datetime:
    """Midnight (UTC) of `moment`'s day: the only time kept for an anonymous report, so
    that its dates cannot be matched with a chat's activity to the minute."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


class KeyRotation(int):
    """What `rotate_keys` did: the int is how many reports were re-encrypted (what the
    CLI prints); `skipped` reports and `skipped_evidence` files could not be opened with
    any key and were left as they were."""

    skipped: int
    skipped_evidence: int

    def __new__(cls, rotated: int, *, skipped: int, skipped_evidence: int) -> KeyRotation:
        made = super().__new__(cls, rotated)
        made.skipped = skipped
        made.skipped_evidence = skipped_evidence
        return made


@dataclass(frozen=True, slots=True)
class OpenedReport:
    """A report with its answers decrypted, for operators."""

    record: ReportRecord
    answers: dict[str, Any]
    additions: list[dict[str, Any]] = field(default_factory=list)
    """What the person added later with the code: `{"at": ISO time, "text": …}`, oldest first."""


class ReportService:
    """Submits, reads, re-encrypts and purges reports.

    `cipher` is None when no REPORT_KEYS are set: then every method that needs the
    answers raises ReportsUnavailableError, and nothing is stored.
    """

    def __init__(
        self,
        repository: ReportRepository,
        cipher: ReportCipher | None,
        clock: Clock,
        *,
        choose: Choose = secrets.choice,
        wrong_codes: WrongCodeLimit | None = None,
        evidence: EvidenceVault | None = None,
    ) -> None:
        self._repository = repository
        # Evidence files, encrypted with the same keys; None: files are not kept.
        self.evidence = evidence
        self._cipher = cipher
        self._clock = clock
        self._choose = choose
        self._wrong_codes = wrong_codes or WrongCodeLimit()
        self._listeners: list[Callable[[], None]] = []

    def on_stored(self, listener: Callable[[], None]) -> None:
        """Call `listener` after each new report is stored (the staff chat posts it)."""
        self._listeners.append(listener)

    @property
    def available(self) -> bool:
        """Whether keys are set, so reports can be stored and read."""
        return self._cipher is not None

    async def submit(
        self,
        answers: Mapping[str, Any],
        *,
        consent: str,
        anonymous: bool,
        contact: ContactRecord,
        key: str | None = None,
        evidence: EvidenceBatch | None = None,
    ) -> str:
        """Store a report; return the reference code to show the person.

        `key` is the action request's key (unique per turn of this contact's
        conversation): submitting again with the same key stores nothing more and returns
        the same code. An anonymous report keeps no link to `contact`, and only the day
        as its time. `evidence` is fetched file by file only once the report is stored,
        so no file can lose it; each file has its row (`not_fetched` until fetched) right
        after the report, and a turn run again (after a crash, say) fetches those still
        `not_fetched`.
        """
        cipher = self._require_cipher()
        submission = None if key is None else cipher.keyed_hash(f"{contact.id}\0{key}")
        if submission is not None:
            earlier = await self._repository.find_by_submission(submission)
            if earlier is not None:
                await self._keep_evidence(earlier, evidence)
                return self._earlier_reference(cipher, earlier)
        code = new_reference(self._choose)
        stamp = self._stamp(anonymous=anonymous)
        document = {"version": PAYLOAD_VERSION, "answers": dict(answers)}
        report = NewReport(
            reference_hash=await reference_hash_async(code),
            contact_id=None if anonymous else contact.id,
            consent=consent,
            payload=cipher.seal(document, at=stamp),
            submission_key=submission,
            submission_reference=None if submission is None else cipher.seal(code, at=stamp),
        )
        stored = await self._repository.add(report, now=stamp)
        if stored is None and submission is not None:
            # Another process stored this very turn a moment ago: show its code. Its
            # files are that process's to fetch.
            earlier = await self._repository.find_by_submission(submission)
            if earlier is not None:
                return self._earlier_reference(cipher, earlier)
            raise RuntimeError("a report vanished while being submitted")
        if stored is not None:
            await self._keep_evidence(stored, evidence)
        for listener in self._listeners:
            listener()
        # Not logged: a report id next to a contact's log lines could tie an anonymous
        # report to its chat.
        return code

    async def find(self, code: str) -> ReportRecord | None:
        """The report a reference code belongs to, or None (also for a malformed code)."""
        if normalise_reference(code) is None:
            return None
        return await self._repository.find_by_reference(await reference_hash_async(code))

    async def list(self, since: datetime | None = None) -> list[ReportRecord]:
        """Reports created since `since` (all when None), oldest first, still encrypted."""
        return await self._repository.list_since(since)

    async def get(self, report_id: int) -> ReportRecord | None:
        """One report, still encrypted."""
        return await self._repository.get(report_id)

    def open(self, record: ReportRecord) -> OpenedReport:
        """The report with its answers decrypted."""
        document = self._require_cipher().open(record.payload)
        additions = list(document.get("additions", []))
        return OpenedReport(record, dict(document.get("answers", {})), additions)

    async def rotate_keys(self) -> KeyRotation:
        """Re-encrypt every report, and its evidence files, with the first key; return how
        many reports were, with how many reports and files no key opened.

        Run it after putting a new key first in REPORT_KEYS; afterwards the old keys can
        be removed. A report no key opens is skipped and counted, not a reason to stop:
        one report whose key is lost must not keep all the others on the old key.
        """
        cipher = self._require_cipher()
        count = skipped = 0
        for record in await self._repository.list_since(None):
            try:
                resealed = cipher.reseal(record.payload)
            except ReportKeyError:
                skipped += 1
                continue
            if await self._repository.replace_payload(record.id, record.payload, resealed):
                count += 1
        if skipped:
            log.warning(
                "%d report(s) could not be opened with REPORT_KEYS: left as they were", skipped
            )
        skipped_evidence = (
            0 if self.evidence is None else (await self.evidence.rotate()).skipped_evidence
        )
        return KeyRotation(count, skipped=skipped, skipped_evidence=skipped_evidence)

    async def check_keys(self) -> None:
        """Raise ReportKeyError, saying which, if the keys cannot open the newest or the
        oldest report: a key missing from REPORT_KEYS shows in one or the other (the
        newest for a wrong new key, the oldest for an old key removed too soon)."""
        cipher = self._require_cipher()
        newest = await self._repository.newest()
        if newest is None:
            return
        # Oldest first. The repository has no `oldest()` yet, so this reads the list;
        # the reports are small text and this runs once at start.
        oldest = (await self._repository.list_since(None))[0]
        for which, record in (("newest", newest), ("oldest", oldest)):
            try:
                cipher.open(record.payload)
            except ReportKeyError:
                raise ReportKeyError(
                    f"none of REPORT_KEYS can decrypt the {which} stored report "
                    f"(id {record.id}): put back the key it was encrypted with"
                ) from None

    async def any_stored(self) -> bool:
        """Whether any report is stored."""
        return await self._repository.any()

    async def purge(self, older_than: datetime) -> int:
        """Delete reports created before `older_than`; return how many. Needs no keys."""
        return await self._repository.purge(older_than)

    async def forget_submissions(self, now: datetime) -> int:
        """Clear submission keys past the window in which a turn could run again.

        An anonymous report's `created_at` is its day only, so the window is counted from
        the end of that day: a key is cleared once the day of `now - SUBMISSION_WINDOW`
        is after the report's. Counted from the rounded time instead, an anonymous key
        would be cleared at the first housekeeping, and a turn run again after a crash
        would store the report twice and never fetch the first one's files.
        """
        return await self._repository.forget_submissions(day_of(now - SUBMISSION_WINDOW))

    # --- follow-up by the person, with nothing but the code ------------------------------
    # Each takes the code and the contact asking: wrong codes count against that contact
    # (code_attempts.py), so the code stays the proof that the report is theirs.

    async def look_up(self, code: str, *, asker: int) -> ReportRecord:
        """The report of `code`; ReportNotFoundError, or TooManyWrongCodesError once
        `asker` has tried too many wrong codes (then even a right code waits)."""
        now = self._clock.now()
        if self._wrong_codes.blocked(asker, now):
            raise TooManyWrongCodesError(asker)
        found = await self.find(code)
        if found is None:
            self._wrong_codes.record_wrong(asker, now)
            raise ReportNotFoundError("no report has this code")
        return found

    async def add_information(self, code: str, text: str, *, asker: int) -> ReportRecord:
        """Append `text`, dated, to the encrypted report; the answers stay as they were."""
        cipher = self._require_cipher()
        found = await self.look_up(code, asker=asker)
        document = dict(cipher.open(found.payload))
        # An anonymous report's additions are dated to the day, like the report itself.
        stamp = self._stamp(anonymous=found.contact_id is None)
        addition = {"at": stamp.isoformat(), "text": text}
        document["additions"] = [*document.get("additions", []), addition]
        return await self._change(found, payload=cipher.seal(document, at=stamp))

    async def set_consent(self, code: str, consent: str, *, asker: int) -> ReportRecord:
        """Change who may see the report. Choosing again reopens a withdrawn report."""
        found = await self.look_up(code, asker=asker)
        status = "new" if found.status == WITHDRAWN else None
        return await self._change(found, consent=consent, status=status)

    async def withdraw(self, code: str, *, asker: int) -> ReportRecord:
        """Withdraw the report: kept, but shared with nobody (consent back to `keep`, so
        nothing that goes by consent alone shares it either)."""
        found = await self.look_up(code, asker=asker)
        return await self._change(found, consent="keep", status=WITHDRAWN)

    async def delete(self, code: str, *, asker: int) -> None:
        """Delete the report for good."""
        found = await self.look_up(code, asker=asker)
        await self._repository.delete(found.id)

    async def forget_contact(self, contact_id: int, *, delete_reports: bool) -> int:
        """For /forget_me: delete the contact's linked reports, or keep them unlinked
        (anonymous); return how many. Needs no keys."""
        self._wrong_codes.forget(contact_id)
        if delete_reports:
            return await self._repository.delete_for_contact(contact_id)
        return await self._repository.unlink_contact(contact_id)

    async def _change(
        self,
        found: ReportRecord,
        *,
        consent: str | None = None,
        status: str | None = None,
        payload: str | None = None,
    ) -> ReportRecord:
        now = self._stamp(anonymous=found.contact_id is None)
        changed = await self._repository.update(
            found.id, now=now, consent=consent, status=status, payload=payload
        )
        if not changed:
            raise ReportNotFoundError("the report was deleted meanwhile")
        return replace(
            found,
            consent=consent or found.consent,
            status=status or found.status,
            payload=payload or found.payload,
            updated_at=now,
        )

    def _require_cipher(self) -> ReportCipher:
        if self._cipher is None:
            raise ReportsUnavailableError(
                "REPORT_KEYS is not set, so reports cannot be stored or read"
            )
        return self._cipher

    def _stamp(self, *, anonymous: bool) -> datetime:
        """The time to record: now, or for a report tied to no chat only its day, so its
        dates cannot be matched with when a chat was active."""
        now = self._clock.now()
        return day_of(now) if anonymous else now

    async def _keep_evidence(self, report: ReportRecord, evidence: EvidenceBatch | None) -> None:
        if evidence is None or self.evidence is None:
            return
        stamp = report.created_at  # already the day only for an anonymous report
        await self.evidence.keep(report.id, evidence, at=stamp)

    @staticmethod
    def _earlier_reference(cipher: ReportCipher, earlier: ReportRecord) -> str:
        if earlier.submission_reference is None:
            raise RuntimeError("the earlier submission of this turn has no code to show")
        return str(cipher.open(earlier.submission_reference))
