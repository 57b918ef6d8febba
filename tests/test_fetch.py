"""Fetching one URL: limits, retries, redirects, conditional requests, content encodings,
the deadline and the address policy, against 127.0.0.1."""

from __future__ import annotations

import functools
import gzip
import socket
import subprocess
import time
import tracemalloc
import zlib

import pytest

from index.errors import SourceError
from ingest.fetch import Fetcher, FetchOptions
from ingest.polite import retry_after
from tests.fakes.site import FakeSite
from tests.support import free_port

FAST = FetchOptions(
    connect_timeout=2,
    read_timeout=0.5,
    retries=2,
    backoff=0.01,
    max_wait=1,
    max_bytes=1024 * 1024,
    contact="ops@example.org",
)


@pytest.fixture
def fetcher():
    with Fetcher(FAST, trusted_hosts={"127.0.0.1"}) as fetcher:
        yield fetcher


@pytest.mark.slow
def test_fetches_body_validators_and_names_itself(site, fetcher):
    site.put("/a.html", b"<html><body><p>Release</p></body></html>")
    got = fetcher.get(site.url("/a.html"))
    assert got.status == 200 and got.content.startswith(b"<html>")
    assert got.mime == "text/html" and got.etag and got.last_modified
    assert site.user_agents[-1].startswith("policing-qa/")
    assert "(+ops@example.org)" in site.user_agents[-1]


@pytest.mark.slow
@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_conditional_request_is_answered_304_without_a_body(site, fetcher, validator):
    site.put("/a.html", b"<html><p>Release</p></html>")
    first = fetcher.get(site.url("/a.html"))
    again = fetcher.get(site.url("/a.html"), **{validator: getattr(first, validator)})
    assert again.not_modified and again.content == b""
    assert site.not_modified["/a.html"] == 1
    site.put("/a.html", b"<html><p>Release, corrected</p></html>")
    changed = fetcher.get(site.url("/a.html"), etag=first.etag)
    assert changed.status == 200 and b"corrected" in changed.content


@pytest.mark.slow
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("location", ["/dir/new.html", "new.html"], ids=["absolute", "relative"])
def test_redirect_is_followed_and_the_final_url_kept(site, fetcher, status, location):
    site.put("/dir/new.html", b"<html><p>moved here</p></html>")
    site.redirect("/dir/old.html", location, status)
    got = fetcher.get(site.url("/dir/old.html"))
    assert got.final_url == site.url("/dir/new.html") and got.url == site.url("/dir/old.html")
    assert got.redirects == (site.url("/dir/new.html"),) and b"moved here" in got.content


@pytest.mark.slow
def test_redirect_loop_is_bounded(site, fetcher):
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    with pytest.raises(SourceError, match="redirects"):
        fetcher.get(site.url("/a"))
    assert site.hits["/a"] + site.hits["/b"] <= FAST.max_redirects + 1


@pytest.mark.slow
@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_are_retried_then_succeed(site, fetcher, status):
    site.put("/a.html", b"<html><p>ok</p></html>")
    site.fail("/a.html", status, times=2, retry_after="0")
    assert fetcher.get(site.url("/a.html")).status == 200
    assert site.hits["/a.html"] == 3


@pytest.mark.slow
def test_persistent_server_error_gives_up_after_bounded_retries(site, fetcher):
    site.fail("/a.html", 500)
    with pytest.raises(SourceError, match=r"HTTP 500.*3 tries") as err:
        fetcher.get(site.url("/a.html"))
    assert err.value.source == site.url("/a.html")
    assert site.hits["/a.html"] == FAST.retries + 1


@pytest.mark.slow
def test_retry_after_beyond_the_cap_fails_at_once(site, fetcher):
    site.fail("/a.html", 429, retry_after="3600")
    with pytest.raises(SourceError, match="asks to wait 3600s"):
        fetcher.get(site.url("/a.html"))
    assert site.hits["/a.html"] == 1


def test_retry_after_accepts_seconds_and_http_dates():
    assert retry_after("120") == 120
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10
    assert retry_after("soon") is None and retry_after(None) is None


@pytest.mark.slow
@pytest.mark.parametrize(
    "setup, pattern",
    [
        (
            lambda s: s.put("/x", b"\x89PNG....", "image/png"),
            "unsupported content type 'image/png'",
        ),
        (lambda s: s.fail("/x", 403), "HTTP 403"),
        (lambda s: s.slow("/x", 2.0), "timed out"),
        (lambda s: s.huge("/x", 50 * 1024 * 1024), "over the limit"),
        (lambda s: s.huge("/x", 50 * 1024 * 1024, declare_length=False), "over the limit"),
    ],
    ids=["image", "forbidden", "slow", "huge-declared", "huge-streamed"],
)
def test_bad_answers_are_source_errors_naming_the_url(site, fetcher, setup, pattern):
    setup(site)
    with pytest.raises(SourceError, match=pattern) as err:
        fetcher.get(site.url("/x"))
    assert err.value.source == site.url("/x")


@pytest.mark.slow
def test_huge_page_is_abandoned_early_not_downloaded(site, fetcher):
    site.huge("/x", 50 * 1024 * 1024, declare_length=False)
    with pytest.raises(SourceError):
        fetcher.get(site.url("/x"))
    assert site.sent["/x"] < 10 * 1024 * 1024  # the server stopped soon after the client left


def test_connection_refused_is_reported(fetcher):
    url = f"http://127.0.0.1:{free_port()}/feed.xml"
    with pytest.raises(SourceError, match="connection failed") as err:
        fetcher.get(url)
    assert err.value.source == url


@pytest.mark.slow
def test_gone_pages_are_answers_not_errors(site, fetcher):
    site.fail("/withdrawn.html", 410)
    assert fetcher.get(site.url("/withdrawn.html")).gone
    assert fetcher.get(site.url("/never.html")).gone


# --- redirects, checked hop by hop ---------------------------------------------------------


@pytest.mark.slow
def test_allow_is_asked_for_every_redirect_target_not_the_first_url(site, fetcher):
    site.put("/c", b"<html><p>at last</p></html>")
    site.redirect("/a", "/b")
    site.redirect("/b", "/c")
    asked = []
    got = fetcher.get(site.url("/a"), allow=lambda target: asked.append(target))
    assert asked == [site.url("/b"), site.url("/c")] == list(got.redirects)
    assert got.final_url == site.url("/c")


@pytest.mark.slow
def test_redirect_the_caller_refuses_is_not_requested(site, fetcher):
    site.redirect("/a", "/b")
    site.redirect("/b", "/elsewhere")

    def allow(target):
        return "off the source's pages" if target.endswith("/elsewhere") else None

    with pytest.raises(SourceError) as err:
        fetcher.get(site.url("/a"), allow=allow)
    assert err.value.source == site.url("/a")
    assert err.value.reason == (
        f"redirected to {site.url('/elsewhere')}, refused: off the source's pages"
    )
    assert site.hits["/elsewhere"] == 0


@pytest.mark.slow
def test_conditional_headers_go_only_to_the_first_request(site, fetcher):
    site.put("/new.html", b"<html><p>moved here</p></html>")
    site.redirect("/old.html", "/new.html")
    fetcher.get(site.url("/old.html"), etag='"abc"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    sent = {path: headers for path, headers in site.requests}
    assert sent["/old.html"]["If-None-Match"] == '"abc"'
    assert "If-None-Match" not in sent["/new.html"]
    assert "If-Modified-Since" not in sent["/new.html"]


# --- content encodings ---------------------------------------------------------------------

PAGE = b"<html><body><p>" + b"A release about a stolen bicycle. " * 500 + b"</p></body></html>"


def _deflate(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


@pytest.mark.slow
@pytest.mark.parametrize(
    "encoding, body",
    [
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("gzip, gzip", gzip.compress(gzip.compress(PAGE))),
        ("deflate", _deflate(PAGE, zlib.MAX_WBITS)),
        ("deflate", _deflate(PAGE, -zlib.MAX_WBITS)),
        ("identity", PAGE),
        ("deflate, identity, gzip", gzip.compress(_deflate(PAGE, -zlib.MAX_WBITS))),
    ],
    ids=["gzip", "x-gzip", "gzip-twice", "deflate-zlib", "deflate-raw", "identity", "layers"],
)
def test_encoded_page_is_decoded(site, fetcher, encoding, body):
    site.encoded("/a.html", body, encoding)
    got = fetcher.get(site.url("/a.html"))
    assert got.content == PAGE and got.mime == "text/html"
    assert site.requests[-1][1]["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br"])
def test_encoding_we_cannot_decode_is_named(site, fetcher, encoding):
    site.encoded("/a.html", b"\x00\x01\x02", encoding)
    with pytest.raises(SourceError, match=r"unsupported content encoding '(br|zstd|compress)'"):
        fetcher.get(site.url("/a.html"))


@pytest.mark.slow
def test_corrupt_gzip_is_a_source_error(site, fetcher):
    site.encoded("/a.html", b"\x1f\x8b\x08\x00garbage, not deflate", "gzip")
    with pytest.raises(SourceError, match="could not decode its gzip body") as err:
        fetcher.get(site.url("/a.html"))
    assert err.value.source == site.url("/a.html")


@functools.cache
def _bomb(mib: int) -> bytes:
    """`mib` MiB of zeros, gzipped twice: a few hundred bytes on the wire."""
    packer, zeros = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS), bytes(1 << 20)
    once = b"".join(packer.compress(zeros) for _ in range(mib)) + packer.flush()
    return gzip.compress(once, 9)


@pytest.mark.slow
def test_decompression_bomb_stops_at_the_limit_in_bounded_memory(site, fetcher):
    bomb = _bomb(256)
    assert len(bomb) < 64 * 1024
    site.encoded("/bomb.html", bomb, "gzip, gzip")
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="decodes to over the limit of 1,048,576 bytes"):
            fetcher.get(site.url("/bomb.html"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024  # httpx's own decoding held the whole 256 MiB


# --- the deadline --------------------------------------------------------------------------

TIGHT = FetchOptions(connect_timeout=1, read_timeout=0.5, total_timeout=1, retries=2, backoff=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("drip", ["drip_head", "drip_body"])
def test_a_dripping_server_is_cut_off_at_the_deadline_and_not_retried(site, drip):
    getattr(site, drip)("/slow.html", 0.2)  # each byte well inside the read timeout
    with Fetcher(TIGHT, trusted_hosts={"127.0.0.1"}) as fetcher:
        started = time.monotonic()
        with pytest.raises(SourceError, match=r"took over 1s \(deadline\)") as err:
            fetcher.get(site.url("/slow.html"))
    assert time.monotonic() - started < 2
    assert err.value.source == site.url("/slow.html") and site.hits["/slow.html"] == 1


@pytest.mark.slow
def test_the_deadline_covers_the_redirect_chain(site):
    site.redirect("/a", "/b")
    site.drip_head("/b", 0.2)
    with Fetcher(TIGHT, trusted_hosts={"127.0.0.1"}) as fetcher:
        with pytest.raises(SourceError, match=r"took over 1s \(deadline\)"):
            fetcher.get(site.url("/a"))


@pytest.mark.slow
def test_a_retry_that_would_pass_the_deadline_is_not_waited_for(site):
    site.fail("/a.html", 503, retry_after="5")
    slept = []
    options = FetchOptions(read_timeout=0.5, total_timeout=2, max_wait=10)
    with Fetcher(options, sleep=slept.append, trusted_hosts={"127.0.0.1"}) as fetcher:
        with pytest.raises(SourceError, match=r"HTTP 503.*would pass the 2s deadline"):
            fetcher.get(site.url("/a.html"))
    assert slept == [] and site.hits["/a.html"] == 1


# --- the address policy --------------------------------------------------------------------


@pytest.mark.slow
def test_redirect_to_an_untrusted_loopback_name_is_refused(site, fetcher):
    port = site.url("").rsplit(":", 1)[1]
    site.put("/new.html", b"<html><p>internal</p></html>")
    site.redirect("/old.html", f"http://localhost:{port}/new.html")
    with pytest.raises(SourceError) as err:
        fetcher.get(site.url("/old.html"))
    assert err.value.source == site.url("/old.html")
    assert err.value.reason.startswith(f"redirected to http://localhost:{port}/new.html, refused: ")
    assert "localhost resolves to" in err.value.reason
    assert "a loopback address no source names" in err.value.reason
    assert site.hits["/new.html"] == 0


@pytest.mark.parametrize(
    "url, kind",
    [
        ("http://169.254.169.254/latest/meta-data/", "a link-local"),
        ("http://10.0.0.8/", "a private"),
        ("http://[::ffff:127.0.0.1]/", "a loopback"),
        ("http://0.0.0.0/", "an unspecified"),
        ("http://224.0.0.1/", "a multicast"),
    ],
    ids=["metadata", "private", "mapped-loopback", "unspecified", "multicast"],
)
def test_an_unnamed_internal_address_is_refused_before_connecting(monkeypatch, url, kind):
    def no_connections(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_connections)
    options = FetchOptions(connect_timeout=30, total_timeout=30)
    with Fetcher(options, trusted_hosts={"127.0.0.1"}) as fetcher:
        with pytest.raises(SourceError, match=f"refused: .* is {kind} address no source names"):
            fetcher.get(url)


@pytest.mark.slow
def test_loopback_is_refused_until_its_host_is_trusted(site):
    site.put("/a.html", b"<html><p>ok</p></html>")
    with Fetcher(FAST) as fetcher:
        with pytest.raises(SourceError, match="refused: 127.0.0.1 is a loopback address"):
            fetcher.get(site.url("/a.html"))
        assert site.hits["/a.html"] == 0
        fetcher.trust("127.0.0.1")
        assert fetcher.get(site.url("/a.html")).status == 200


@pytest.fixture
def localhost_cert(tmp_path, monkeypatch) -> tuple[str, str]:
    """A self-signed certificate for the name localhost only, trusted through SSL_CERT_FILE."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return str(cert), str(key)


@pytest.mark.slow
def test_tls_to_the_checked_address_still_verifies_the_hostname(localhost_cert):
    site = FakeSite()
    site.tls(*localhost_cert)
    with site, Fetcher(FAST, trusted_hosts={"localhost", "127.0.0.1"}) as fetcher:
        site.put("/a.html", b"<html><p>over TLS</p></html>")
        port = site.url("").rsplit(":", 1)[1]
        # Connected to the address localhost resolved to; the certificate names localhost.
        assert b"over TLS" in fetcher.get(f"https://localhost:{port}/a.html").content
        with pytest.raises(SourceError, match="CERTIFICATE_VERIFY_FAILED"):
            fetcher.get(f"https://127.0.0.1:{port}/a.html")
