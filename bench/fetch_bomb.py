"""Decompression-bomb benchmark: peak memory of one fetch of a double-gzipped page of zeros.

Serves `--mib` MiB of zeros gzipped twice (a few KB on the wire) as
`Content-Encoding: gzip, gzip` from the test FakeSite on 127.0.0.1, then fetches it in a
fresh subprocess per reader, each with a `--limit-mib` limit: httpx's own decoding
(`iter_bytes`, how ingest/fetch.py read bodies before) and `Fetcher`. Prints each one's
outcome, time and peak RSS growth (ru_maxrss after the fetch minus before it).

    python bench/fetch_bomb.py [--mib 512] [--limit-mib 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

# bench/ holds an http.py: drop this folder from the path so `http` is the stdlib's.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

REPO = Path(__file__).resolve().parents[1]

# Run in a subprocess, so each reader starts from a fresh peak RSS.
CHILD = r"""
import json, resource, sys, time
import httpx
from index.errors import SourceError
from ingest.fetch import Fetcher, FetchOptions

url, reader, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
fetcher = Fetcher(FetchOptions(max_bytes=limit), trusted_hosts={"127.0.0.1"})
client = httpx.Client()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    if reader == "fetcher":
        fetcher.get(url)
        outcome = "fetched"
    else:
        size = 0
        with client.stream("GET", url) as response:
            for part in response.iter_bytes(64 * 1024):
                size += len(part)
                if size > limit:
                    raise SourceError(url, "over the limit")
        outcome = "fetched"
except SourceError as exc:
    outcome = exc.reason
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started,
                  "peak_growth_mib": (after - before) / 1024}))
"""


def bomb(mib: int) -> bytes:
    """`mib` MiB of zeros, gzipped twice, built without holding the zeros."""
    packer, zeros = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS), bytes(1 << 20)
    once = b"".join(packer.compress(zeros) for _ in range(mib)) + packer.flush()
    return gzip.compress(once, 9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=512, help="decoded size of the bomb")
    parser.add_argument("--limit-mib", type=int, default=1, help="the fetcher's max_bytes")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from tests.fakes.site import FakeSite

    body = bomb(args.mib)
    print(f"bomb: {args.mib} MiB of zeros as {len(body):,} bytes of 'gzip, gzip'")
    with FakeSite() as site:
        site.encoded("/bomb.html", body, "gzip, gzip")
        for reader in ("httpx-iter_bytes", "fetcher"):
            run = subprocess.run(
                [sys.executable, "-c", CHILD, site.url("/bomb.html"), reader,
                 str(args.limit_mib << 20)],
                cwd=REPO, capture_output=True, text=True, check=True,
            )  # fmt: skip
            got = json.loads(run.stdout)
            print(
                f"{reader:>17}: peak RSS +{got['peak_growth_mib']:.1f} MiB, "
                f"{got['seconds']:.2f}s, {got['outcome']}"
            )


if __name__ == "__main__":
    main()
