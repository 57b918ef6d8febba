"""The measure a "how long / how far / how fast" question asks for, and where it is from.

"How long had he been missing?" is answered by a duration ("about three hours"), not by
the 9.5 km he walked; "how far did he get?" by a distance, "how fast was he going?" by a
speed; "where was he from?" by the town after a person ("a 27-year-old male of The Pas,
Manitoba"), not by where the crime happened. `shapes.SHAPES` holds one shape per entry.
The figures that are context, not a measure (dates, times, blocks), are here too.
"""

from __future__ import annotations

import re

from bot.answer.vocab import MONTH, NUMBER_WORDS, PEOPLE, STREET

# Dates, times and block numbers: figures that are context, not quantities.
# (A year, unless it is a count: "more than 2000 events".)
CONTEXT_FIGURES = re.compile(
    rf"\b{MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?"
    r"|(?<!than )(?<!over )(?<!about )(?<!nearly )(?<!almost )(?<!approximately )"
    r"\b(?:19|20)\d{2}\b"
    r"|\b\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?|\b(?:first )?\d+ (?i:block)\b|\b[A-Z]\d{2}-\d+\b"
    r"|\b\d{3}[-.]\d{3}[-.](?:\d{4}|[A-Z]{4})\b|\(\d{4}\)"
    # An address ("13575 Heathcote Boulevard") and a name with a number ("COVID-19").
    rf"|\b\d+ (?:[A-Z][a-z]+ )+(?:{STREET})\b|\b[A-Z][A-Za-z]*-\d+\b"
)

_FIGURE = rf"(?:\d[\d,]*(?:\.\d+)?|a few|several|(?i:{NUMBER_WORDS}|one|an?|half an?))"
_TIME_UNITS = r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
_LENGTH_UNITS = r"(?:cm|centimet(?:re|er)s?|mm|inch(?:es)?|foot|feet|ft|met(?:re|er)s?)\b"
_DISTANCE_UNITS = r"(?:km|kilomet(?:re|er)s?|met(?:re|er)s?|m|blocks?|miles?|feet|ft)\b"

# "What made the price go up?", "why was he stopped?" ask a cause, not the figure named.
CAUSE_ASKED = re.compile(r"^\W*why\b|\bwhat (?:made|caused|led to|prompted)\b", re.I)

# name -> (what the question says, what the answering sentence says, whether a question
# without it is unanswered); re.I for the first
MEASURES = {
    "duration": (
        r"\bhow long\b|\bfor how long\b|\bhow many (?:seconds|minutes|hours|days|weeks|months)\b",
        # "for about three hours", "two-hour standoff", "overnight"; or a knife's length.
        rf"(?i:\b{_FIGURE}[\s-]*(?:{_TIME_UNITS}|{_LENGTH_UNITS})\b(?![- ]old)|\bovernight\b"
        r"|\b(?:hours|days|weeks|months) (?:later|earlier)\b)",
        True,
    ),
    "distance": (
        r"\bhow far\b",
        rf"(?i:\b{_FIGURE}[\s-]*{_DISTANCE_UNITS}|\b(?:several|a few|two|three) blocks\b)",
        True,
    ),
    "speed": (
        r"\bhow fast\b|\bwhat speed\b"
        r"|\bhow quickly was\b[^?]{0,40}\b(?:driving|going|travell?ing)\b",
        r"(?i:\b\d{2,3}\s?(?:km/h|km/hr|kph|mph|kilomet(?:re|er)s? (?:an|per) hour)"
        r"|\bhigh rate of speed\b|\bexcessive speed\b)",
        True,
    ),
    "hometown": (
        rf"\bwhere (?:is|was|were|are) (?:he|she|they|the (?:[\w-]+ ){{0,3}}?{PEOPLE}"
        r"(?: [\w-]+){0,6}?|(?-i:[A-Z][\w'-]+(?: [A-Z][\w'-]+)*)) (?:originally )?from\b"
        r"|\bwhat (?:town|city|community|province|country) (?:is|was|were|are) [^?]{1,40}\bfrom\b"
        r"|\bhome ?town\b",
        # "a 65-year old male from the R. M. of Springfield", "JONES, 31, of Selkirk",
        # "a 26 year-old Regina male"
        r"(?:\b(?:males?|females?|man|woman|men|women|youths?|boys?|girls?|adults?|resident|old)"
        r"|\b\d{1,3}|[A-Z]{3,}),?\s+(?:of|from)\s+(?:the\s+)?(?:(?:R\.\s?M\.|Rural Municipality"
        r"|Town|City|Village|community) of\s+)?[A-Z][\w'’.-]+"
        r"|\b\d{1,3}[- ]years?[- ]old [A-Z][a-z]+ (?:male|female|man|woman)\b",
        True,
    ),
    # A cause is often told without these words ("He was stopped for speeding"): a
    # sentence with them is the likelier answer, one without is no refusal.
    "cause": (
        CAUSE_ASKED.pattern,
        r"(?i:\b(?:due to|because|as a result of|caused by|owing to|resulted from"
        r"|the result of|in response to)\b)",
        False,
    ),
}
MEASURED = ("duration", "distance", "speed")  # a figure with its unit, said first
