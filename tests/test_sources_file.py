"""The sources file: the documented example loads, and every mistake is named clearly."""

from __future__ import annotations

import datetime as dt

import pytest

from index.errors import ConfigError
from ingest.sources_file import DigestSpec, SourceSpec, load_sources
from tests.support import REPO


def test_documented_example_loads():
    config = load_sources(REPO / "docs" / "sources.example.toml")
    assert [s.kind for s in config.sources] == ["feed", "sitemap", "page"]
    feed, sitemap, page = config.sources
    assert feed.max_items == 100 and feed.allow_hosts == ("legacy.winnipeg.ca",)
    # A feed is a window: by default it prunes nothing it stops listing; a sitemap does.
    assert not feed.prunes_listing("feed") and sitemap.prunes_listing("sitemap")
    assert feed.prunes_gone() and page.prunes_gone()
    options = config.fetch_options(max_bytes=1234)
    assert options.max_bytes == 1234 and options.contact.startswith("https://")
    (digest,) = config.digests
    assert digest == DigestSpec(
        "C0123ABCD", dt.time(7, 30), "America/Winnipeg", ("Winnipeg Police Service",)
    )
    assert digest.zone.key == "America/Winnipeg"


def test_defaults_apply_to_a_bare_url(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[source]]\nurl = "https://p.example/feed"\n')
    (spec,) = load_sources(path).sources
    assert spec == SourceSpec("https://p.example/feed")


def test_prune_true_or_false_overrides_the_kinds_default(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[[source]]\nurl = "https://p.example/feed"\nprune = true\n'
        '[[source]]\nurl = "https://p.example/sitemap.xml"\nprune = false\n'
    )
    feed, sitemap = load_sources(path).sources
    assert feed.prunes_listing("feed") and feed.prunes_gone()
    assert not sitemap.prunes_listing("sitemap") and not sitemap.prunes_gone()


def test_digests_take_a_toml_time_and_several_issuers(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[[source]]\nurl = "https://p.example/feed"\n'
        '[[digest]]\nchannel = "C01"\ntime = 06:05:00\ntimezone = "UTC"\n'
        '[[digest]]\nchannel = " C02 "\ntime = "7:30"\ntimezone = "Europe/London"\n'
        'issuer = ["Mayor of London", "Metropolitan Police"]\n'
    )
    first, second = load_sources(path).digests
    assert first == DigestSpec("C01", dt.time(6, 5), "UTC")
    assert second == DigestSpec(
        "C02", dt.time(7, 30), "Europe/London", ("Mayor of London", "Metropolitan Police")
    )


_URL = '[[source]]\nurl = "https://a/f"\n'
_DIGEST = '[[digest]]\nchannel = "C01"\n'


@pytest.mark.parametrize(
    "text, message",
    [
        (_URL + '[digest]\nchannel = "C01"', "digest must be a list of \\[\\[digest\\]\\] tables"),
        (_URL + '[[digest]]\ntime = "07:30"', "digest #1: channel must be a Slack channel ID"),
        (_URL + '[[digest]]\nchannel = "my channel"', "digest #1: channel must be"),
        (_URL + _DIGEST + 'time = "07:30"', "digest #1 \\(C01\\): missing timezone"),
        (_URL + _DIGEST + 'timezone = "UTC"', "digest #1 \\(C01\\): time must be a time of day"),
        (_URL + _DIGEST + 'time = "7.30"\ntimezone = "UTC"', "time must be a time of day"),
        (_URL + _DIGEST + 'time = "24:00"\ntimezone = "UTC"', "time must be a time of day"),
        (_URL + _DIGEST + 'time = 730\ntimezone = "UTC"', "time must be a time of day"),
        (_URL + _DIGEST + 'time = "07:30"\ntimezone = "Winnipeg"', "'Winnipeg' is not an IANA"),
        (_URL + _DIGEST + 'time = "07:30"\ntimezone = "/etc/localtime"', "is not an IANA"),
        (_URL + _DIGEST + 'time = "07:30"\ntimezone = "UTC"\nissuer = 3', "issuer must be"),
        (_URL + _DIGEST + 'time = "07:30"\ntimezone = "UTC"\nissuer = [""]', "issuer must be"),
        (_URL + _DIGEST + 'time = "07:30"\ntimezone = "UTC"\nat = "7"', "unknown key\\(s\\) at"),
        (
            _URL + (_DIGEST + 'time = "07:30"\ntimezone = "UTC"\n') * 2,
            "digest #2: channel C01 is listed twice",
        ),
    ],
)
def test_digest_mistakes_are_config_errors_naming_the_file_and_entry(tmp_path, text, message):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as err:
        load_sources(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[source]\nurl = 1", "not valid TOML"),
        ("", "no \\[\\[source\\]\\] entries"),
        ('[sources]\nurl = "https://a"', "unknown table"),
        ('[[source]]\nkind = "feed"', "missing url"),
        ('[[source]]\nurl = "ftp://a/feed"', "is not an http\\(s\\) URL"),
        ('[[source]]\nurl = "/var/feed.xml"', "is not an http\\(s\\) URL"),
        ('[[source]]\nurl = "https://a/f"\nkind = "podcast"', "kind 'podcast' is not one of"),
        ('[[source]]\nurl = "https://a/f"\nissuers = "x"', "unknown key\\(s\\) issuers"),
        ('[[source]]\nurl = "https://a/f"\nissuer = " "', "issuer must be"),
        ('[[source]]\nurl = "https://a/f"\nmax_items = 0', "max_items must be"),
        ('[[source]]\nurl = "https://a/f"\nprune = "yes"', "prune must be true or false"),
        ('[[source]]\nurl = "https://a/f"\n[[source]]\nurl = "https://a/f"', "listed twice"),
        ('[[source]]\nurl = "https://a/f"\nallow_hosts = "b.example"', "allow_hosts must be"),
        ('[[source]]\nurl = "https://a/f"\nallow_hosts = ["https://b/"]', "allow_hosts must"),
        ('[fetch]\ntimeout = 3\n[[source]]\nurl = "https://a/f"', "unknown key\\(s\\) timeout"),
        ('[fetch]\nretries = 1.5\n[[source]]\nurl = "https://a/f"', "retries must be a whole"),
        ('[fetch]\nread_timeout = -1\n[[source]]\nurl = "https://a/f"', "at least 0"),
    ],
)
def test_mistakes_are_config_errors_naming_the_file(tmp_path, text, message):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as err:
        load_sources(path)
    assert str(path) in str(err.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the sources file"):
        load_sources(tmp_path / "nope.toml")
