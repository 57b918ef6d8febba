"""The chunks that name a person a question names, for widening its date window.

"Where were Jennifer Barrett's remains placed after she died in August 2016?" places the
event in August 2016; the release that tells it came in February 2017. A release holding
every word of a full name the question gives is about that person whatever its date.
"""

from __future__ import annotations

import re
from functools import reduce

import numpy as np

from index.snapshot import Snapshot
from index.text import tokenize

# A person's full name: two or more capitalised words, each rare in the store.
_FULL_NAME = re.compile(r"\b[A-Z][a-z'’-]+(?: [A-Z][A-Za-z'’-]+)+")
NAME_SHARE = 0.01  # "rare": held by at most this share of the chunks


def naming(snap: Snapshot, text: str):
    """Positions of the chunks that hold every word of a full name the text gives."""
    limit = max(2, int(snap.lexical.size * NAME_SHARE))
    found = None
    for name in _FULL_NAME.findall(text):
        postings = [snap.lexical.postings(t)[0] for t in tokenize(name)]
        if len(postings) < 2 or any(not 0 < p.size <= limit for p in postings):
            continue  # a place ("Main Street") or a common word, not a person
        holding = np.zeros(len(snap.ids), dtype=bool)
        holding[reduce(np.intersect1d, postings)] = True
        found = holding if found is None else found | holding
    return found
