"""
Spot personal details in what a member writes before it is sent: e-mail addresses, phone
numbers and links. Posts and replies (experiences) warn with it; suggested questions (answers)
refuse contact details with it.

On a post the check only warns (the member reads the warning and confirms or edits), so it errs
towards catching too much: a false alarm costs a click, a miss can expose someone. The patterns
are our own because no maintained library covers all three for free text in any country's
format (phone-number libraries need the reader's region and miss numbers written loosely).
"""

import re
from dataclasses import dataclass

_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# A run of digits with the separators people type: +44 20 7946 0958, (555) 123-4567, 0612345678.
_PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\(?\d[\d\s().\-/]{6,}\d(?![\w/])")
_LINK = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|info|io|co|uk|de|fr|es|it|nl|eu|me|health)\b",
    re.IGNORECASE,
)
_MIN_PHONE_DIGITS = 8
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d\s*[-/]\s*(?:19|20)\d\d")


@dataclass(frozen=True)
class Finding:
    kind: str  # "email", "phone" or "link"
    text: str


def find_personal_data(text: str) -> list[Finding]:
    """Each e-mail address, phone number and link in `text`, in order of kind, without repeats."""
    findings: list[Finding] = []
    emails = [m.group(0) for m in _EMAIL.finditer(text)]
    findings += [Finding("email", value) for value in dict.fromkeys(emails)]
    without_emails = _EMAIL.sub(" ", text)
    phones = [
        m.group(0).strip()
        for m in _PHONE.finditer(without_emails)
        if sum(c.isdigit() for c in m.group(0)) >= _MIN_PHONE_DIGITS
        and not _YEAR_RANGE.fullmatch(m.group(0).strip())
    ]
    findings += [Finding("phone", value) for value in dict.fromkeys(phones)]
    links = [m.group(0).rstrip(").,;:!?") for m in _LINK.finditer(without_emails)]
    findings += [Finding("link", value) for value in dict.fromkeys(links)]
    return findings


def describe(findings: list[Finding]) -> list[str]:
    """The warnings a member reads, one per kind found."""
    labels = {"email": "an e-mail address", "phone": "a phone number", "link": "a link"}
    kinds = dict.fromkeys(finding.kind for finding in findings)
    return [
        f"Your post seems to contain {labels[kind]}: "
        + ", ".join(f"“{f.text}”" for f in findings if f.kind == kind)
        for kind in kinds
    ]
