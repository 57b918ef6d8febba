"""Per-source status of ingestion runs, kept in the store's ledger for `status` and /readyz."""

from __future__ import annotations

import datetime as dt

_KEEP_FAILED = 5


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def record_run(store, outcomes: dict[str, dict], report, *, started: str) -> None:
    """Write how each URL source fared in this run, keeping its last success across failures."""
    previous = store.get_run_records("source")
    for url, outcome in outcomes.items():
        before = previous.get(url, {})
        failed = outcome.get("failed_items", [])
        error = outcome.get("error")
        if error is None and failed:
            first = failed[0]
            error = (
                f"{len(failed)} of {outcome.get('items_seen', 0)} listed pages failed, "
                f"first {first['source']}: {first['error']}"
            )
        ok = error is None
        seen = outcome.get("items_seen", 0) if outcome.get("error") is None else None
        store.put_run_record(url, "source", {
            "source": url,
            "kind": outcome.get("kind", "auto"),
            "issuer": outcome.get("issuer"),
            "last_run": started,
            "last_success": started if ok else before.get("last_success"),
            "ok": ok,
            "items_seen": seen if seen is not None else before.get("items_seen", 0),
            "items_failed": len(failed),
            "error": error,
            "failed_items": failed[:_KEEP_FAILED],
        })  # fmt: skip
    summary = {k: v for k, v in report.as_json().items() if k != "failed"}
    store.put_run_record("last", "run", {
        "started": started, "finished": now_iso(), "failed": len(report.failed), **summary,
    })  # fmt: skip


def source_status(store) -> list[dict]:
    """Each URL source's last run, last success, items seen and last error (for /readyz).

    Keys: source, kind, issuer, last_run, last_success (ISO 8601 UTC or None), ok,
    items_seen, items_failed, error (None when fine), failed_items (up to five).
    """
    return sorted(store.get_run_records("source").values(), key=lambda r: r["source"])


def run_status(store) -> dict | None:
    """The last run's summary (started, finished, added, updated, ... failed), or None."""
    return store.get_run_records("run").get("last")
