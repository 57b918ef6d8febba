"""The Slack app: mentions, DMs and `/ask` answered with citations, plus feedback buttons.

Slack waits 3 s for an acknowledgement. Every listener is split in two (Bolt's lazy
listeners, `process_before_response=True`): a tiny `ack` that runs in the request, and
the answering that runs after in Bolt's worker pool, so the HTTP response never waits
for an answer nor for a free worker. Slack redelivers
an event it thinks was lost; each `event_id` is claimed once in the feedback database,
so a redelivery is answered only if the first delivery never reached a listener.
"""

from __future__ import annotations

import functools
import logging
import re
from concurrent.futures import Executor, ThreadPoolExecutor

from fastapi import FastAPI, Request, Response
from slack_bolt import App
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from starlette.concurrency import run_in_threadpool

from bot.feedback import FeedbackStore, feedback_path
from bot.slack_blocks import APOLOGY, THANKS, UNKNOWN_ANSWER, USAGE, render_answer
from bot.slack_thread import plain_text, post_in_thread, thread_history
from index.errors import ConfigError
from index.models import Answer
from index.settings import Settings

log = logging.getLogger(__name__)

_PUBLIC_FLAG = "--public"
# Message subtypes a person asking sends: plain, with an attachment, or a thread reply
# also sent to the channel.
_QUESTION_SUBTYPES = {None, "file_share", "thread_broadcast"}


def slack_configured(settings: Settings) -> bool:
    """True when the HTTP-mode Slack app has what it needs: a bot token and signing secret."""
    return settings.slack_bot_token is not None and settings.slack_signing_secret is not None


def build_slack_app(
    settings: Settings,
    answerer,
    client: WebClient | None = None,
    *,
    feedback: FeedbackStore | None = None,
    socket_mode: bool = False,
    executor: Executor | None = None,
) -> App:
    """A Bolt app answering through `answerer`; Socket Mode needs no signing secret.

    `answerer` is an Answerer, or a no-argument callable returning one (so a server can
    build it after start-up); each question calls `answerer.ask(question, history)`.
    """
    if settings.slack_bot_token is None:
        raise ConfigError("POLICING_QA_SLACK_BOT_TOKEN is not set (the app's xoxb- token)")
    secret = settings.slack_signing_secret
    if secret is None and not socket_mode:
        raise ConfigError("POLICING_QA_SLACK_SIGNING_SECRET is not set (Basic Information page)")
    token = settings.slack_bot_token.get_secret_value()
    client = client or WebClient(token=token, base_url=settings.slack_api_url)
    app = App(
        name="policing-qa",
        token=None if client.token else token,  # Bolt takes the client's token first
        signing_secret=secret.get_secret_value() if secret else None,
        client=client,
        token_verification_enabled=False,  # auth.test runs on the first request instead
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        listener_executor=executor or ThreadPoolExecutor(max_workers=8),
        logger=logging.getLogger("slack_bolt"),
    )
    _register(app, answerer, feedback or FeedbackStore(feedback_path(settings)), settings)
    return app


class _ThreadedHandler(SlackRequestHandler):
    """Dispatch in a worker thread: Bolt's sync dispatch would block the event loop."""

    async def handle(self, req: Request, addition_context_properties=None) -> Response:
        if req.method != "POST":
            return await super().handle(req, addition_context_properties)
        bolt_request = to_bolt_request(req, await req.body(), addition_context_properties)
        return to_starlette_response(await run_in_threadpool(self.app.dispatch, bolt_request))


def mount_slack(app: FastAPI, bolt_app: App, path: str = "/slack/events") -> None:
    """Serve Slack's events, commands and interactions at `path` on a FastAPI app."""
    handler = _ThreadedHandler(bolt_app)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    app.add_api_route(path, slack_events, methods=["POST"], include_in_schema=False)


def mount_slack_if_configured(app: FastAPI, settings: Settings, answerer) -> App | None:
    """Mount the Slack app when its token and signing secret are set; return it, else None."""
    if not slack_configured(settings):
        return None
    bolt_app = build_slack_app(settings, answerer)
    mount_slack(app, bolt_app)
    return bolt_app


def _ack(ack) -> None:
    ack()


def _parse_ask(text: str | None) -> tuple[bool, str]:
    """`(public, question)` from the text after `/ask`."""
    words = (text or "").split()
    public = bool(words) and words[0] == _PUBLIC_FLAG
    return public, plain_text(" ".join(words[1:] if public else words))


def _logged(func):
    """Log a lazy listener's failure here: Bolt would only print a one-line summary."""

    @functools.wraps(func)
    def run(**kwargs):
        try:
            func(**kwargs)
        except Exception:
            log.exception("Slack listener %s failed", func.__name__)

    return run


def _register(app: App, answerer, feedback: FeedbackStore, settings: Settings) -> None:
    get_answerer = (lambda: answerer) if hasattr(answerer, "ask") else answerer

    def answer(question: str, history=(), *, user, channel, show_question=False) -> dict:
        """The rendered answer, or the apology; never raises."""
        if settings.log_questions:
            log.info("question from %s in %s: %s", user, channel, question)
        try:
            result: Answer = get_answerer().ask(question, history)
        except Exception:
            log.exception("answering failed (user %s, channel %s)", user, channel)
            return {"text": APOLOGY}
        try:
            answer_id = feedback.record_answer(result, asked_by=user, channel=channel)
        except Exception:
            # The answer matters more than its feedback buttons.
            log.exception("could not record the answer for feedback")
            answer_id = None
        return render_answer(result, answer_id, show_question=show_question)

    def reply_in_thread(event: dict, body: dict, client: WebClient, context) -> None:
        if event.get("bot_id") or event.get("subtype") not in _QUESTION_SUBTYPES:
            return  # other bots, edits, deletions, joins: never a question
        if body.get("event_id") and not feedback.claim_event(body["event_id"]):
            log.info("event %s was already delivered; not answering again", body["event_id"])
            return
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts") or ts
        question = plain_text(event.get("text") or "", context.bot_user_id)
        if not question:
            post_in_thread(client, channel, thread_ts, {"text": USAGE})
            return
        history = []
        if event.get("thread_ts"):
            history = thread_history(
                client,
                channel,
                thread_ts,
                ts,
                bot_user_id=context.bot_user_id,
                bot_id=context.bot_id,
            )
        message = answer(question, history, user=event.get("user"), channel=channel)
        post_in_thread(client, channel, thread_ts, message)

    @_logged
    def answer_mention(event, body, client, context):
        reply_in_thread(event, body, client, context)

    @_logged
    def answer_direct_message(event, body, client, context):
        if event.get("channel_type") == "im":
            reply_in_thread(event, body, client, context)

    def ack_ask(ack, command):
        _, question = _parse_ask(command.get("text"))
        if question:
            ack()
        else:
            ack(text=USAGE)

    @_logged
    def answer_ask(command, respond):
        public, question = _parse_ask(command.get("text"))
        if not question:
            return
        message = answer(
            question,
            user=command.get("user_id"),
            channel=command.get("channel_id"),
            show_question=True,
        )
        respond(response_type="in_channel" if public else "ephemeral", **message)

    @_logged
    def store_feedback(action, body, respond):
        stored = feedback.record_choice(
            action["value"],
            user=body["user"]["id"],
            channel=(body.get("channel") or {}).get("id"),
            choice=action["action_id"].removeprefix("feedback_"),
        )
        text = THANKS if stored else UNKNOWN_ANSWER
        respond(text=text, response_type="ephemeral", replace_original=False)

    # Acknowledge in the request, answer in Bolt's worker pool: a busy pool never delays an ack.
    app.event("app_mention")(ack=_ack, lazy=[answer_mention])
    app.event("message")(ack=_ack, lazy=[answer_direct_message])
    app.command("/ask")(ack=ack_ask, lazy=[answer_ask])
    app.action(re.compile(r"^feedback_(helpful|unhelpful)$"))(ack=_ack, lazy=[store_feedback])

    @app.error
    def on_error(error, body):
        kind = body.get("type") or body.get("command") or "request"
        log.error("Slack %s failed: %s", kind, error, exc_info=error)
