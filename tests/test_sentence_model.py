"""The sentence ranker: which sentence of a release answers, not which retells the question."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from bot.answer.extractive import compose
from bot.answer.logistic import Logistic
from bot.answer.scoring import Question, score_sentences
from bot.answer.sentence_bank import SentenceBank
from bot.answer.sentence_model import MODEL, rank_sentences, sentence_features
from bot.answer.sources import Source
from bot.answer.types import Ask
from index.errors import ConfigError
from tests.support import one_chunk_release

# A scene first, then the answer, which shares no word with the question's asking clause.
RELEASE = (
    "On August 17, 2021, shortly after noon, a female completed a sizeable cash withdrawal at "
    "a bank on the 1900 block of Hamilton Street, and exited. A male then shoved her, and ran "
    "off with her bag containing the cash. Another male ran after the man, and successfully "
    "wrestled the bag away, returning it to the victim. The female sustained minor injuries. "
    "Anyone with information is asked to contact the Regina Police Service or Crime Stoppers."
)
QUESTION = (
    "After a woman took cash out of a downtown bank, a man shoved her and ran off with her "
    "bag. Did she get her money back?"
)


def _source() -> Source:
    title = "Request for Assistance - Attempted Robbery"
    return one_chunk_release("r", RELEASE, title, dt.date(2021, 8, 18))


def _question(embedder, text: str, focus: str) -> Question:
    q = Question(text, np.asarray(embedder.embed_query(text), dtype=np.float32))
    q.set_focus(Ask(focus, np.asarray(embedder.embed_documents([focus])[0]), ()))
    return q


def test_every_sentence_gets_every_feature_the_fitted_model_reads(embedder):
    q = _question(embedder, QUESTION, "Did she get her money back")
    bank = SentenceBank(embedder)
    sentences = score_sentences(q, [_source()], bank, whole=True)
    features = sentence_features(q, sentences, bank.vectors([(s.chunk, s.span) for s in sentences]))
    assert len(features) == len(sentences) == 5
    model = Logistic.load(MODEL)
    assert all(set(model.names) <= set(f) for f in features)
    first = [f for f, s in zip(features, sentences, strict=True) if "sizeable" in s.text][0]
    appeal = [f for f, s in zip(features, sentences, strict=True) if "Anyone" in s.text][0]
    assert first["first"] == 1.0 and first["position"] == 0.0
    assert appeal["boilerplate"] == 1.0 and first["boilerplate"] == 0.0


def test_the_appeal_for_information_answers_nothing(embedder):
    q = _question(embedder, QUESTION, "Did she get her money back")
    bank = SentenceBank(embedder)
    sentences = score_sentences(q, [_source()], bank, whole=True)
    ranked = rank_sentences(q, sentences, bank.vectors([(s.chunk, s.span) for s in sentences]))
    assert "Anyone with information" in ranked[-1].text
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)


def test_the_rankers_likeliest_answer_is_quoted_even_when_it_retells_little(embedder):
    """compose() keeps the scene sentence and adds the sentence the ranker puts first."""
    q = _question(embedder, QUESTION, "Did she get her money back")
    bank = SentenceBank(embedder)
    ranked = score_sentences(q, [_source()], bank)
    answer = next(s for s in ranked if "wrestled the bag away" in s.text)
    # The ranker here is a stand-in that knows the answer: compose must quote it.
    refocus = lambda source: [answer, *(s for s in ranked if s is not answer)]  # noqa: E731
    drafted = compose(q, ranked, [], False, refocus=refocus)
    assert "wrestled the bag away" in drafted.text
    assert ranked[0].text.rstrip(".") in drafted.text  # it says which event this is
    assert drafted.answer_score == answer.score


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "Expecting"),
        (json.dumps({"features": ["a"], "mean": [0.0]}), "scale"),
        (
            json.dumps(
                {"features": ["a", "b"], "mean": [0], "scale": [1], "weights": [1], "bias": 0}
            ),
            "differ in length",
        ),
    ],
)
def test_a_broken_model_file_is_named_with_its_problem(tmp_path, content, problem):
    path = tmp_path / "model.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as error:
        Logistic.load(path)
    assert str(path) in str(error.value) and problem in str(error.value)


@pytest.mark.parametrize(("odds", "opens"), [(1.5, True), (-1.5, False)])
def test_an_open_question_s_likeliest_answer_is_said_first_when_likely(embedder, odds, opens):
    """ "Did she get her money back?" asks no figure or name to cut: the reply opens with the
    sentence the ranker finds likeliest, cited, when the ranker gives it even odds."""
    import dataclasses

    q = _question(embedder, QUESTION, "Did she get her money back")
    bank = SentenceBank(embedder)
    ranked = score_sentences(q, [_source()], bank)
    answer = next(s for s in ranked if "wrestled the bag away" in s.text)
    answer = dataclasses.replace(answer, score=odds)
    refocus = lambda source: [answer, *(s for s in ranked if s.span != answer.span)]  # noqa: E731
    drafted = compose(q, ranked, [], False, refocus=refocus)
    head, _, rest = drafted.text.partition("\n\n")
    said = "Another male ran after the man, and successfully wrestled the bag away, returning it"
    assert head.startswith(said) is opens
    if opens:
        assert head.endswith("to the victim [1].") and said in rest  # then the evidence


def test_a_figure_asked_for_is_said_first_not_the_likeliest_sentence(embedder):
    text = "How much cash did the woman withdraw?"
    q = _question(embedder, text, text)
    bank = SentenceBank(embedder)
    source = one_chunk_release(
        "c", "She withdrew $2,400 from a bank. A male shoved her.", "Robbery", dt.date(2021, 8, 18)
    )
    ranked = score_sentences(q, [source], bank)
    drafted = compose(q, ranked, [], False, refocus=lambda s: ranked)
    assert drafted.text.startswith("$2,400 [1].")


@pytest.mark.parametrize(
    ("likeliest", "opens"),
    [
        ("The suspect left the bus near McPhillips Street and Burrows Avenue.", True),
        ("The suspect then left the bus in a hurry.", False),  # it names no place
    ],
)
def test_a_likeliest_sentence_said_first_holds_the_kind_of_answer_asked(embedder, likeliest, opens):
    """ "Where did he get off the bus?" asks a place that no phrase was cut for: the likeliest
    sentence opens the reply only when it names one."""
    import dataclasses

    text = "A woman's phone was grabbed on a bus. Where did the guy get off the bus?"
    q = _question(embedder, text, "Where did the guy get off the bus?")
    bank = SentenceBank(embedder)
    release = f"A female was on a transit bus when a male grabbed her phone. {likeliest}"
    source = one_chunk_release("b", release, "Robbery", dt.date(2021, 5, 1))
    ranked = score_sentences(q, [source], bank)
    best = dataclasses.replace(next(s for s in ranked if s.text == likeliest), score=2.0)
    refocus = lambda source: [best, *(s for s in ranked if s.span != best.span)]  # noqa: E731
    drafted = compose(q, ranked, [], False, refocus=refocus)
    assert drafted.text.startswith(likeliest.rstrip(".") + " [1].") is opens
