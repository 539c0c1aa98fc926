"""NACE Rev. 2 codes as people write them, and the Dutch SBI code as printed on a KvK extract.

The SBI (Standaard Bedrijfsindeling) follows NACE Rev. 2 for its first four digits and adds a Dutch
fifth digit (a subclass): SBI ``10711`` is NACE class ``10.71``, SBI ``6201`` is ``62.01``. People
write the code with or without the dot (``6201``, ``62.01``), and YAML reads an unquoted ``62.10`` as
the number 62.1 - so a number is read with two decimals. :func:`normalise` returns the NACE code
``DD``, ``DD.D`` or ``DD.DD``; the division (the first two digits) is what sector rules read.
"""

from __future__ import annotations

import re

__all__ = ["DERIVED_PROFILE_FIELDS", "division", "normalise"]

#: Profile facts derived from the NACE code that rules may read like profile fields.
DERIVED_PROFILE_FIELDS: frozenset[str] = frozenset({"nace_division"})

_DIGITS = re.compile(r"^\d{2,5}$")


def normalise(value: object) -> str:
    """The NACE code for ``value`` (NACE or SBI, with or without dot); raises ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError("expected a NACE or SBI code such as 62.01 or 6201")
    if isinstance(value, float):
        text = f"{value:.2f}"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError("expected a NACE or SBI code such as 62.01 or 6201")
    if "." in text:
        head, _, tail = text.partition(".")
        digits = head + tail.replace(".", "")
        if len(head) != 2:
            raise ValueError(f"{text!r}: a NACE code starts with a two-digit division, e.g. 62.01")
    else:
        digits = text
    if not _DIGITS.match(digits):
        raise ValueError(f"{text!r} is not a NACE or SBI code (2-5 digits, e.g. 62.01, 6201 or 10711)")
    if len(digits) == 2:
        return digits
    if len(digits) == 3:
        return f"{digits[:2]}.{digits[2]}"
    # four digits: the NACE class; a fifth digit is the Dutch SBI subclass, which NACE does not have
    return f"{digits[:2]}.{digits[2:4]}"


def division(code: str | None) -> str | None:
    """The NACE division (two digits) of a normalised code, or ``None``."""
    return code[:2] if code else None
