"""The answerer: condense, retrieve, pick evidence, refuse or answer with checked citations.

`ask()` is `stream()` run to the end, so both give the same Answer. The extractive
draft is always made: it decides refusal, and it is the fallback when a generated
answer has no valid sentence left.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence

import numpy as np

from bot.answer.citations import Checker, StreamSplitter
from bot.answer.clauses import asks_of, focus_of
from bot.answer.condense import condense_rules
from bot.answer.counted import miscounted
from bot.answer.extractive import compose, primary_lead
from bot.answer.novelty import find_news
from bot.answer.phrases import key_terms
from bot.answer.redact import shown
from bot.answer.refusal import evidence, is_weak, refusal, status_quote
from bot.answer.releases import ReleaseReader
from bot.answer.scope import Scope, fitting, other_project, told_elsewhere, unknown_names
from bot.answer.scoring import score_sentences
from bot.answer.sentence_bank import SentenceBank
from bot.answer.sentence_model import rank_sentences
from bot.answer.sources import number_sources
from bot.answer.types import Ask, Draft, Evidence, Question, Source
from index.errors import ConfigError
from index.models import Answer, Citation, Turn
from index.when import plain_dates

log = logging.getLogger(__name__)

GENERATORS = ("extractive", "openai")
# Bonus for the new part of an update release: large when the question asks what is
# true now ("finally", "latest"), small when it merely names a case with several releases.
LATEST_BONUS = 0.3
CASE_BONUS = 0.15
STALE_PENALTY = 0.2  # what an update repeats "as previously released" is not news
# Of the year or place asked about: only the first few releases found may stand in for
# the first when it is not (further down, a release fits by chance, not by subject).
SCOPE_DEPTH = 3


def build_generator(settings):
    """The LLM behind `settings.generator`, or None for the extractive default."""
    match settings.generator:
        case "extractive":
            return None
        case "openai":
            from bot.answer.llm import OpenAIGenerator

            return OpenAIGenerator(settings)
        case other:
            raise ConfigError(
                f"POLICING_QA_GENERATOR {other!r} is not a generator; choose one of: "
                + ", ".join(GENERATORS)
            )


class Answerer:
    """Answers questions from one store; safe to share between threads."""

    def __init__(self, settings, store, embedder, retriever, generator=None):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.retriever = retriever
        self.generator = generator
        self.bank = SentenceBank(embedder)
        self.releases = ReleaseReader(store)

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        top_k: int | None = None,
    ) -> Answer:
        """The whole answer at once."""
        answer = None
        for kind, value in self.stream(question, history, since=since, until=until, top_k=top_k):
            if kind == "done":
                answer = value
        return answer

    def condense(self, question: str, history: Sequence[Turn] = ()) -> str:
        """The follow-up made standalone, by the LLM when there is one."""
        if not history:
            return question
        if self.generator is not None:
            return self.generator.condense(question, history)
        return condense_rules(question, history)

    def stream(
        self, question: str, history: Sequence[Turn] = (), *, since=None, until=None, top_k=None
    ) -> Iterator[tuple[str, object]]:
        """("delta", text)..., ("citations", [...]), ("done", Answer)."""
        standalone = self.condense(question, history)
        if standalone != question:
            log.info(
                "condensed a follow-up (%d earlier turns) to %s",
                len(history),
                shown(standalone, self.settings.log_questions),
            )
        result = self.retrieve(standalone, since=since, until=until, top_k=top_k)
        yield from self.respond(question, standalone, result)

    def retrieve(self, standalone: str, *, since=None, until=None, top_k=None):
        """The retriever's result for a standalone question."""
        return self.retriever.search(
            standalone, k=top_k or self.settings.top_k, since=since, until=until
        )

    def prepare(self, standalone: str, result) -> tuple[list[Source], Draft, Evidence]:
        """Number the sources, draft the extractive answer and weigh its evidence."""
        history_hits = list(getattr(result, "case_history", None) or [])
        sources = number_sources(result.hits, history_hits)
        q = self.question_of(standalone)
        plain = q.text
        case_ids = list(dict.fromkeys(h.chunk.publication_id for h in history_hits))
        wants_latest = bool(getattr(result, "wants_latest", False))
        bonus = LATEST_BONUS if wants_latest else CASE_BONUS if len(case_ids) >= 2 else 0.0
        stale = STALE_PENALTY * wants_latest
        novelty = None
        if wants_latest or len(case_ids) >= 2:
            # Whole releases, so that an update's retelling of the case is recognised.
            self.releases.complete_all(sources)
            novelty = find_news(sources, case_ids, self.bank.spans)
        # Answer only from releases of the year and place asked about, when any was found.
        scope = Scope.of(plain)
        misfits = set()
        if scope:
            head = sources[:SCOPE_DEPTH]
            fit = {s.publication_id for s in fitting(scope, head, self.releases.complete_all)}
            if fit:  # then no release of another year or place may answer, however far down
                fit = {
                    s.publication_id for s in fitting(scope, sources, self.releases.complete_all)
                }
                misfits = {s.publication_id for s in sources} - fit
        pool = [s for s in sources if s.publication_id not in misfits]
        ranked = score_sentences(q, pool, self.bank, bonus, stale, novelty)
        if wants_latest and novelty is not None and ranked:
            # Releases that retell one another tell one story, whatever their case numbers.
            case_ids = novelty.story(case_ids or [ranked[0].source.publication_id])
        # Retrieval returns a few chunks a release; the answer may sit in another one
        # (with `novelty`, every release was read whole already).
        lead = primary_lead(ranked, case_ids, wants_latest) if ranked else None
        if novelty is None and lead is not None and self.releases.complete(lead.source):
            ranked = score_sentences(q, pool, self.bank, bonus, stale, novelty)
        draft = compose(
            q,
            ranked,
            case_ids,
            wants_latest,
            follow=self.releases.next_chunk,
            novelty=novelty,
            spans=self.bank.spans,
            asks=asks_of(plain, self.embedder.embed_documents),
            vectors=self.bank.vectors,
            refocus=lambda source: self._by_answer(q, source, bonus, stale, novelty),
        )
        out_of_scope = bool(scope) and draft.primary is not None and not scope.fits(draft.primary)
        if draft.primary is not None and misfits:
            others = [s for s in sources if s.publication_id in misfits]
            out_of_scope = out_of_scope or told_elsewhere(q, draft.primary, others)
        if draft.primary is not None:
            out_of_scope = out_of_scope or other_project(plain, draft.primary)
        proof = evidence(
            q,
            draft,
            sources,
            wants_latest,
            out_of_scope,
            story=case_ids,
            unknown=tuple(unknown_names(plain, self.retriever.unseen_terms)),
            miscounted=miscounted(
                plain, [s.text for s in draft.chosen], self.embedder.embed_documents
            ),
        )
        log.debug("evidence for %s: %s", shown(standalone, self.settings.log_questions), proof)
        return sources, draft, proof

    def question_of(self, standalone: str) -> Question:
        """What the scorers need of a question: its vector, key terms, asking clause."""
        vector = np.asarray(self.embedder.embed_query(standalone), dtype=np.float32)
        # "Christmas Eve 2020" is "December 24, 2020" in the releases.
        plain = plain_dates(standalone)
        q = Question(plain, vector, self.retriever.term_rarity(key_terms(plain)))
        # The clause that asks, apart from the scene a question may tell first.
        focus = focus_of(plain)
        focus_vector = (
            np.asarray(self.embedder.embed_documents([focus])[0], np.float32) if focus else vector
        )
        q.set_focus(Ask(focus or plain, focus_vector, ()))  # its kinds of answer: q's own
        return q

    def sentences_of(self, q: Question, source: Source, bonus=0.0, stale=0.0, novelty=None):
        """Every sentence of `source` (as read so far), scored for `q`."""
        return score_sentences(q, [source], self.bank, bonus, stale, novelty, whole=True)

    def _by_answer(self, q: Question, source: Source, bonus, stale, novelty) -> list:
        """Every sentence of `source`, the likeliest answer to `q` first."""
        sentences = self.sentences_of(q, source, bonus, stale, novelty)
        vectors = self.bank.vectors([(s.chunk, s.span) for s in sentences])
        return rank_sentences(q, sentences, vectors)

    def respond(self, question: str, standalone: str, result) -> Iterator[tuple[str, object]]:
        """Answer (or refuse) from a retrieval result; the events of `stream()`."""
        sources, draft, proof = self.prepare(standalone, result)
        refused = not draft.citations or is_weak(proof)
        if refused:
            status = status_quote(draft) if proof.untold else None
            text, citations = refusal(standalone, sources, unknown=proof.unknown, status=status)
            yield "delta", text
        elif self.generator is None:
            text, citations = draft.text, draft.citations
            yield "delta", text
        else:
            text, citations = yield from self._generated(standalone, sources)
            if not citations:
                log.info("no generated sentence survived the checks; answering extractively")
                text, citations = draft.text, draft.citations
                yield "delta", text
        yield "citations", citations
        yield (
            "done",
            Answer(
                question=question,
                answer=text,
                refused=refused or not citations,
                citations=citations,
                as_of=None
                if refused
                else max((c.published for c in citations if c.published), default=None),
            ),
        )

    def _generated(self, question: str, sources: list[Source]):
        """Stream the LLM's answer sentence by sentence, keeping only checked ones."""
        checker = Checker(sources, log_text=self.settings.log_questions)
        splitter, kept = StreamSplitter(), []

        def emit(sentence: str):
            checked = checker.check(sentence)
            if checked:
                kept.append(checked)
                return ("delta", checked if len(kept) == 1 else " " + checked)
            return None

        for delta in self.generator.stream_answer(question, sources):
            for sentence in splitter.feed(delta):
                if event := emit(sentence):
                    yield event
        for sentence in splitter.finish():
            if event := emit(sentence):
                yield event
        citations: list[Citation] = checker.citations() if kept else []
        return " ".join(kept), citations


def build_answerer(settings, *, store=None, embedder=None) -> Answerer:
    """An Answerer over the store and generator that `settings` name."""
    from index.retrieve import build_retriever

    generator = build_generator(settings)
    if store is None:
        from index.store import open_store

        store = open_store(settings)
    if embedder is None:
        from index.embed import embeddings_for

        embedder = embeddings_for(settings)
    retriever = build_retriever(settings, store=store, embedder=embedder)
    return Answerer(settings, store, embedder, retriever, generator)
