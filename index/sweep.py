"""The sweep: what interrupted ingest runs left behind, found and removed.

Chunks no commit owns are a killed run's (written, never committed); they are deleted,
unless tagged with the token of a run whose lease is still live, which may be about to
commit them. A publication record listing a chunk that is gone (a run that wrote on after
losing its lease) is deleted with its remaining chunks, so the next read of its source
stores it again instead of counting it unchanged.
"""

from __future__ import annotations

import logging
import time
from typing import NamedTuple

from index.records import StoredPublication
from index.snapshot import committed_chunks

log = logging.getLogger(__name__)

# The run record that says whether the last ingest run ended (else what it left is swept).
_STATE_KEY, _STATE_KIND = "last-run", "ingest"


class Swept(NamedTuple):
    """What a sweep removed."""

    chunks: int  # chunks no committed publication owns
    publications: int  # commits whose chunks were missing, to be stored again


def sweep(store) -> Swept:
    """Delete chunks no commit owns and commits missing chunks (see the module)."""
    # Chunks before records: a commit landing between the reads keeps its chunks.
    rows = store.chunk_rows()
    pubs = store.get_publications()
    live = live_run_tokens(store)
    broken = _broken_publications(store, pubs, rows)
    if broken:
        store.publications.delete(ids=broken)
        store.lexicon.append([], [c for pid in broken for c in pubs[pid].chunk_ids])
        log.warning("removed %d publications whose chunks were missing", len(broken))
    committed = {pid: p.content_hash for pid, p in pubs.items() if pid not in broken}
    orphans = [
        cid
        for cid, (pid, digest, run) in rows.items()
        if committed.get(pid) != digest and run not in live
    ]
    store.delete_chunks(orphans)
    if orphans:
        log.info("swept %d chunks left by an interrupted run", len(orphans))
    return Swept(chunks=len(orphans), publications=len(broken))


def sweep_after_unfinished(store) -> Swept | None:
    """Sweep if the last run did not finish (only then: a sweep reads every chunk id), and
    mark the run now starting unfinished until `mark_finished`.

    The lexical index is then rebuilt from the committed chunks, as it is for a store
    that has none yet: a killed run may have committed a batch without recording it.
    """
    state = store.get_run_records(_STATE_KIND).get(_STATE_KEY)
    swept = None if state and state.get("finished") else store.sweep()
    if swept is not None or store.lexicon.head() is None:
        started = time.perf_counter()
        chunks = committed_chunks(store)
        store.lexicon.rebuild(chunks)
        log.info(
            "rebuilt the lexical index of %d chunks in %.1fs",
            len(chunks),
            time.perf_counter() - started,
        )
    store.put_run_record(_STATE_KEY, _STATE_KIND, {"finished": False})
    return swept


def mark_finished(store) -> None:
    store.put_run_record(_STATE_KEY, _STATE_KIND, {"finished": True})


def live_run_tokens(store) -> set[str]:
    """Owner tokens of unexpired run leases (the "lock" records `ingest.lock` writes)."""
    now = time.time()
    return {
        lease["owner"]
        for lease in store.get_run_records("lock").values()
        if lease.get("owner") and float(lease.get("expires", 0)) > now
    }


def _broken_publications(store, pubs: dict[str, StoredPublication], rows: dict) -> list[str]:
    """Committed publications whose listed chunks are not all stored, checked twice.

    The first look compares against the chunk scan; a run committing a new version
    meanwhile looks the same, so each suspect is confirmed: its chunks still missing
    while its record is unchanged before and after.
    """
    suspects = [p for p in pubs.values() if any(c not in rows for c in p.chunk_ids)]
    if not suspects:
        return []
    present = _present(store, [c for p in suspects for c in p.chunk_ids])
    now = store.get_publications([p.id for p in suspects])
    return [
        p.id
        for p in suspects
        if p.id in now
        and (now[p.id].content_hash, now[p.id].chunk_ids) == (p.content_hash, p.chunk_ids)
        and any(c not in present for c in p.chunk_ids)
    ]


def _present(store, ids: list[str], page: int = 5000) -> set[str]:
    """Which of these chunk ids are stored."""
    pages = (ids[i : i + page] for i in range(0, len(ids), page))
    return {cid for ids in pages for cid in store.chunks.get(ids=ids, include=[])["ids"]}
