"""What a release's title tells that its body may not.

Winnipeg updates a missing-person release in place: the appeal stays as it was written
and "- Located" is added to its title ("MISSING PERSON – Vanessa DISBROWE – R19-8844 -
Located"). The title is then the only place that tells the outcome, and "was she found?"
is answered by it, not refused for a body that still asks the public to help find her.
"""

from __future__ import annotations

import re

from bot.answer.types import Question, Scored, Source

# The status a title ends with, after its last dash or colon: "- Located", "– Located
# Safe", ": Arrested", "- Male Charged", "- Charges Laid".
_STATUS = re.compile(
    r"[-–—:]\s*((?:[A-Za-z]+\s+){0,2}?(?:located|found|arrested|charged|charges laid)"
    r"(?:\s+(?:safe(?:ly)?|deceased|unharmed))?)\s*$",
    re.I,
)
OUTCOME = "outcome"


def title_status(title: str) -> str | None:
    """The outcome a title ends with ("Located"), or None."""
    found = _STATUS.search(title.strip())
    return found.group(1) if found else None


def told_by_title(question: Question, source: Source, chosen: list[Scored]) -> str | None:
    """The outcome the question asks, when only the title of `source` tells it: "Located,
    says the title of the release (“MISSING PERSON – ... - Located”)"; None when the
    question asks no outcome, the title tells none, or a quoted sentence tells it."""
    if OUTCOME not in {s.name for s in question.answer_shapes}:
        return None
    status = title_status(source.head.title)
    if status is None or OUTCOME not in question.shapes_met(status):
        return None
    if any(OUTCOME in question.shapes_met(s.text) for s in chosen if s.source is source):
        return None
    title = " ".join(source.head.title.split())
    return f"{status[0].upper()}{status[1:]}, says the title of the release (“{title}”)"
