"""The Slack app: `build_slack_app` and mounting it on FastAPI; listeners in `listeners`.

Mentions, DMs and `/ask` are answered with citations, plus feedback buttons and a
Follow button; `follow`, `unfollow`, `following` and `case` are run (`bot.slack.follows`).

Slack waits 3 s for an acknowledgement. Every listener is split in two (Bolt's lazy
listeners, `process_before_response=True`): a tiny `ack` that runs in the request, and
the answering that runs after in Bolt's worker pool, so the HTTP response never waits
for an answer nor for a free worker. What the app keeps (answers, feedback, follows, the
events already answered) is in the store, so replicas behind one load balancer act as one
app (`bot.slack.services`).
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import Executor, ThreadPoolExecutor

from fastapi import FastAPI, Request, Response
from slack_bolt import App
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from starlette.concurrency import run_in_threadpool

from bot.slack import listeners
from bot.slack.blocks import FOLLOW, UNFOLLOW
from bot.slack.feedback_import import LegacyImport, legacy_path
from bot.slack.services import Services
from bot.slack.web import web_client
from index.errors import ConfigError
from index.settings import Settings

log = logging.getLogger(__name__)


def slack_configured(settings: Settings) -> bool:
    """True when the HTTP-mode Slack app has what it needs: a bot token and signing secret."""
    return settings.slack_bot_token is not None and settings.slack_signing_secret is not None


def build_slack_app(
    settings: Settings,
    answerer,
    client: WebClient | None = None,
    *,
    socket_mode: bool = False,
    executor: Executor | None = None,
) -> App:
    """A Bolt app answering through `answerer`; Socket Mode needs no signing secret.

    `answerer` is an Answerer, or a no-argument callable returning one (so a server can
    build it after start-up); each question calls `answerer.ask(question, history)`.
    The app keeps its records in `answerer.store`, and imports the feedback file of
    earlier versions (`bot.slack.feedback_import`) there on first use.
    """
    if settings.slack_bot_token is None:
        raise ConfigError("POLICING_QA_SLACK_BOT_TOKEN is not set (the app's xoxb- token)")
    secret = settings.slack_signing_secret
    if secret is None and not socket_mode:
        raise ConfigError("POLICING_QA_SLACK_SIGNING_SECRET is not set (Basic Information page)")
    token = settings.slack_bot_token.get_secret_value()
    # Retries Slack's rate limits and transient failures; Bolt copies its handlers.
    client = client or web_client(settings)
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
    get_answerer = (lambda: answerer) if hasattr(answerer, "ask") else answerer
    legacy = LegacyImport(legacy_path(settings))
    _register(app, Services(get_answerer, settings.log_questions, legacy))
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


def _register(app: App, services: Services) -> None:
    """Hand `services` to every listener, then wire the listeners."""

    def provide(context, next):
        context["services"] = services
        next()

    app.use(provide)
    # Acknowledge in the request, answer in Bolt's worker pool: a busy pool never delays an ack.
    app.event("app_mention")(ack=listeners.acknowledge, lazy=[listeners.answer_mention])
    app.event("message")(ack=listeners.acknowledge, lazy=[listeners.answer_direct_message])
    app.command("/ask")(ack=listeners.ack_ask, lazy=[listeners.answer_ask])
    app.action(re.compile(r"^feedback_(helpful|unhelpful)$"))(
        ack=listeners.acknowledge, lazy=[listeners.store_feedback]
    )
    app.action(FOLLOW)(ack=listeners.acknowledge, lazy=[listeners.follow_button])
    app.action(UNFOLLOW)(ack=listeners.acknowledge, lazy=[listeners.unfollow_button])
    app.error(listeners.on_error)
