"""Text clean-up and dates shared by every reader (case numbers: `index.text`)."""

from __future__ import annotations

import datetime as dt
import re

import ftfy

# Mojibake repair only: the HTML parser has already unescaped entities, so a literal
# "&amp;" left in text is the document's own and must stay.
_FTFY = ftfy.TextFixerConfig(unescape_html=False, uncurl_quotes=False, explain=False)

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n{3,}")


def fix_text(text: str) -> str:
    """Repair mojibake and control characters."""
    return ftfy.fix_text(text, config=_FTFY) if text else text


def clean_line(text: str) -> str:
    """Collapse whitespace inside one line or heading."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def clean_text(text: str) -> str:
    """Normalise spaces, keep line breaks, leave paragraphs separated by one blank line."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")


def _make(year: str, month: int, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), month, int(day))
    except ValueError:
        return None


def parse_date(text: str | None) -> dt.date | None:
    """Parse the first date written as ISO, `March 15, 2018` or `11 November 2022`."""
    if not text:
        return None
    found = []
    if m := _ISO.search(text):
        found.append((m.start(), _make(m.group(1), int(m.group(2)), m.group(3))))
    if m := _MDY.search(text):
        found.append((m.start(), _make(m.group(3), _MONTHS[m.group(1).lower()], m.group(2))))
    if m := _DMY.search(text):
        found.append((m.start(), _make(m.group(3), _MONTHS[m.group(2).lower()], m.group(1))))
    found = [f for f in found if f[1]]
    return min(found, key=lambda f: f[0])[1] if found else None


_FILE_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[_-](\d{2})[_-](\d{2})(?!\d)")


def date_from_name(name: str) -> dt.date | None:
    """Last resort: a date carried by a file name such as `2018_03mar_2018_03_15.html`."""
    found = _FILE_DATE.findall(name)
    return _make(found[-1][0], int(found[-1][1]), found[-1][2]) if found else None
