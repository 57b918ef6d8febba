"""Which words of a question name a person, by how rare they are in the store."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from index.names import naming, people_in

# Chunk positions holding each word, in a store of 2,000 chunks (a name is rare below 20).
POSTINGS = {
    "michael": list(range(0, 400, 5)),  # a common first name
    "taylor": [35, 700, 1500],
    "fles": [35, 1500, 1800],
    "main": list(range(0, 2000, 3)),
    "street": list(range(0, 2000, 2)),
}


class _Lexical:
    size = 2000

    def postings(self, term):
        return (np.asarray(POSTINGS.get(term, []), dtype=np.int64),)


SNAP = SimpleNamespace(lexical=_Lexical(), ids=[f"c{i}" for i in range(2000)])


def _held(text):
    found = naming(SNAP, text)
    return None if found is None else np.flatnonzero(found).tolist()


def test_a_common_first_name_does_not_hide_the_person_the_rest_names():
    assert _held("Was Michael Taylor Fless ever caught?") == [35, 1500]
    assert _held("Was Taylor Fless ever caught?") == [35, 1500]


def test_common_words_name_no_one():
    assert _held("Was anyone hurt on Main Street?") is None
    assert _held("Did Michael say anything?") is None


def test_the_people_a_release_names_are_not_its_streets_units_or_charges():
    text = (
        "Officers attended the 300 block of Main Street. Anthony Brian CROMASTEY and "
        "Braedon Lee GORDON were located. The Major Crimes Unit charged him with Assault "
        "Cause Bodily Harm at the Health Sciences Centre."
    )
    assert people_in(text) == ["Anthony Brian CROMASTEY", "Braedon Lee GORDON"]


def test_a_neighbourhood_or_street_names_no_one_however_rare():
    """In a small store "North End" is as rare as a name; it ties no releases together."""
    rare = {"north": [3, 9], "end": [3, 9, 11], "pritchard": [4], "avenue": [4, 8]}
    POSTINGS.update(rare)
    try:
        assert _held("Was Taylor Fless, missing from the North End, found?") == [35, 1500]
        assert _held("Was anyone arrested on Pritchard Avenue?") is None
    finally:
        for term in rare:
            POSTINGS.pop(term)
