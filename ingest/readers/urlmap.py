"""Look up a file's published URL (and date) from an index supplied beside the files.

Two shapes are read:
- the Winnipeg scrape index: pipe-separated, quoted, `url|date|headline|...`, with no file
  name; the saved file is named from the URL's last three parts
  (`.../press/2021/01jan/2021_01_31.stm` -> `2021_01jan_2021_01_31.html`, same for `.aspx`);
- a plain CSV `file,url[,date]`, with or without that header row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from .textutil import parse_date

# Files that describe a folder of pages rather than hold publications.
MAP_NAMES = ("index.csv", "urls.csv", "url_map.csv")


@dataclass
class UrlEntry:
    """Where one file was published, and when if the index says."""

    url: str
    published: dt.date | None = None
    headlines: list[str] = field(default_factory=list)


class UrlMap:
    """File name (or stem) -> UrlEntry; lookups ignore folders and the file extension."""

    def __init__(self, entries: dict[str, UrlEntry] | None = None):
        self._entries: dict[str, UrlEntry] = {}
        for name, entry in (entries or {}).items():
            self.add(name, entry)

    def add(self, name: str, entry: UrlEntry) -> None:
        """Register `entry` under a file name; a later duplicate does not replace the first."""
        self._entries.setdefault(_key(name), entry)

    def lookup(self, source: str) -> UrlEntry | None:
        """Return the entry for a path or file name, if the map has one."""
        return self._entries.get(_key(source))

    def __len__(self) -> int:
        return len(self._entries)


def _key(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).stem.lower()


def file_name_for_url(url: str) -> str:
    """Name the Winnipeg scrape gave the page saved from `url`."""
    parts = [p for p in urlparse(url).path.split("/") if p]
    stem = PurePosixPath(parts[-1]).stem if parts else ""
    return "_".join([*parts[-3:-1], stem]) + ".html"


def load_url_map(path: Path) -> UrlMap:
    """Read a Winnipeg-style pipe index or a `file,url[,date]` CSV."""
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    url_map = UrlMap()
    if "|" in first:
        for row in csv.reader(io.StringIO(text), delimiter="|"):
            if row and row[0].startswith("http"):
                date = parse_date(row[1]) if len(row) > 1 else None
                heads = [h for h in row[2:] if h.strip()]
                url_map.add(file_name_for_url(row[0]), UrlEntry(row[0], date, heads))
        return url_map
    for row in csv.reader(io.StringIO(text)):
        if len(row) < 2 or row[0].strip().lower() in ("file", "path", "filename"):
            continue
        date = parse_date(row[2]) if len(row) > 2 else None
        url_map.add(row[0].strip(), UrlEntry(row[1].strip(), date))
    return url_map


def url_map_path(folder: Path) -> Path | None:
    """The first index/url CSV in `folder` or its parent (the Winnipeg layout), if any."""
    folder = Path(folder)
    for where in (folder, folder.parent):
        for name in MAP_NAMES:
            if (where / name).is_file():
                return where / name
    return None


def find_url_map(folder: Path) -> UrlMap | None:
    """Load the URL map `url_map_path` finds for `folder`."""
    path = url_map_path(folder)
    return load_url_map(path) if path else None
