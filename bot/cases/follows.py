"""Follows of a case or a story, and the alerts owed to them, kept in the store.

A follow is a Slack thread that wants each new release of a case: keyed by workspace
(team id), channel, thread and target, a case number (`C18-209330`) or a story
(`story:<publication id>` of its lead release, for releases without case numbers). It
records who followed and the releases known when they did, and never changes after.

A delivery is the alert one follow is owed for one release: written "pending", with the
message, before it is posted, and "delivered" once Slack took it. The releases a follow
knows are those it was followed with plus those it has a delivery for.

The Slack app writes follows, ingest runs write deliveries, so neither overwrites the
other's records. All live in the store's run records (kinds "follow", "alert" and
"alerts"), where an ingest run on another machine sharing the Chroma server reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace

from bot.cases.timeline import CaseBook, case_key
from index.models import Answer, Citation, Publication
from index.records import StoredPublication
from index.store import Store

FOLLOW, DELIVERY, PASS = "follow", "alert", "alerts"
STORY = "story:"
PENDING, DELIVERED = "pending", "delivered"
# A story's releases are looked for among its issuer's nearest this far either side.
STORY_DAYS = 120
STORY_CANDIDATES = 60
# Releases one page may hold (a Winnipeg daily bulletin holds a dozen or two).
_MAX_PARTS = 60


@dataclass(frozen=True)
class Follow:
    """A thread following a case (or a story) since `followed_at`."""

    team: str
    channel: str
    thread_ts: str
    target: str  # "C18-209330" or "story:<publication id>"
    label: str  # the case number, or the story's first title
    user: str
    followed_at: str
    known: tuple[str, ...] = ()  # publication ids known when followed

    @property
    def key(self) -> str:
        return "/".join((self.team, self.channel, self.thread_ts, self.target))

    @property
    def story(self) -> str | None:
        """The lead release of a story follow; None for a case."""
        return self.target.removeprefix(STORY) if self.target.startswith(STORY) else None

    def as_record(self) -> dict:
        return {**asdict(self), "known": list(self.known)}

    @classmethod
    def from_record(cls, data: dict) -> Follow:
        return cls(**{**data, "known": tuple(data.get("known", ()))})


@dataclass(frozen=True)
class Delivery:
    """One alert: pending (with its message) until Slack took it, then delivered."""

    follow: str  # the follow's key
    publication_id: str
    state: str = PENDING
    message: dict | None = None
    tries: int = 0
    error: str | None = None
    ts: str | None = None  # the posted message's
    updated: str = field(default_factory=lambda: now_iso())

    @property
    def key(self) -> str:
        return f"{self.follow}|{self.publication_id}"

    @property
    def payload(self) -> dict:
        """What the Slack message's metadata carries, to find it again in its thread."""
        return {"follow": self.follow, "publication_id": self.publication_id}


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Follows:
    """Follows and deliveries in one store's run records."""

    def __init__(self, store: Store):
        self.store = store

    def all(self) -> list[Follow]:
        return [Follow.from_record(d) for d in self.store.get_run_records(FOLLOW).values()]

    def get(self, key: str) -> Follow | None:
        return next((f for f in self.all() if f.key == key), None)

    def where(self, team: str, channel: str) -> list[Follow]:
        """The follows of one channel, oldest first."""
        return [f for f in self.all() if (f.team, f.channel) == (team, channel)]

    def add(self, follow: Follow) -> None:
        self.store.put_run_record(follow.key, FOLLOW, follow.as_record())

    def remove(self, follow: Follow) -> None:
        """Stop a follow: its record, then the deliveries it was owed."""
        self.store.delete_run_record(follow.key, FOLLOW)
        for delivery in self.deliveries().values():
            if delivery.follow == follow.key:
                self.drop(delivery)

    def deliveries(self) -> dict[str, Delivery]:
        records = self.store.get_run_records(DELIVERY)
        return {key: Delivery(**data) for key, data in records.items()}

    def save(self, delivery: Delivery) -> Delivery:
        delivery = replace(delivery, updated=now_iso())
        self.store.put_run_record(delivery.key, DELIVERY, asdict(delivery))
        return delivery

    def drop(self, delivery: Delivery) -> None:
        self.store.delete_run_record(delivery.key, DELIVERY)

    def last_pass(self) -> str | None:
        """When the last complete alert pass's run started (releases stored since are new)."""
        return self.store.get_run_records(PASS).get("last", {}).get("started")

    def passed(self, started: str) -> None:
        self.store.put_run_record("last", PASS, {"started": started, "finished": now_iso()})


def describe(store: Store, target: str) -> tuple[str, list[str]] | None:
    """(label, releases known now) of a case number or story; None for an unknown story."""
    book = CaseBook(store)
    lead = target.removeprefix(STORY) if target.startswith(STORY) else None
    if lead is None:
        return target, [p.id for p in book.releases_of(target)]
    pubs = store.get_publications()
    if lead not in pubs:
        return None
    timeline = book.story(lead, story_candidates(pubs, pubs[lead]))
    return timeline.label, [e.publication_id for e in timeline.entries]


def story_candidates(pubs: dict[str, StoredPublication], lead: StoredPublication) -> list[str]:
    """Releases that may retell `lead`: its issuer's nearest in time, within STORY_DAYS."""
    if lead.published is None:
        return []
    apart = {
        p.id: abs(p.published - lead.published)
        for p in pubs.values()
        if p.id != lead.id and p.issuer == lead.issuer and p.published
    }
    near = sorted((d, pid) for pid, d in apart.items() if d <= dt.timedelta(days=STORY_DAYS))
    return [pid for _, pid in near[:STORY_CANDIDATES]]


def follow_target(answer: Answer, store: Store | None) -> str | None:
    """What an answer's Follow button follows: the case number its sources carry, else
    the story of its first source; None for a refusal or a source no longer stored."""
    if answer.refused or not answer.citations:
        return None
    for citation in answer.citations:
        for reference in citation.references:
            key = case_key(reference)
            if key:
                return key
    lead = publication_of(store, answer.citations[0]) if store is not None else None
    return f"{STORY}{lead}" if lead else None


def publication_of(store: Store, citation: Citation) -> str | None:
    """The stored release a citation quotes (its source and title name it)."""
    ids = [
        Publication(source=citation.source, part=n, title=citation.title, text="").id
        for n in range(_MAX_PARTS)
    ]
    found = store.get_publications(ids)
    titled = [i for i in ids if i in found and found[i].title == citation.title]
    return next(iter(titled or [i for i in ids if i in found]), None)
