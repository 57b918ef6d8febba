"""The measure a "how long / how far / how fast" question asks for, and where it is from.

"How long had he been missing?" is answered by a duration ("about three hours"), not by
the 9.5 km he walked; "how far did he get?" by a distance, "how fast was he going?" by a
speed; "where was he from?" by the town after a person ("a 27-year-old male of The Pas,
Manitoba"), not by where the crime happened. `shapes.SHAPES` holds one shape per entry.
"""

from __future__ import annotations

from bot.answer.vocab import NUMBER_WORDS, PEOPLE

_FIGURE = rf"(?:\d[\d,]*(?:\.\d+)?|a few|several|(?i:{NUMBER_WORDS}|one|an?|half an?))"
_TIME_UNITS = r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
_LENGTH_UNITS = r"(?:cm|centimet(?:re|er)s?|mm|inch(?:es)?|foot|feet|ft|met(?:re|er)s?)\b"
_DISTANCE_UNITS = r"(?:km|kilomet(?:re|er)s?|met(?:re|er)s?|m|blocks?|miles?|feet|ft)\b"

# name -> (what the question says, what the answering sentence says); re.I for the first
MEASURES = {
    "duration": (
        r"\bhow long\b|\bfor how long\b|\bhow many (?:seconds|minutes|hours|days|weeks|months)\b",
        # "for about three hours", "two-hour standoff", "overnight"; or a knife's length.
        rf"(?i:\b{_FIGURE}[\s-]*(?:{_TIME_UNITS}|{_LENGTH_UNITS})\b(?![- ]old)|\bovernight\b"
        r"|\b(?:hours|days|weeks|months) (?:later|earlier)\b)",
    ),
    "distance": (
        r"\bhow far\b",
        rf"(?i:\b{_FIGURE}[\s-]*{_DISTANCE_UNITS}|\b(?:several|a few|two|three) blocks\b)",
    ),
    "speed": (
        r"\bhow fast\b|\bwhat speed\b"
        r"|\bhow quickly was\b[^?]{0,40}\b(?:driving|going|travell?ing)\b",
        r"(?i:\b\d{2,3}\s?(?:km/h|km/hr|kph|mph|kilomet(?:re|er)s? (?:an|per) hour)"
        r"|\bhigh rate of speed\b|\bexcessive speed\b)",
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
    ),
}
MEASURED = ("duration", "distance", "speed")  # a figure with its unit, said first
