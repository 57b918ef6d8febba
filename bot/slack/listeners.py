"""The Slack app's listeners, at module level: each takes only what Bolt injects.

What a listener needs beyond Slack's payload (the answerer, its store) reaches it as
`context["services"]` (`bot.slack.services`), set by the app's middleware (`bot.slack.app`).
"""

from __future__ import annotations

import functools
import logging

from slack_sdk import WebClient

from bot.slack import follows
from bot.slack.blocks import THANKS, THREAD_UNREAD, UNKNOWN_ANSWER, USAGE, with_note
from bot.slack.services import Services
from bot.slack.threads import plain_text, reply_in_thread, thread_history
from bot.slack.web import respond as respond_to

log = logging.getLogger(__name__)

_PUBLIC_FLAG = "--public"
# Message subtypes a person asking sends: plain, with an attachment, or a thread reply
# also sent to the channel.
_QUESTION_SUBTYPES = {None, "file_share", "thread_broadcast"}


def _logged(func):
    """Log a lazy listener's failure here: Bolt would only print a one-line summary."""

    @functools.wraps(func)
    def run(**kwargs):
        try:
            func(**kwargs)
        except Exception:
            log.exception("Slack listener %s failed", func.__name__)

    return run


def parse_ask(text: str | None) -> tuple[bool, str]:
    """`(public, question)` from the text after `/ask`."""
    words = (text or "").split()
    public = bool(words) and words[0] == _PUBLIC_FLAG
    return public, plain_text(" ".join(words[1:] if public else words))


def acknowledge(ack) -> None:
    ack()


def _answer_in_thread(event: dict, body: dict, client: WebClient, context) -> None:
    services: Services = context["services"]
    if event.get("bot_id") or event.get("subtype") not in _QUESTION_SUBTYPES:
        return  # other bots, edits, deletions, joins: never a question
    if body.get("event_id") and not services.first_delivery(body["event_id"]):
        log.info("event %s was already delivered; not answering again", body["event_id"])
        return
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") or ts
    question = plain_text(event.get("text") or "", context.bot_user_id)
    if not question:
        reply_in_thread(client, channel, thread_ts, {"text": USAGE})
        return
    command = follows.parse_command(question)
    if command is not None:
        where = follows.Where(_team(context, body), channel, event.get("user"), thread_ts)
        reply_in_thread(
            client, channel, thread_ts, follows.run(command, where, client, services.store())
        )
        return
    history = []
    if event.get("thread_ts"):
        history = thread_history(
            client, channel, thread_ts, ts, bot_user_id=context.bot_user_id, bot_id=context.bot_id
        )
    message = services.answer(question, history or [], user=event.get("user"), channel=channel)
    if history is None:  # the thread could not be read: answered alone, and said so
        message = with_note(message, THREAD_UNREAD)
    reply_in_thread(client, channel, thread_ts, message)


@_logged
def answer_mention(event, body, client, context):
    """A mention of the bot: answer in its thread."""
    _answer_in_thread(event, body, client, context)


@_logged
def answer_direct_message(event, body, client, context):
    """A direct message: answer in its thread; other messages are not questions."""
    if event.get("channel_type") == "im":
        _answer_in_thread(event, body, client, context)


def ack_ask(ack, command):
    """Acknowledge `/ask` at once; an empty one gets the usage text instead, and a
    subcommand that needs no store (help, a bad case number) its reply."""
    _, question = parse_ask(command.get("text"))
    subcommand = follows.parse_command(question)
    if not question:
        ack(text=USAGE)
    elif subcommand is not None and (subcommand.error or subcommand.name == "help"):
        ack(text=subcommand.error or follows.HELP)
    else:
        ack()


@_logged
def answer_ask(command, client, context):
    """Answer `/ask`: privately, or in the channel with `--public`; or run a subcommand."""
    public, question = parse_ask(command.get("text"))
    if not question:
        return
    kind = "in_channel" if public else "ephemeral"
    subcommand = follows.parse_command(question)
    if subcommand is not None:
        if subcommand.error or subcommand.name == "help":
            return  # acknowledged with its reply
        user, channel = command.get("user_id"), command.get("channel_id")
        where = follows.Where(_team(context, command), channel, user)
        store = context["services"].store()
        _reply(
            command, context, response_type=kind, **follows.run(subcommand, where, client, store)
        )
        return
    message = context["services"].answer(
        question,
        user=command.get("user_id"),
        channel=command.get("channel_id"),
        show_question=True,
    )
    _reply(command, context, response_type=kind, **message)


def _reply(command, context, **message) -> None:
    """Answer a slash command through its response_url, retrying what Slack throttles."""
    log_text = context["services"].log_questions
    respond_to(command["response_url"], log_questions=log_text, **message)


@_logged
def store_feedback(action, body, respond, context):
    """Record a helpful / not helpful click and thank the person privately."""
    feedback = context["services"].feedback()
    stored = feedback is not None and feedback.record_choice(
        action["value"],
        user=body["user"]["id"],
        channel=(body.get("channel") or {}).get("id"),
        choice=action["action_id"].removeprefix("feedback_"),
    )
    text = THANKS if stored else UNKNOWN_ANSWER
    respond(text=text, response_type="ephemeral", replace_original=False)


@_logged
def follow_button(action, body, client, respond, context):
    """A Follow button: follow its case in the thread of the message it is on."""
    follows.on_follow_button(
        follows.clicked(body, _team(context, body)),
        action.get("value"),
        client,
        respond,
        context["services"].store(),
    )


@_logged
def unfollow_button(action, body, client, respond, context):
    """An alert's Unfollow button: stop that follow."""
    follows.on_unfollow_button(
        follows.clicked(body, _team(context, body)),
        action.get("value"),
        client,
        respond,
        context["services"].store(),
    )


def _team(context, body: dict) -> str:
    return context.team_id or body.get("team_id") or (body.get("team") or {}).get("id") or ""


def on_error(error, body):
    """The one error handler: log what failed, with the request kind."""
    kind = body.get("type") or body.get("command") or "request"
    log.error("Slack %s failed: %s", kind, error, exc_info=error)
