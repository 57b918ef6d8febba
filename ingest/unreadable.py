"""Files that could not be read, remembered by their bytes so an unchanged one is not
parsed again: the next run reports it failed, with the same reason, at the cost of a hash.

A reader that refuses a file (a server error page saved as HTML, a type no reader takes,
a page with no release text) refuses the same bytes again, and parsing a large page costs
far more than the unchanged releases around it. The reason is kept in the store's run
records with the digest of the bytes (which holds the reader version), so a changed file
or a new reader reads it again, and any machine sharing the store agrees.
"""

from __future__ import annotations

from collections.abc import Callable

KIND = "unreadable"


class Unreadable:
    """The run's view of the files that failed last time, by source."""

    def __init__(self, store, guard: Callable[[], None]):
        self.store, self.guard = store, guard
        self.known = store.get_run_records(KIND)

    def reason(self, source: str, digest: str) -> str | None:
        """Why these very bytes failed last time, or None."""
        record = self.known.get(source)
        if record and record.get("digest") == digest:
            return f"{record['reason']} (unchanged since it last failed)"
        return None

    def remember(self, source: str, digest: str, reason: str) -> None:
        self.guard()
        self.known[source] = {"digest": digest, "reason": reason}
        self.store.put_run_record(source, KIND, self.known[source])

    def forget(self, source: str) -> None:
        """A file that reads now: its failure is no longer news."""
        if self.known.pop(source, None) is not None:
            self.guard()
            self.store.delete_run_record(source, KIND)
