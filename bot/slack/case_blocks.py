"""Block Kit for followed cases: a case's timeline, an alert, the list of follows."""

from __future__ import annotations

from bot.cases.follows import STORY, Follow
from bot.cases.timeline import Entry, Timeline
from bot.slack.blocks import escape, follow_button, link, unfollow_button
from index.records import StoredPublication

NOTHING_NEW = "It adds nothing new: it retells what the earlier releases said"
# Slack's limits: 3000 characters a section, 150 a header, 50 blocks a message.
_SECTION_CHARS = 3000
_HEADER_CHARS = 150
_MAX_ENTRIES = 44
_MAX_QUOTED = 12


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:_SECTION_CHARS]}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:_SECTION_CHARS]}]}


def _quoted(sentences: list[str], marker: str = "") -> str:
    """Each sentence as a mrkdwn quote (every line of it), ending with `marker`."""
    out = []
    for sentence in sentences[:_MAX_QUOTED]:
        lines = [escape(line.strip()) for line in sentence.splitlines() if line.strip()]
        out.append("\n".join(f"> {line}" for line in lines) + marker)
    return "\n".join(out)


def _dated(published) -> str:
    return published.isoformat() if published else "undated"


def followed_thing(target: str, label: str) -> str:
    """'C19-255700', or 'the story “Death Investigation Underway”'."""
    return f"the story “{label}”" if target.startswith(STORY) else label


def what_is_followed(follow: Follow) -> str:
    return followed_thing(follow.target, follow.label)


def render_alert(follow: Follow, pub: StoredPublication, added: list[str]) -> dict:
    """A new release of a followed case: what it adds, quoted with [1], and its source."""
    what, dated = escape(what_is_followed(follow)), _dated(pub.published)
    head = f":bell: *New release on {what}*\n*{link(pub.url, pub.title)}* · {dated}"
    body = _quoted(added, " [1]") if added else f"{NOTHING_NEW} [1]."
    issuer = f" · {escape(pub.issuer)}" if pub.issuer else ""
    source = f"[1] {link(pub.url, pub.title)} ({dated}){issuer}"
    return {
        "text": f"New release on {what}: {escape(pub.title)} ({dated})",
        "blocks": [
            _section(head),
            _section(body),
            _context(source),
            unfollow_button(follow.key),
        ],
    }


def _entry(entry: Entry) -> str:
    added = _quoted(entry.added) if entry.added else "_Adds nothing new._"
    return f"*{_dated(entry.published)}* · {link(entry.url, entry.title)}\n{added}"


def render_timeline(timeline: Timeline) -> dict:
    """A case's releases, oldest first, each with what it added; a Follow button."""
    entries = timeline.entries
    first, last = _dated(entries[0].published), _dated(entries[-1].published)
    count = f"{len(entries)} release{'' if len(entries) == 1 else 's'}"
    summary = f"{count}, {first} to {last}" if len(entries) > 1 else f"{count}, {first}"
    header = {"type": "plain_text", "text": timeline.label[:_HEADER_CHARS]}
    blocks = [{"type": "header", "text": header}, _context(escape(summary))]
    blocks += [_section(_entry(e)) for e in entries[:_MAX_ENTRIES]]
    if len(entries) > _MAX_ENTRIES:
        blocks.append(_context(f"… and {len(entries) - _MAX_ENTRIES} later releases"))
    blocks.append(follow_button(timeline.key))
    return {"text": escape(f"{timeline.label}: {summary}"), "blocks": blocks}


def render_following(follows: list[Follow]) -> str:
    """The caller's follows in a channel, one line each."""
    if not follows:
        return "You follow no case in this channel. Start with `/ask follow C18-209330`."
    lines = [
        f"• {escape(what_is_followed(f))}: since {f.followed_at[:10]}, "
        f"{len(f.known)} release{'' if len(f.known) == 1 else 's'} known then "
        f"(unfollow: `/ask unfollow {f.target}`)"
        for f in follows
    ]
    return "You follow, in this channel:\n" + "\n".join(lines)
