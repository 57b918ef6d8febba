"""Reading files for an ingestion run: the size limit, the URL map beside them, the digest.

The digest covers the file's bytes, the reader version and the URL map in force, so a
file is read again when any of them changes, and skipped without parsing otherwise.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from index.errors import SourceError
from index.models import Publication
from ingest.discover import Input, folders_named, is_url


class FileReader:
    """Loads and reads the files of one run; URL maps are read once each."""

    def __init__(self, max_bytes: int, issuer: str | None, url_map_path: Path | None = None):
        self.max_bytes = max_bytes
        self.issuer = issuer
        self.url_map_path = url_map_path
        self._maps: dict[Path, tuple[object, str]] = {}

    def load(self, item: Input, reader_version: str) -> tuple[bytes, str, object]:
        """(bytes, digest, URL map) of a file; SourceError names what is wrong with it."""
        try:
            size = item.path.stat().st_size
            if size > self.max_bytes:
                raise SourceError(
                    item.source, f"file is {size:,} bytes, over the limit of {self.max_bytes:,}"
                )
            data = item.path.read_bytes()
        except OSError as exc:
            raise SourceError(item.source, f"cannot read: {exc.strerror or exc}") from exc
        url_map, map_digest = self._url_map(item.path)
        digest = f"{hashlib.sha256(data).hexdigest()}:{reader_version}:{map_digest}"
        return data, digest, url_map

    def read(self, item: Input, data: bytes, url_map) -> list[Publication]:
        """The publications of a loaded file."""
        from ingest.readers import read_bytes

        return read_bytes(data, source=item.source, url_map=url_map, issuer=self.issuer)

    def _url_map(self, file: Path):
        """The URL map beside a file or beside its folder (the Winnipeg `index.csv`)."""
        from ingest.readers.urlmap import load_url_map, url_map_path

        path = self.url_map_path or url_map_path(file.parent)
        if path is None:
            return None, "-"
        if path not in self._maps:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            self._maps[path] = (load_url_map(path), digest)
        return self._maps[path]


def gone_files(known, args: list[str], inputs: list[Input]) -> tuple[list[str], list[tuple]]:
    """File sources gone from the folders named in this run, and the folders refused.

    Only folders named in this run are looked in, so a run over one folder, or on a
    machine that cannot see another's files, never prunes what it was not shown. A folder
    that now yields under half the files stored from it (an unmounted share) prunes
    nothing and is returned with the reason instead.
    """
    read = {i.source for i in inputs if i.path is not None}
    gone_all, refused = [], []
    for root in folders_named(args):
        stored = [s for s in known if not is_url(s) and Path(s).is_relative_to(root)]
        gone = [s for s in stored if s not in read and not Path(s).exists()]
        if len(gone) > 1 and len(stored) - len(gone) < len(stored) / 2:
            refused.append((
                str(root),
                f"holds {len(stored) - len(gone)} of the {len(stored)} files stored from it; "
                "nothing pruned (is it mounted?)",
            ))  # fmt: skip
            continue
        gone_all.extend(gone)
    return gone_all, refused
