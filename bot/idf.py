"""How rare each key term is in the store, so a rare missing term weighs more than a common one."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter

log = logging.getLogger(__name__)


class TermRarity:
    """Inverse document frequency of key terms over the store's chunks, built on first use.

    Rebuilt when the store's chunk count changes, checked at most every `refresh_seconds`.
    """

    def __init__(self, store, refresh_seconds: float = 60.0):
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._table: tuple[int, Counter] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def _current(self) -> tuple[int, Counter]:
        with self._lock:
            now = time.monotonic()
            if self._table is not None and now - self._checked < self.refresh_seconds:
                return self._table
            self._checked = now
            count = self.store.chunks.count()
            if self._table is None or self._table[0] != count:
                from bot.sentences import terms_of

                started = time.perf_counter()
                df: Counter = Counter()
                for chunk in self.store.all_chunks():
                    df.update(terms_of(f"{chunk.title}\n{chunk.text}"))
                self._table = (count, df)
                log.info(
                    "term rarity over %d chunks in %.1fs", count, time.perf_counter() - started
                )
            return self._table

    def idf(self, terms) -> dict[str, float]:
        """log((N + 1) / (df + 1)) + 1 for each term: 1 for the commonest, most for unseen."""
        total, df = self._current()
        return {t: math.log((total + 1) / (df.get(t, 0) + 1)) + 1.0 for t in terms}
