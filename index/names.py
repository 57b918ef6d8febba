"""The chunks that name a person a question names, for widening its date window.

"Where were Jennifer Barrett's remains placed after she died in August 2016?" places the
event in August 2016; the release that tells it came in February 2017. A release holding
every word of a full name the question gives is about that person whatever its date.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import reduce

import numpy as np

from index.snapshot import Snapshot
from index.text import tokenize

# A person's full name: two or more capitalised words, each rare in the store but a
# common first name ("Michael").
_FULL_NAME = re.compile(r"\b[A-Z][a-z'’-]+(?: [A-Z][A-Za-z'’-]+)+")
NAME_SHARE = 0.01  # "rare": held by at most this share of the chunks
NAME_FLOOR = 8  # ... or by this many (a small store: a case told in a few releases)


def naming(snap: Snapshot, text: str):
    """Positions of the chunks that hold every word of a full name the text gives."""
    limit = max(NAME_FLOOR, int(snap.lexical.size * NAME_SHARE))
    found = None
    for name in _FULL_NAME.findall(text):
        if _NOT_A_PERSON.search(name):
            continue  # "the North End", "Pritchard Avenue": rare in a small store, no one
        postings = [snap.lexical.postings(t)[0] for t in tokenize(name)]
        while postings and not 0 < postings[0].size <= limit:
            postings.pop(0)  # a common first name: "Taylor Fless" still names one man
        if len(postings) < 2 or any(not 0 < p.size <= limit for p in postings):
            continue  # a place ("Main Street") or a common word, not a person
        holding = np.zeros(len(snap.ids), dtype=bool)
        holding[reduce(np.intersect1d, postings)] = True
        found = holding if found is None else found | holding
    return found


# A name in a release: two to four capitalised words ("Marcel Albert PAUL").
_NAME_IN_TEXT = re.compile(r"\b[A-Z][A-Za-z'’-]+(?: [A-Z][A-Za-z'’-]+){1,3}")
# ... but a street, a unit or a building is no person, however few releases name it.
_NOT_A_PERSON = re.compile(
    r"\b(?:Street|Avenue|Ave|Road|Drive|Boulevard|Bay|Crescent|Highway|Place|Lane|Way|Trail"
    r"|End|Side"  # "the North End", "the West Side": a part of a city
    r"|Park|Square|Mall|Centre|Center|Hospital|School|Church|Hotel|Unit|Service|Services"
    r"|Police|Division|Team|Section|Branch|Department|Office|Inc|Ltd)$"
    # nor a charge ("Assault Cause Bodily Harm"), which many unrelated releases list
    r"|\b(?:Assault|Harm|Weapon|Theft|Robbery|Murder|Manslaughter|Possession|Mischief|Fraud"
    r"|Break|Enter|Firearm|Conveyance|Dangerous|Impaired|Fail|Comply|Breach|Trafficking"
    r"|Sexual|Uttering|Threats|Death|Bodily|Property|Crime|Offence|Warrant)\b"
)
LINK_LIMIT = 3  # a name more releases hold than this is a place or a unit, not one story
MAX_NAMES = 12  # names of a case looked up, at most
# How long after a case's last release another naming its people is still its outcome;
# later, the same person is more likely in another story (a new arrest, a new charge).
LINK_HORIZON = timedelta(days=120)


def people_in(text: str) -> list[str]:
    """The names of people a release gives, in order: capitalised runs of two words or more
    that are not a street, a unit, a building or a charge."""
    return [
        name
        for name in _NAME_IN_TEXT.findall(text)
        if len(tokenize(name)) >= 2 and not _NOT_A_PERSON.search(name)
    ]


def named_later(snap: Snapshot, publications: list[str]) -> list[str]:
    """Releases after the first of `publications` that name a person one of them names.

    A case's outcome may come under another case number ("Elderly Victims - Arrest:
    R17-27316" for the C17-64890 appeal): the person named is what ties them.
    """
    own = set(publications)
    chunks = snap.fetch([p for pid in publications for p in snap.by_publication.get(pid, [])])
    if not chunks:
        return []
    dates = [c.published for c in chunks.values() if c.published]
    if not dates:
        return []
    first, last = min(dates), max(dates)
    names = list(dict.fromkeys(n for chunk in chunks.values() for n in people_in(chunk.text)))
    holders = {}
    for name in names[:MAX_NAMES]:
        holding = reduce(np.intersect1d, [snap.lexical.postings(t)[0] for t in tokenize(name)])
        if 0 < holding.size <= LINK_LIMIT * 4:
            holders[name] = holding.tolist()
    fetched = snap.fetch(sorted({p for positions in holders.values() for p in positions}))
    found: list[str] = []
    for positions in holders.values():
        others = {fetched[p].publication_id: fetched[p] for p in positions if p in fetched}
        others = {pid: c for pid, c in others.items() if pid not in own}
        if len(others) > LINK_LIMIT:
            continue
        for pid, chunk in others.items():
            when = chunk.published
            if when and first < when <= last + LINK_HORIZON and pid not in found:
                found.append(pid)
    return found


def naming_later(snap: Snapshot, named, publications: list[str]) -> list[str]:
    """Releases after the first of `publications` that name the person the question names
    (`named`, from `naming`), however much later: "Was Michael Taylor Fless caught?" is
    answered by an arrest seven months on, under another force's case."""
    if named is None or not publications:
        return []
    firsts = [
        int(snap.published[snap.by_publication[pid][0]])
        for pid in publications
        if snap.by_publication.get(pid)
    ]
    if not firsts:
        return []
    positions = np.flatnonzero(named & snap.alive & (snap.published > min(firsts)))
    found = dict.fromkeys(snap.publication_at[p] for p in positions.tolist())
    later = [pid for pid in found if pid not in publications]
    return later if len(later) <= LINK_LIMIT else []
