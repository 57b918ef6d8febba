"""Run records: small JSON records keyed by (kind, key) that every process on a store shares.

Per-source status, the ingest lease, follows and alert deliveries, digests, and the Slack
app's answers, feedback and claimed events live in the store's `<name>_runs` collection,
so every machine sharing a Chroma server sees the same ones. One record is one Chroma
record: its id from (kind, key), the key as its document, metadata `kind`, the data as
JSON text and, for a record that lapses, `expires` (Unix time).

`claim` takes a key once among all those processes. Chroma has no compare-and-set, but
its `add` never replaces a record: an add whose id exists is dropped, with no error and
nothing returned to say so (chromadb 1.5.9, embedded and on a `chroma run` server alike;
tests/test_slack_replicas.py checks it). So each claimant adds a record carrying a fresh
random token, then reads the record back. The record holds the token of the add Chroma
applied first, every claimant reads that same token, and exactly one finds its own. No
waiting is involved, unlike the ingest lease: the lease must be renewed and taken over,
which needs an overwrite, while a claim is written once and lapses. Expired claims of
the kind are deleted before each claim, so the collection keeps only the recent ones.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterable

from index.records import LEDGER_VECTOR, record_id

# Ids a get or write sends at once (SQLite bounds the variables of one statement).
_PAGE = 1000


def _id(kind: str, key: str) -> str:
    return record_id(f"{kind}:{key}")


def _metadata(kind: str, data: dict, expires: float | None) -> dict:
    meta = {"kind": kind, "data": json.dumps(data)}
    if expires is not None:
        meta["expires"] = expires
    return meta


def _decoded(got: dict) -> dict[str, dict]:
    return {
        key: json.loads(meta.get("data", "{}"))
        for key, meta in zip(got["documents"], got["metadatas"], strict=True)
    }


class RunRecords:
    """The run records in one Chroma collection."""

    def __init__(self, collection):
        self.collection = collection

    def put(self, key: str, kind: str, data: dict) -> None:
        """Write a record, replacing the one at (kind, key)."""
        self.put_many(kind, {key: data})

    def put_many(self, kind: str, records: dict[str, dict]) -> None:
        """Write records of one kind (key -> data), replacing those already there."""
        self._write(self.collection.upsert, kind, records, None)

    def add_many(self, kind: str, records: dict[str, dict], expires: float | None = None) -> None:
        """Write the records not there yet; a record already at (kind, key) is kept as it is."""
        self._write(self.collection.add, kind, records, expires)

    def _write(self, write, kind: str, records: dict[str, dict], expires: float | None) -> None:
        items = list(records.items())
        for start in range(0, len(items), _PAGE):
            page = items[start : start + _PAGE]
            write(
                ids=[_id(kind, key) for key, _ in page],
                embeddings=[LEDGER_VECTOR] * len(page),
                documents=[key for key, _ in page],
                metadatas=[_metadata(kind, data, expires) for _, data in page],
            )

    def get(self, key: str, kind: str) -> dict | None:
        """The data of one record, or None."""
        return self.get_many([key], kind).get(key)

    def get_many(self, keys: Iterable[str], kind: str) -> dict[str, dict]:
        """The records of these keys that exist, key -> data."""
        keys = list(dict.fromkeys(keys))
        out: dict[str, dict] = {}
        for start in range(0, len(keys), _PAGE):
            ids = [_id(kind, key) for key in keys[start : start + _PAGE]]
            out.update(_decoded(self.collection.get(ids=ids, include=["metadatas", "documents"])))
        return out

    def all(self, kind: str) -> dict[str, dict]:
        """Records of one kind, key -> data, in the order they were first written."""
        got = self.collection.get(where={"kind": kind}, include=["metadatas", "documents"])
        return _decoded(got)

    def delete(self, key: str, kind: str) -> None:
        self.collection.delete(ids=[_id(kind, key)])

    def purge(self, kind: str, now: float | None = None) -> None:
        """Delete the records of `kind` that expired before `now`."""
        now = time.time() if now is None else now
        self.collection.delete(where={"$and": [{"kind": kind}, {"expires": {"$lt": now}}]})

    def claim(self, key: str, kind: str, ttl: float) -> bool:
        """True for the one caller, of all processes sharing the store, that took `key`;
        the claim lapses `ttl` seconds later. (How it is race-safe: the module docstring.)"""
        now = time.time()
        self.purge(kind, now)
        token = uuid.uuid4().hex
        claimant = {"token": token, "by": f"pid {os.getpid()} on {socket.gethostname()}"}
        self.add_many(kind, {key: {**claimant, "at": now}}, expires=now + ttl)
        held = self.get(key, kind)
        return held is not None and held.get("token") == token
