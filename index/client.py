"""Opening Chroma: a server when a URL is configured, else a directory on disk."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from index.errors import StoreUnavailable


def open_client(store: Path | None = None, chroma_url: str | None = None):
    """A Chroma client: a server when `chroma_url` is given, else embedded on disk."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if chroma_url:
            parsed = urlparse(chroma_url)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise StoreUnavailable(
                    f"POLICING_QA_CHROMA_URL {chroma_url!r} is not an http(s) URL"
                )
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 80),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
            return client
        if store is None:
            raise StoreUnavailable("no store directory configured")
        store.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(store), settings=chroma_settings)
    except StoreUnavailable:
        raise
    except Exception as exc:  # Chroma raises many types; all mean the same to a user
        where = chroma_url or str(store)
        raise StoreUnavailable(f"cannot open the Chroma store at {where}: {exc}") from exc
