"""
Pseudonyms: what a member's public name may contain, and when two names are too alike.

A name is shown beside health experiences, so nobody must be able to pass for somebody else.
It is stored NFKC-normalised (full-width "ＢｒａｖｅＷｉｌｌｏｗ1" is stored as "BraveWillow1")
with its white space collapsed, and it is refused when it holds a character that is invisible
or reorders the text around it: control and format characters (Unicode categories Cc and Cf:
bidi overrides, zero-width spaces and joiners...), default-ignorable ones (Hangul fillers...),
line and paragraph separators, private-use, surrogate and unassigned code points.

Two names clash when their confusable skeletons (Unicode TR39, "Confusable Detection") are
equal, either as written or after case folding. The skeleton maps each character to the one it
is visually confusable with (Cyrillic "а" to Latin "a", "1" and "I" to "l", "rn" stays "rn" and
"m" becomes "rn"...). Both skeletons are stored with the profile, each under a unique
constraint, so that the database refuses the second of two lookalike names even when two
sign-ups race. The case-folded one makes "bravewillow1" clash with "BraveWillow1"; the one as
written makes "BraveWilIow1" (capital i) clash with it, which folding case alone would hide.

Everything Unicode here comes from ICU (PyICU), the reference implementation of TR39, so that
normalisation, character properties and skeletons share one version of the Unicode data
(`UNICODE_VERSION`). Skeletons are an internal key, never shown.
"""

import unicodedata
from typing import NamedTuple

import icu
from django.core.exceptions import ValidationError

MAX_LENGTH = 40
UNICODE_VERSION = icu.UNICODE_VERSION

_NFKC = icu.Normalizer2.getNFKCInstance()
_NFKC_CASEFOLD = icu.Normalizer2.getNFKCCasefoldInstance()
_SPOOF_CHECKER = icu.SpoofChecker()


def _frozen_set(pattern: str) -> icu.UnicodeSet:
    characters = icu.UnicodeSet(pattern)
    characters.freeze()  # read-only from here on, so safe to share between threads
    return characters


# Variation selectors only choose a glyph (emoji or text style of "☀"): phones add them to
# emoji by themselves, so they are dropped rather than refused.
_DROPPED = _frozen_set("[:Variation_Selector:]")
_SPACES = _frozen_set("[:Zs:]")
_REFUSED = _frozen_set(
    "[[:Cc:][:Cf:][:Co:][:Cs:][:Cn:][:Zl:][:Zp:][:Default_Ignorable_Code_Point:]"
    "-[:Variation_Selector:]]"
)
_LETTERS_AND_DIGITS = _frozen_set("[[:L:][:N:]]")

REFUSED_CHARACTER = (
    "Your public name contains a character that is invisible or changes the direction of "
    "the text around it ({character}). Please remove it."
)
NO_LETTER = "Your public name needs at least one letter or number."
TOO_LONG = f"Your public name can have at most {MAX_LENGTH} characters."
HAS_EMAIL = "Your public name cannot contain an e-mail address."


class Skeletons(NamedTuple):
    """The two keys a name is compared on (see the module docstring)."""

    as_written: str
    folded: str


_UNNAMED = {"Cc": "a control character", "Co": "a private-use character", "Cs": "a surrogate"}


def describe(character: str) -> str:
    """How a refused character is named to the member: "U+200B ZERO WIDTH SPACE"."""
    code = f"U+{ord(character):04X}"
    if name := icu.Char.charName(character):
        return f"{code} {name}"
    kind = _UNNAMED.get(unicodedata.category(character), "a character with no name yet")
    return f"{code}, {kind}"


def _normalise(text: str) -> str:
    """NFKC, variation selectors dropped, every space a plain one, one between words."""
    text = "".join(
        " " if _SPACES.contains(ch) else ch
        for ch in _NFKC.normalize(text)
        if not _DROPPED.contains(ch)
    )
    return " ".join(word for word in text.split(" ") if word)


def clean(raw: str) -> str:
    """
    The name to store for what the member typed, or ValidationError with a message for them.
    (The form keeps what they typed and shows it again beside the message.)
    """
    name = _normalise(raw)
    for character in name:
        if _REFUSED.contains(character):
            raise ValidationError(
                REFUSED_CHARACTER.format(character=describe(character)), code="refused_character"
            )
    if not any(_LETTERS_AND_DIGITS.contains(character) for character in name):
        raise ValidationError(NO_LETTER, code="no_letter")
    if len(name) > MAX_LENGTH:
        raise ValidationError(TOO_LONG, code="too_long")
    if "@" in name:
        raise ValidationError(HAS_EMAIL, code="email")
    return name


def sanitise(raw: str) -> str:
    """
    `clean` that never refuses: refused characters are dropped and the name cut to length.
    Only for names stored before these rules (the data migration); it may return "".
    """
    name = "".join(ch for ch in _normalise(raw) if not _REFUSED.contains(ch))
    return _normalise(name)[:MAX_LENGTH].strip()


def skeletons(name: str) -> Skeletons:
    """The TR39 skeletons of a (cleaned) name, as written and case-folded (NFKC_Casefold)."""
    return Skeletons(
        as_written=_SPOOF_CHECKER.getSkeleton(0, name),
        folded=_SPOOF_CHECKER.getSkeleton(0, _NFKC_CASEFOLD.normalize(name)),
    )
