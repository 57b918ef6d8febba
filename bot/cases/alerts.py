"""Alerts: each new release of a followed case, posted once in the follow's thread.

At the end of every ingest run (`ingest.watch.run_once`, when a Slack bot token is set)
each follow gets the releases stored since the last alert pass that belong to it: those
carrying its case number, or those `CaseBook.story` ties to its story. The alert quotes
what the release adds to the releases the follow already knew (`CaseBook.adds`).

Exactly once per follow and release, whatever fails, because runs never overlap (the
ingest lock) and each alert goes through a delivery record (`bot.cases.follows`):
1. the delivery is written "pending", with its message, before anything is posted;
2. the message is posted with Slack metadata naming the follow and the release;
3. the delivery is marked "delivered".
A run finding a pending delivery (a failed post, or a crash between 2 and 3) first looks
for the message in the thread (conversations.replies with metadata) and posts it only
if it is not there. A post Slack refuses (down, or 429 after the client's Retry-After
retries) stays pending, is counted as failed and tried again by the next run; once Slack
itself fails (429, 5xx, no connection) the pass stops posting, so a Slack outage costs a
run one round of retries, not one per alert.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.cases.follows import DELIVERED, PENDING, Delivery, Follow, Follows
from bot.cases.timeline import CaseBook
from bot.slack.case_blocks import render_alert, what_is_followed
from bot.slack.threads import reason
from bot.slack.web import web_client
from index.records import StoredPublication
from index.store import Store

log = logging.getLogger(__name__)

EVENT_TYPE = "policing_qa_alert"
_GONE = {"thread_not_found", "message_not_found"}


def alerter(settings):
    """The step that posts a run's alerts with `settings`' Slack, or None without Slack."""
    if settings.slack_bot_token is None:
        return None

    def alert(store: Store, report, started: str) -> None:
        report.alerts = alert_followers(store, settings, report.changed, since=started)

    return alert


def alert_followers(store: Store, settings, changed: list[str], *, since: str, client=None):
    """Post what a run stored to every follow; returns `{"sent", "failed", "pending", ...}`.

    `changed` are the publications the run added or updated, `since` when it started.
    """
    return Alerts(store, client or web_client(settings)).run(changed, since)


class Alerts:
    """One alert pass over every follow of a store."""

    def __init__(self, store: Store, client: WebClient):
        self.store, self.client = store, client
        self.follows = Follows(store)
        self.book = CaseBook(store)
        self.sent, self.failed = 0, 0
        self.down: str | None = None  # why Slack is failing, once it is

    def run(self, changed: list[str], since: str) -> dict:
        follows = {f.key: f for f in self.follows.all()}
        self.deliveries = self.follows.deliveries()
        if not follows and not self.deliveries:
            return self._outcome(follows)
        complete = self._retry_pending(follows)
        pubs = self.store.get_publications()
        last = self.follows.last_pass()
        changed = set(changed)
        fresh = {i for i, p in pubs.items() if i in changed or (last and p.ingested_at >= last)}
        for follow in follows.values():
            try:
                for pub in self._news(follow, pubs, fresh):
                    self._alert(follow, pub)
            except Exception:  # one follow's failure must not cost the others their alerts
                log.exception("alerts for %s failed; the next run tries again", follow.key)
                complete = False
        if complete:  # else the next run looks at these releases again
            self.follows.passed(since)
        return self._outcome(follows)

    # --- what is new to a follow ------------------------------------------------------

    def _known(self, follow: Follow) -> list[str]:
        owed = [d.publication_id for d in self.deliveries.values() if d.follow == follow.key]
        return list(dict.fromkeys([*follow.known, *owed]))

    def _news(self, follow: Follow, pubs: dict, fresh: set[str]) -> list[StoredPublication]:
        """Releases of the follow's case or story it has not heard of, oldest first."""
        known = set(self._known(follow))
        new = [pubs[i] for i in fresh if i not in known]
        if follow.story is None:
            return sorted((p for p in new if follow.target in p.references), key=_order)
        lead = pubs.get(follow.story)
        new = [p for p in new if lead and p.issuer == lead.issuer and p.id != lead.id]
        if not new:
            return []
        candidates = [i for i in [*known, *(p.id for p in new)] if i in pubs and i != lead.id]
        timeline = self.book.story(lead.id, list(dict.fromkeys(candidates)))
        ids = {p.id for p in new}
        return [pubs[e.publication_id] for e in timeline.entries if e.publication_id in ids]

    # --- delivering ---------------------------------------------------------------------

    def _alert(self, follow: Follow, pub: StoredPublication) -> None:
        earlier = [i for i in self._known(follow) if i != pub.id]
        message = render_alert(follow, pub, self.book.adds(pub.id, earlier))
        delivery = self._save(Delivery(follow.key, pub.id, message=message))
        self._post(follow, delivery)

    def _retry_pending(self, follows: dict[str, Follow]) -> bool:
        """Deliver what earlier runs left pending; False when one of them broke."""
        ok = True
        for delivery in list(self.deliveries.values()):
            follow = follows.get(delivery.follow)
            if follow is None:  # unfollowed meanwhile
                self.follows.drop(delivery)
                del self.deliveries[delivery.key]
            elif delivery.state == PENDING:
                try:
                    self._redeliver(follow, delivery)
                except Exception:
                    log.exception("pending alert %s failed; the next run tries again", delivery.key)
                    ok = False
        return ok

    def _redeliver(self, follow: Follow, delivery: Delivery) -> None:
        if self.down:
            self._not_taken(delivery, f"not tried, Slack is failing: {self.down}")
            return
        try:
            ts = self._in_thread(follow, delivery)
        except (SlackApiError, OSError) as exc:
            self._not_taken(delivery, reason(exc), exc)  # not known to be absent: not posted
            return
        if ts is not None:
            log.info("alert %s was posted by an earlier run; marking it", delivery.key)
            self._delivered(delivery, ts)
        else:
            self._post(follow, delivery)

    def _in_thread(self, follow: Follow, delivery: Delivery) -> str | None:
        """The ts of the thread's message carrying this delivery's metadata, if any."""
        cursor = None
        while True:
            try:
                reply = self.client.conversations_replies(
                    channel=follow.channel,
                    ts=follow.thread_ts,
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
            except SlackApiError as exc:
                if exc.response.get("error") in _GONE:
                    return None
                raise
            for message in reply.get("messages", []):
                if _carries(message, delivery):
                    return message.get("ts")
            cursor = (reply.get("response_metadata") or {}).get("next_cursor")
            if not (reply.get("has_more") and cursor):
                return None

    def _post(self, follow: Follow, delivery: Delivery) -> None:
        if self.down:
            self._not_taken(delivery, f"not tried, Slack is failing: {self.down}")
            return
        delivery = replace(delivery, tries=delivery.tries + 1)
        try:
            reply = self.client.chat_postMessage(
                channel=follow.channel,
                thread_ts=follow.thread_ts,
                unfurl_links=False,
                metadata={"event_type": EVENT_TYPE, "event_payload": delivery.payload},
                **delivery.message,
            )
        except (SlackApiError, OSError) as exc:
            self._not_taken(delivery, reason(exc), exc)
            return
        self._delivered(delivery, reply.get("ts"))

    def _delivered(self, delivery: Delivery, ts: str | None) -> None:
        try:
            self._save(replace(delivery, state=DELIVERED, message=None, error=None, ts=ts))
        except Exception:  # posted but not marked: the next run finds it in the thread
            self.failed += 1
            raise
        self.sent += 1

    def _not_taken(self, delivery: Delivery, why: str, exc: Exception | None = None) -> None:
        log.error("alert %s not delivered: %s", delivery.key, why)
        if exc is not None and _slack_failing(exc):
            self.down = why
        self.failed += 1
        self._save(replace(delivery, error=why))

    def _save(self, delivery: Delivery) -> Delivery:
        saved = self.follows.save(delivery)
        self.deliveries[saved.key] = saved
        return saved

    def _outcome(self, follows: dict[str, Follow]) -> dict:
        pending = [d for d in self.deliveries.values() if d.state == PENDING]
        return {
            "sent": self.sent,
            "failed": self.failed,
            "pending": len(pending),
            "undelivered": [_undelivered(follows.get(d.follow), d) for d in pending],
        }


def _slack_failing(exc: Exception) -> bool:
    """Slack itself is failing (busy, down, unreachable), not this channel or message."""
    if isinstance(exc, SlackApiError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return True  # no connection


def _carries(message: dict, delivery: Delivery) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == EVENT_TYPE and all(
        payload.get(k) == v for k, v in delivery.payload.items()
    )


def _undelivered(follow: Follow | None, delivery: Delivery) -> dict:
    where = f"{what_is_followed(follow)} in {follow.channel}" if follow else delivery.follow
    return {
        "where": where,
        "follow": delivery.follow,
        "publication_id": delivery.publication_id,
        "tries": delivery.tries,
        "error": delivery.error or "not tried yet",
    }


def _order(pub: StoredPublication):
    return (pub.published.isoformat() if pub.published else "", pub.ingested_at, pub.title)
