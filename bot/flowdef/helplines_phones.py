"""Checking the UK phone numbers in the helpline directory.

Full numbers must be valid UK numbers by libphonenumber's rules. Short numbers are
checked against a list of the ones the directory is meant to hold, rather than anything
libphonenumber calls a short number: a typo such as `9999` or `1011` would otherwise
slip through as some other service's code.
"""

from __future__ import annotations

import re

import phonenumbers

# Digits only. 18000 and 18001 (then a number) are Relay UK's text relay prefixes.
SHORT_NUMBERS: dict[str, str] = {
    "999": "emergency services",
    "112": "emergency services",
    "101": "police non-emergency",
    "111": "NHS non-emergency",
    "116123": "Samaritans",
    "18000": "emergency services by text relay",
    "18001101": "police non-emergency by text relay",
}

_SHORT_LIST = "999, 112, 101, 111, 116 123, 18000, 18001 101"
_WRITTEN = re.compile(r"\+?[0-9][0-9 ]*[0-9]")


def phone_problem(number: str) -> str | None:
    """What is wrong with a UK phone number as written, or None when it is fine."""
    if not _WRITTEN.fullmatch(number):
        return f"'{number}' is not a phone number: use digits and spaces, like 0800 138 1625"
    digits = number.replace(" ", "")
    if digits in SHORT_NUMBERS:
        return None
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return f"'{number}' is not a phone number"
    if not phonenumbers.is_valid_number(parsed):
        if not digits.startswith(("0", "+")):
            return f"'{number}' is not a UK short number this directory knows ({_SHORT_LIST})"
        return f"'{number}' is not a valid UK phone number: check the digits"
    if phonenumbers.region_code_for_number(parsed) != "GB":
        return f"'{number}' is not a UK phone number"
    return None
