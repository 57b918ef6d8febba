"""What the API shares between requests: the answerer, its store, and the answer slots."""

from __future__ import annotations

import ctypes
import logging
import threading
import time

import anyio
from fastapi import HTTPException, status
from starlette.concurrency import run_in_threadpool

from bot.api.schemas import Readiness, SourceStatus
from index.embed import embeddings_for
from index.errors import BackendUnavailable, ConfigError, PolicingQAError, StoreUnavailable

log = logging.getLogger(__name__)

# After a failed start-up, how long to wait before trying to open the store again.
_RETRY_SECONDS = 5.0
# Return freed heap to the OS every this many answers (see `Runtime.answered`).
_TRIM_EVERY = 20
# How often the readiness figures (counts, freshness, sources: a scan) are measured.
READY_EVERY = 5.0


def _malloc_trim():
    """glibc's malloc_trim, or None where there is no glibc."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def build_answerer_for(settings, *, parallel: int = 1, torch_threads: int | None = None):
    """The embedding model, the store and the answerer, built once for the process.

    With `parallel` > 1, that many encodes may run at once, each on `torch_threads`
    threads (the embedding runtime's threads, torch or ONNX Runtime): on a small
    machine, one core per answer beats all cores for one answer at a time, since a
    single short encode cannot keep several cores busy.
    """
    from bot.answer.answerer import build_answerer
    from index.store import open_store

    store = open_store(settings)
    embedder = embeddings_for(settings, parallel=parallel, threads=torch_threads)
    answerer = build_answerer(settings, store=store, embedder=embedder)
    # Build the in-memory index now, so the first request does not pay for it.
    retriever = getattr(answerer, "retriever", None)
    if hasattr(retriever, "refresh"):
        retriever.refresh()
    return answerer


class Runtime:
    """Holds one answerer for all requests and bounds how many answers run at once.

    When the store cannot be opened at start-up the service still starts (so `/readyz`
    can say why it is not ready) and tries again, at most every few seconds, on demand.
    """

    def __init__(
        self,
        settings,
        answerer=None,
        *,
        builder=build_answerer_for,
        max_concurrency: int = 2,
        queue_timeout: float = 30.0,
    ):
        self.settings = settings
        self._answerer = answerer
        self._builder = builder
        self._error: str | None = None
        self._failed_at = 0.0
        self._lock = threading.Lock()
        self.max_concurrency = max_concurrency
        self.queue_timeout = queue_timeout
        self._slots: anyio.Semaphore | None = None
        self._answers = 0
        self._trim = _malloc_trim()
        self._ready: tuple[bool, Readiness] | None = None
        self._ready_loop: threading.Thread | None = None
        self._closed = threading.Event()

    @property
    def ready(self) -> bool:
        return self._answerer is not None

    def answerer(self):
        """The shared answerer, built on first use; raises StoreUnavailable if it cannot be."""
        if self._answerer is not None:
            return self._answerer
        with self._lock:
            if self._answerer is not None:
                return self._answerer
            if self._error and time.monotonic() - self._failed_at < _RETRY_SECONDS:
                raise StoreUnavailable(self._error)
            try:
                self._answerer = self._builder(self.settings)
                self._error = None
            except StoreUnavailable as exc:
                self._error, self._failed_at = str(exc), time.monotonic()
                log.error("store unavailable: %s", exc)
                raise
            return self._answerer

    async def slot(self) -> anyio.Semaphore:
        """Wait for a free answer slot, or give up with 503 after `queue_timeout`."""
        if self._slots is None:  # created lazily: it must belong to the running loop
            self._slots = anyio.Semaphore(self.max_concurrency)
        try:
            with anyio.fail_after(self.queue_timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=f"server busy: no answer slot free within {self.queue_timeout:g}s",
                headers={"Retry-After": "1"},
            ) from None
        return self._slots

    async def start_stream(self, answerer, args: tuple, kwargs: dict):
        """Take an answer slot and run a stream's first step: (events, first, slots).

        The first step retrieves and reaches the backend, so its failure is still a plain
        HTTP error (and frees the slot); afterwards the caller releases `slots`.
        """
        slots = await self.slot()
        try:
            events = answerer.stream(*args, **kwargs)
            first = await run_in_threadpool(next, events, None)
        except BaseException as exc:
            slots.release()
            if isinstance(exc, PolicingQAError):
                raise http_error(exc) from exc
            raise
        return events, first, slots

    def answered(self) -> None:
        """Count an answer; now and then hand freed heap back to the OS.

        Answers run on several threads, each with its own glibc arena; memory they free
        stays mapped in the arena, so RSS creeps up though nothing leaks (measured: a
        trim brought 1.2 GiB back to 0.5 GiB). A trim takes milliseconds.
        """
        self._answers += 1
        if self._trim is not None and self._answers % _TRIM_EVERY == 0:
            self._trim(0)

    def readiness(self) -> tuple[bool, Readiness] | None:
        """The last measured readiness, None before the first; never scans per call.

        The first call starts a background loop that measures every READY_EVERY
        seconds, so a flood of probes costs nothing but a read of the last figures.
        """
        with self._lock:
            if self._ready_loop is None and not self._closed.is_set():
                self._ready_loop = threading.Thread(
                    target=self._measure_every, name="policing-qa-readiness", daemon=True
                )
                self._ready_loop.start()
        return self._ready

    def wait_readiness(self, timeout: float = 30.0) -> tuple[bool, Readiness]:
        """The readiness figures, waiting for the first measure if there is none yet."""
        deadline = time.monotonic() + timeout
        while (ready := self.readiness()) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return ready or (False, _unavailable("still starting"))

    def close(self) -> None:
        self._closed.set()

    def _measure_every(self) -> None:
        while not self._closed.is_set():
            self._ready = self.measure()
            self._closed.wait(READY_EVERY)

    def measure(self) -> tuple[bool, Readiness]:
        """Counts and freshness of the store, or why it cannot be reached (a scan)."""
        from ingest.status import source_status

        try:
            store = self.answerer().store
            publications, chunks = store.counts()
            last, newest = store.freshness()
            fields = set(SourceStatus.model_fields)
            sources = [
                SourceStatus(**{k: v for k, v in record.items() if k in fields})
                for record in source_status(store)
            ]
        except Exception as exc:  # a Chroma server going away raises anything at all
            log.warning("not ready: %s", exc)
            # The reason (hosts, paths) goes to the log, not to unauthenticated probes.
            return False, _unavailable("store unreachable; see the server log")
        return True, Readiness(
            status="ready",
            publications=publications,
            chunks=chunks,
            last_ingest=last,
            newest_published=newest.isoformat() if newest else None,
            sources=sources,
        )


def _unavailable(detail: str) -> Readiness:
    return Readiness(status="unavailable", publications=0, chunks=0, detail=detail)


def http_error(exc: Exception) -> HTTPException:
    """The HTTP status and detail a domain error means to an API client.

    The detail says what failed and what to do; what names internals (store paths,
    Chroma and LLM server URLs, exception text) goes to the log only.
    """
    log.error("request failed: %s: %s", type(exc).__name__, exc)
    match exc:
        case BackendUnavailable():
            what = (
                "did not answer in time"
                if "did not answer within" in str(exc)
                else ("is not responding")
            )
            return HTTPException(
                503,
                detail=f"the answer backend {what}; try again in a minute",
                headers={"Retry-After": "30"},
            )
        case StoreUnavailable():
            return HTTPException(
                503,
                detail="the publication store is unavailable; try again in a minute",
                headers={"Retry-After": "30"},
            )
        case ConfigError():
            return HTTPException(
                500, detail="the server is misconfigured; its operator has the details in the log"
            )
    return HTTPException(500, detail="internal error; its operator has the details in the log")
