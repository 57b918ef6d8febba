"""The everyday words a release's own words stand for.

A question in everyday words shares few words with the sentence that answers it: "where
did the police dog find him?" of "the K9 unit tracked to a recycling bin", "the cab
driver" of "the taxi driver". A sentence's terms count also as the everyday words its
terms stand for (stems, as `index.text.terms_of` gives them), so the sentence that
tells the answer in the release's words shares the question's words too.

One way only, and only in answer scoring: `index.text` keeps the spellings of one thing
("ave"/"avenue", "man"/"male") for search and scoring alike, while these widen what a
sentence says (a "vehicle" may be the car asked about); in search they found other
releases as often as the one asked about.
"""

from __future__ import annotations

from index.text import terms_of

# a release's term (stemmed) -> the everyday terms it stands for
ALIASES = {
    "k9": ("dog",),
    "canin": ("dog",),
    "firearm": ("gun",),
    "handgun": ("gun",),
    "vehicl": ("car", "truck", "van", "suv"),
    "taxi": ("cab",),
    "youth": ("kid", "kids", "teen", "teenager"),
    "convenienc": ("corner",),
    "officer": ("cop", "cops"),
    "impair": ("drunk",),
    "transit": ("bus",),
    "currency": ("cash", "money"),
    "cannabi": ("weed", "pot"),
    "marijuana": ("weed", "pot"),
    "robbery": ("robb",),
    "apprehend": ("caught",),
    "break": ("brok",),
    "theft": ("stol", "stolen"),
    "assault": ("beat", "beaten", "attack", "punch"),
    "discharg": ("fired", "shot"),
    "methamphetamin": ("meth",),
    "male": ("guy", "guys"),
    "femal": ("lady", "gal"),
    "collision": ("crash", "accident"),
    "collid": ("crash", "hit"),
    "cyclist": ("bike", "bicycl"),
    "bicycl": ("bike",),
    "replica": ("fake", "toy"),
    "imitation": ("fake", "toy"),
    "intoxicat": ("drunk",),
    "narcotic": ("drug",),
    "air1": ("helicopter",),
    "juvenil": ("kid", "kids", "teen", "teenager"),
    "infant": ("baby",),
    "child": ("kid",),
    "children": ("kids",),
    "ammunition": ("bullet",),
    "mischief": ("vandalism", "vandaliz"),
    "threat": ("threaten",),
    "laceration": ("cut", "cuts"),
    "edged": ("knif",),
    "succumb": ("died", "die", "dead"),
    "deceas": ("died", "die", "dead"),
    "approach": ("came", "come"),
    "purchas": ("buy", "bought"),
}


def said_terms(text: str) -> set[str]:
    """The terms of `text` and the everyday terms they stand for."""
    terms = terms_of(text)
    return terms.union(*(ALIASES.get(t, ()) for t in terms))
