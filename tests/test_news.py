"""What an update release adds to the earlier ones, and answers built from it."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answer.novelty import find_news, routine
from bot.answer.sentence_bank import useful_spans
from bot.answer.shapes import shapes_of
from bot.answer.sources import Source
from index.models import Chunk

FIRST = (
    "On July 21, 2017, at approximately 10:00 p.m., emergency personnel responded to the "
    "700 block of Selkirk Avenue for a report of shots fired. Upon arrival, officers located "
    "an adult male suffering from a gunshot wound. Anyone with information is asked to call "
    "the Homicide Unit at 204-986-6508."
)
UPDATE = (
    "On October 15, 2017, officers executed a warrant in the 400 block of Redwood Avenue. "
    "Jason Scott WOODHOUSE, 23-years-old of Winnipeg, was located and arrested. "
    "WOODHOUSE has been charged with Manslaughter. On July 21, 2017, at approximately "
    "10:00 p.m., emergency personnel responded to the 700 block of Selkirk Avenue for a "
    "report of shots fired."
)
OTHER = (
    "On October 20, 2017, a garage on Main Street was broken into overnight. Anyone with "
    "information is asked to call the Homicide Unit at 204-986-6508."
)


def source(n: int, pid: str, text: str, day: dt.date, refs=()) -> Source:
    chunk = Chunk(
        id=f"{pid}-0000",
        publication_id=pid,
        ord=0,
        text=text,
        title=f"Release {pid}",
        published=day,
        source=f"{pid}.html",
        references=list(refs),
        content_hash=pid,
    )
    return Source(n=n, chunks=[chunk])


def sentences(src: Source, news) -> dict[str, bool]:
    chunk = src.chunks[0]
    return {chunk.text[s.start : s.end]: news.is_news(chunk, s) for s in useful_spans(chunk.text)}


def spans(chunk):
    return useful_spans(chunk.text)


def test_an_update_s_retelling_is_old_news_and_the_rest_is_news():
    old = source(2, "a", FIRST, dt.date(2017, 7, 22), ["C17-161171"])
    new = source(1, "b", UPDATE, dt.date(2017, 10, 16), ["C17-161171"])
    news = find_news([new, old], ["b", "a"], spans)
    assert news.compared == {"b"}  # the first release has nothing earlier to compare with
    said = sentences(new, news)
    assert said["WOODHOUSE has been charged with Manslaughter."] is True
    assert said[
        "On October 15, 2017, officers executed a warrant in the 400 block of Redwood Avenue."
    ]
    retold = next(s for s in said if "Selkirk" in s)
    assert said[retold] is False
    assert not any(sentences(old, news).values())


def test_releases_without_case_numbers_are_related_by_what_they_retell():
    old = source(2, "a", FIRST, dt.date(2017, 7, 22))
    new = source(1, "b", UPDATE, dt.date(2017, 10, 16))
    assert find_news([new, old], [], spans).compared == {"b"}


def test_a_shared_appeal_for_information_does_not_relate_two_stories():
    old = source(2, "a", FIRST, dt.date(2017, 7, 22))
    other = source(1, "c", OTHER, dt.date(2017, 10, 20))
    news = find_news([other, old], [], spans)
    assert news.compared == set()
    # The appeal is still recognised as said before.
    chunk = other.chunks[0]
    appeal = next(s for s in useful_spans(chunk.text) if "Anyone" in chunk.text[s.start : s.end])
    assert (chunk.id, appeal.start) in news.stale


def test_releases_of_the_same_day_are_not_each_other_s_retelling():
    a = source(1, "a", FIRST, dt.date(2017, 7, 22), ["C17-161171"])
    b = source(2, "b", FIRST, dt.date(2017, 7, 22), ["C17-161171"])
    assert find_news([a, b], ["a", "b"], spans).compared == set()


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Anyone with information is asked to call Crime Stoppers at 204-786-TIPS (8477).", True),
        ("We thank the public and the media for their assistance.", True),
        ("The public is cautioned not to approach Buboire.", True),
        ("Investigation is ongoing.", True),
        ("WOODHOUSE has been charged with Manslaughter.", False),
        ("At this time, no charges have been laid in the homicide.", False),
    ],
)
def test_routine_lines_are_never_news(sentence, expected):
    assert routine(sentence) is expected


@pytest.mark.parametrize(
    ("question", "sentence", "met"),
    [
        ("Has anyone been charged?", "At this time, no charges have been laid.", True),
        ("Has anyone been charged?", "Police are asking the public for information.", False),
        ("Has anyone been charged?", "Police arrested Janice Allison FRANKLIN, 35.", True),
        ("Who was charged?", "investigators arrested:\n\n- Kyllan James Ellis", True),
        ("Who was charged?", "charged with:\n- Second Degree Murder\n- Robbery", False),
        ("Which officer fired?", "The IIU investigation focused on the officers involved.", False),
        ("Which officer fired?", "Constable Jason WOODHOUSE fired once.", True),
        (
            "What is the name of the driver?",
            "After an investigation by the Traffic Collision Investigation Section, a 24-year-old "
            "male was arrested.",
            False,
        ),
    ],
)
def test_what_counts_as_naming_someone(question, sentence, met):
    from bot.answer.phrases import known_words

    shape = next(s for s in shapes_of(question) if s.name in ("who", "anyone"))
    assert shape.met_by(sentence, known_words(question)) is met


def test_what_follows_as_previously_released_is_a_retelling():
    text = (
        "Brennan Bercier, 24, has been charged with Second Degree Murder. "
        "No further arrests are anticipated at this time.\n"
        "As previously released in January 2019:\n"
        "Officers found a man with a gunshot wound in the 500 block of Burrows Avenue."
    )
    old = source(2, "a", OTHER, dt.date(2019, 1, 12), ["C19-4582"])
    new = source(1, "b", text, dt.date(2020, 8, 21), ["C19-4582"])
    said = sentences(new, find_news([new, old], ["a", "b"], spans))
    assert said["Brennan Bercier, 24, has been charged with Second Degree Murder."] is True
    assert not any(v for s, v in said.items() if "Burrows" in s or "previously" in s)


def test_a_bare_lead_in_line_starts_the_retelling_though_it_is_no_sentence():
    """ "As previously released:" on its own line is too bare to quote, so it is no
    sentence; what follows it is still retold, also when no earlier release in the store
    holds it (the September arrests below)."""
    text = (
        "WOODHOUSE has been charged with Manslaughter.\n"
        "As previously released:\n"
        "On July 21, 2017, at approximately 10:00 p.m., emergency personnel responded to "
        "the 700 block of Selkirk Avenue for a report of shots fired.\n"
        "On September 20, 2017 investigators arrested Craig MONKMAN, 19-years-old.\n"
        "They were charged with 2nd Degree Murder and detained in custody."
    )
    old = source(2, "a", FIRST, dt.date(2017, 7, 22), ["C17-161171"])
    new = source(1, "b", text, dt.date(2017, 10, 16), ["C17-161171"])
    assert "As previously released:" not in {
        new.chunks[0].text[s.start : s.end] for s in spans(new.chunks[0])
    }
    said = sentences(new, find_news([new, old], ["a", "b"], spans))
    assert said["WOODHOUSE has been charged with Manslaughter."] is True
    assert not any(v for s, v in said.items() if "MONKMAN" in s or "2nd Degree" in s)


def test_releases_that_retell_each_other_are_one_story():
    first = source(3, "a", FIRST, dt.date(2017, 7, 22))
    update = source(1, "b", UPDATE + " " + FIRST.split(". ")[1] + ".", dt.date(2017, 10, 16))
    other = source(2, "c", OTHER, dt.date(2017, 10, 20))
    news = find_news([update, other, first], [], spans)
    assert news.story(["a"]) == ["a", "b"]
    assert news.story(["c"]) == ["c"]  # one shared appeal for information is no tie


def test_headings_and_signatures_are_not_statements_but_list_items_are():
    from bot.answer.news import statements
    from bot.answer.scoring import Scored

    text = (
        "Children Safe - Mother in Custody\n"
        "Sandra was arrested on June 24, 2016.\n"
        "She has been charged with the following:\n"
        "Abduction Where No Custody Order x 2\n"
        "Flight while Pursued by Peace Officer\n"
        "She has been remanded into custody.\n"
        "- Jonathon Graham BARSTAD, 34, of Winnipeg\n"
        "Harbour City Police"
    )
    src = source(1, "a", text, dt.date(2016, 6, 25))
    chunk = src.chunks[0]
    every = [Scored(src, chunk, s, 0.0, 0.0, 0.0) for s in useful_spans(text)]
    kept = [s.text for s in statements(every)]
    assert kept == [
        "Sandra was arrested on June 24, 2016.",
        # A bare list after a lead-in to charges is one statement with it.
        "She has been charged with the following:\nAbduction Where No Custody Order x 2\n"
        "Flight while Pursued by Peace Officer",
        "She has been remanded into custody.",
        "- Jonathon Graham BARSTAD, 34, of Winnipeg",
    ]


def test_a_newer_release_is_quoted_for_what_it_adds_not_what_it_retells():
    from bot.answer.extractive import _news_of
    from bot.answer.novelty import Novelty
    from bot.answer.types import Scored
    from index.text import Span
    from tests.support import one_chunk_release

    retold = "As previously released, the pedestrian was struck in a parking lot."
    text = f"{retold} A 70-year-old female has been charged with Drive Careless Cause Death."
    update = one_chunk_release("upd", text, "Fatal Collision - Arrest", dt.date(2017, 8, 1))
    chunk = update.head
    spans = [Span(0, len(retold)), Span(len(retold) + 1, len(text))]
    # The ranker put the retelling first (it shares the question's words).
    by_answer = [Scored(update, chunk, span, 2.0 - i, 0.5, 0.5) for i, span in enumerate(spans)]
    novelty = Novelty(stale={(chunk.id, 0)}, compared={"upd"})
    assert "charged" in _news_of(by_answer, novelty).text
    # Not compared with an earlier release: the likeliest answer stands.
    assert _news_of(by_answer, Novelty()).text == retold
    assert _news_of(by_answer, None).text == retold
    # Nothing new in it: the caller keeps its own pick.
    everything_retold = Novelty(stale={(chunk.id, s.start) for s in spans}, compared={"upd"})
    assert _news_of(by_answer, everything_retold) is None


def test_of_an_update_s_news_the_newest_development_is_quoted():
    """An update tells its case in order: the charges at its end are what is true now,
    though the victim's death near its start scores as well."""
    import numpy as np

    from bot.answer.news import NEWS_SENTENCES, news_run
    from bot.answer.novelty import Novelty
    from bot.answer.types import Question, Scored

    told = [
        "On August 27, 2017, the victim succumbed to his injuries and was identified.",
        "Members of the Homicide Unit determined that a dispute occurred with a group.",
        "During this dispute, the victim was stabbed in the upper body.",
        "The investigation resulted in the identification of several suspects.",
        "On August 31, 2017, a 16-year-old male was placed under arrest.",
        "On September 1, 2017, an 18-year-old male was placed under arrest.",
        "On September 5, 2017, a vehicle fled from police and hit a cruiser car.",
        "A 20-year-old male fled and was arrested nearby.",
        "All four males have been charged with manslaughter and detained in custody.",
    ]
    update = source(1, "upd", " ".join(told), dt.date(2017, 9, 6))
    chunk = update.chunks[0]
    every = [Scored(update, chunk, s, 0.0, 0.0, 0.0) for s in useful_spans(chunk.text)]
    lead = every[0]  # the ranker's pick
    question = Question("What was the final outcome of the stabbing investigation?", np.zeros(3))
    run = news_run(question, lead, every, Novelty(compared=set()), spans)
    quoted = [s.text for s in run]
    assert len(quoted) == NEWS_SENTENCES
    assert quoted[-1] == told[-1]


def test_a_list_item_quoted_with_its_lead_in_is_not_quoted_again():
    """Two chunks that overlap, or a lead-in quoted with its list, give the same words twice;
    the answer quotes them once."""
    from bot.answer.extractive import compose
    from bot.answer.types import Question, Scored
    from index.text import Span

    lead_in = "Zuhur SMITH, a 28-year-old male of Winnipeg, has been charged with:"
    items = "- Possession of a Scheduled Substance\n- Possession of Proceeds of Crime"
    text = f"{lead_in}\n{items}\nHe was detained in custody."
    release = source(1, "rel", text, dt.date(2020, 7, 27))
    chunk = release.chunks[0]
    whole = Span(0, len(lead_in) + 1 + len(items))  # the lead-in and its list, one quote
    item = Span(text.index("- Possession of Proceeds"), whole.end)
    ranked = [
        Scored(release, chunk, whole, 1.0, 0.5, 0.5),
        Scored(release, chunk, item, 0.95, 0.5, 0.5),
    ]
    draft = compose(Question("What was he charged with?", None), ranked, [], False)
    quoted = draft.text.split("\n\n", 1)[-1]  # after the direct answer
    assert quoted.count("Possession of Proceeds of Crime") == 1
    assert len(draft.chosen) == 1


ADVICE = (
    "Winnipeg Police are aware of a number of recent incidents of coyote sightings in the "
    "area. Coyotes are known to be most active during sunrise and sunset hours. Park users "
    "are advised to keep dogs on a leash, and pick up and carry small dogs if confronted."
)


def test_advice_two_releases_share_makes_no_story_of_them():
    """Two coyote sightings two years apart end with the same advice; neither is the other's
    update. An update retells the event itself."""
    sighting = (
        "On September 30, 2016, at approximately 9:30 p.m., three coyotes circled a man "
        "and his two dogs at Kilcona Park. The coyotes followed the man until he was able to "
        "reach the safety of his vehicle."
    )
    first = source(2, "a", f"{sighting} {ADVICE}", dt.date(2016, 10, 1))
    other = source(1, "b", f"On November 24, 2018, a coyote followed a man. {ADVICE}",
                   dt.date(2018, 11, 26))  # fmt: skip
    assert find_news([first, other], [], spans).story(["a"]) == ["a"]
    update = source(1, "c", f"The coyotes were later located. {sighting} {ADVICE}",
                    dt.date(2016, 10, 5))  # fmt: skip
    assert find_news([first, update], [], spans).story(["a"]) == ["a", "c"]


def _lead_sentence(src: Source, score: float):
    from bot.answer.types import Scored
    from index.text import Span

    text = src.chunks[0].text
    return Scored(src, src.chunks[0], Span(0, len(text)), score, 0.5, 0.5)


def test_a_latest_question_prefers_the_newer_release_of_its_case_not_of_another():
    from bot.answer.extractive import primary_lead

    first = source(1, "a", FIRST, dt.date(2017, 7, 22), ["C17-161171"])
    update = source(2, "b", UPDATE, dt.date(2017, 10, 16), ["C17-161171"])
    other = source(3, "c", OTHER, dt.date(2017, 10, 21))
    ranked = [_lead_sentence(first, 1.0), _lead_sentence(other, 0.95), _lead_sentence(update, 0.7)]
    # The case's own update leads, though it answers less closely than the first release.
    assert primary_lead(ranked, ["a", "b"], wants_latest=True).source is update
    # Without the case's releases known, a newer release of another case is no update.
    assert primary_lead(ranked, [], wants_latest=True).source is first
    assert primary_lead(ranked[:2], ["a"], wants_latest=True).source is first


def _news_of_update(told: list[str], asked: str, lead: int, day: dt.date):
    """The news run `news_run` quotes for `asked` of one update telling `told`, all news."""
    import numpy as np

    from bot.answer.news import news_run
    from bot.answer.novelty import Novelty
    from bot.answer.types import Question, Scored

    update = source(1, "upd", " ".join(told), day)
    chunk = update.chunks[0]
    every = [Scored(update, chunk, s, 0.0, 0.0, 0.0) for s in useful_spans(chunk.text)]
    question = Question(asked, None)
    question.vector = np.zeros(3)
    return question, news_run(question, every[lead], every, Novelty(compared=set()), spans)


def test_everyone_the_news_says_was_charged_is_quoted_not_only_those_the_window_holds():
    """The window of news favours the later sentences; a person charged before it ("Roy
    Lionel LAQUETTE, 25, ...") is still quoted for "has anyone been charged?"."""
    from bot.answer.direct import direct_answer
    from bot.answer.news import NEWS_SENTENCES

    told = [
        "On September 15, 2017, a female was shot in the 500 block of St. Johns Avenue.",
        "On September 17, Winnipeg Police arrested a suspect in this investigation.",
        "Roy Lionel LAQUETTE, 25, of Winnipeg, has been charged with Aggravated Assault.",
        "He was detained in custody.",
        "These charges also relate to another incident that occurred earlier this summer.",
        "Also charged in the incident were a 15-year-old male, and a 20-year-old male.",
        "Both were arrested on September 16.",
        "Rick FLETT, 20, of Winnipeg was charged with Disguise with Intent.",
        "The 15-year-old suspect was charged with Robbery.",
        "Both were detained in custody.",
    ]
    asked = "A woman was shot on St. Johns Avenue. Has anyone been charged?"
    question, run = _news_of_update(told, asked, -1, dt.date(2017, 9, 19))
    quoted = [s.text for s in run]
    assert told[2] in quoted and told[7] in quoted
    assert len(quoted) > NEWS_SENTENCES  # the window, and who it left out
    said = direct_answer(question, run)
    assert "Roy Lionel LAQUETTE, 25" in said and "Rick FLETT, 20" in said


HOULE = [
    "On July 12, 2018 members of MIHRSOU attended an address on Jarvis Street.",
    "The suspect jumped through a window and fled.",
    "Later the same day the suspect returned to the same address.",
    "Officers located and arrested HOULE who was in possession of a large hunting knife.",
    "Cecil Junior HOULE, a 42-year-old male of Winnipeg, has been charged with Breach.",
    "He has been detained at the Winnipeg Remand Centre.",
]


def test_the_news_of_each_person_asked_about_is_quoted():
    """Asked "Were Cecil Houle and Winston Thomas ever arrested?", the window of news tells
    of Houle's arrest, the later one; Thomas's surrender before it is quoted too."""
    told = [
        "On June 28, 2018, MIHRSOU requested the public's assistance in locating two males.",
        "On July 2, 2018, THOMAS attended to Winnipeg Police Headquarters and turned himself in.",
        "Winston George THOMAS, a 41-year-old male of Winnipeg, was arrested and charged.",
        "The outstanding warrant for his arrest was executed.",
        *HOULE,
    ]
    asked = "Were Cecil Houle and Winston Thomas ever arrested?"
    _, run = _news_of_update(told, asked, -2, dt.date(2018, 7, 12))
    quoted = " ".join(s.text for s in run)
    assert "HOULE" in quoted and "THOMAS" in quoted
    # One sentence that tells where Thomas stands, not his whole story.
    assert sum("THOMAS" in s.text for s in run) == 1


def test_a_street_asked_about_pulls_in_no_news_of_its_own():
    told = [
        "On July 2, 2018, a male was arrested in the 500 block of Selkirk Avenue.",
        *HOULE,
        "The investigation into the Jarvis Street incident is complete.",
    ]
    asked = "Was Cecil Houle, wanted since the Selkirk Avenue call, arrested?"
    _, run = _news_of_update(told, asked, -3, dt.date(2018, 7, 12))
    assert not any("Selkirk" in s.text for s in run)
