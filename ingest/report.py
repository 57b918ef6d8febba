"""What an ingestion run did: counts, failures by source, and the store's totals."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger("ingest.pipeline")


@dataclass
class Report:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    removed: int = 0
    embedded_chunks: int = 0
    failed: list[dict] = field(default_factory=list)
    # Kept as they were, but worth a look (two sources citing one URL, ...).
    warnings: list[dict] = field(default_factory=list)
    # Left for the next run when the run's time budget ran out.
    deferred: list[str] = field(default_factory=list)
    # Publications added or updated this run (ids), for the alerts that follow a run.
    changed: list[str] = field(default_factory=list)
    # Follow alerts posted after the run ({"sent", "failed", "pending", ...}); None
    # when Slack is not configured.
    alerts: dict | None = None
    publications: int = 0
    chunks: int = 0
    seconds: float = 0.0

    def fail(self, source: str, error: str) -> None:
        log.warning("skipped %s: %s", source, error)
        self.failed.append({"source": source, "error": error})

    def warn(self, source: str, warning: str) -> None:
        log.warning("%s: %s", source, warning)
        self.warnings.append({"source": source, "warning": warning})

    def defer(self, source: str) -> None:
        self.deferred.append(source)

    def summary(self) -> str:
        """The one-line account of a run."""
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.duplicates} duplicates, {self.removed} removed, "
            f"{len(self.failed)} failed"
            + (f", {len(self.deferred)} left for the next run" if self.deferred else "")
            + f" in {self.seconds:.1f}s; "
            f"store holds {self.publications} publications in {self.chunks} chunks"
            + (f"; {alerts_summary(self.alerts)}" if self.alerts is not None else "")
        )

    def as_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "removed": self.removed,
            "embedded_chunks": self.embedded_chunks,
            "failed": self.failed,
            "warnings": self.warnings,
            "deferred": self.deferred,
            "publications": self.publications,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
            "alerts": self.alerts,
        }


def alerts_summary(alerts: dict) -> str:
    """The alert counts in words: 'alerts: 1 sent, 0 failed, 0 pending'."""
    return (
        f"alerts: {alerts.get('sent', 0)} sent, {alerts.get('failed', 0)} failed, "
        f"{alerts.get('pending', 0)} pending"
    )
