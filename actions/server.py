"""The action server: rasa-sdk's own server, on 127.0.0.1 unless told otherwise, behind a token.

Run with ``python -m actions.server --actions actions.dialogue --port 5055`` (``scripts/run.py``
does). It takes rasa-sdk's options (``python -m rasa_sdk``) plus ``--host``, and two variables:

* ``ACTION_SERVER_HOST``: the interface to listen on (``--host`` wins); ``127.0.0.1`` by default,
  where rasa-sdk listens on every interface (0.0.0.0).
* ``ACTION_SERVER_TOKEN``: when set, every request except ``GET /health`` must carry
  ``Authorization: Bearer <token>`` (Rasa sends it from ``bot/endpoints.yml``) or is refused
  with 401 before any action runs. Without it the server refuses to start on any interface but
  the loopback, since whoever reaches ``/webhook`` can send any tracker and write any learner's
  quiz progress.

The app is rasa-sdk's (``rasa_sdk.endpoint.create_app_for_serve``) with one Sanic request
middleware added. With one worker (``ACTION_SERVER_SANIC_WORKERS`` unset or 1) it is served in
this process (``Sanic.serve_single``); with more, as rasa-sdk serves it (``Sanic.serve`` with an
``AppLoader``: a manager process and its workers).
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import logging
import os
import sys
from functools import partial

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME, DEFAULT_ENDPOINTS_PATH
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser, create_ssl_config
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
OPEN_PATHS = frozenset({"/health"})


def token_from_env() -> str | None:
    return os.environ.get("ACTION_SERVER_TOKEN", "").strip() or None


def authorised(header: str | None, token: str) -> bool:
    """True if ``header`` (an Authorization header) is ``Bearer <token>``; constant time."""
    return hmac.compare_digest((header or "").encode(), f"Bearer {token}".encode())


def require_token(app: Sanic, token: str) -> None:
    """Refuse every request but ``GET /health`` that lacks the bearer token (401)."""

    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authorised(request.headers.get("authorization"), token):
            return None
        logger.warning("refused %s %s from %s: no valid token", request.method, request.path,
                       request.remote_addr or request.ip)
        return response.json({"error": "a valid 'Authorization: Bearer <token>' header is required"},
                             status=401, headers={"WWW-Authenticate": "Bearer"})

    app.register_middleware(check_token, "request")


RESPONSE_TIMEOUT = 300  # seconds


async def _read_quiz_state_once(request: Request) -> None:
    """Each action call reads a learner's quiz state from the database once (actions.quiz.turns)."""
    if request.path.endswith("/webhook"):
        from .quiz.turns import read_once_per_request

        read_once_per_request()


def create_app(
    action_executor: ActionExecutor,
    token: str | None = None,
    cors_origins: str | list[str] | None = None,
    auto_reload: bool = False,
    endpoints: str = DEFAULT_ENDPOINTS_PATH,
) -> Sanic:
    """rasa-sdk's app, with the token check when ``token`` is given."""
    app = create_app_for_serve(action_executor, cors_origins=cors_origins, auto_reload=auto_reload,
                               endpoints=endpoints)
    # The first call loads the engine (MiniLM, spaCy, the index): on a loaded 2-core machine that
    # can outlast Sanic's 60 s default, which would cut the learner's first turn off.
    app.config.RESPONSE_TIMEOUT = RESPONSE_TIMEOUT
    if token:
        require_token(app, token)
    app.register_middleware(_read_quiz_state_once, "request")
    from .reminders.scheduler import attach  # Slack review reminders (off without SLACK_BOT_TOKEN)

    attach(app)
    return app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = create_argument_parser()
    parser.description = __doc__.splitlines()[0]
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST") or DEFAULT_HOST,
                        help="interface to listen on (ACTION_SERVER_HOST; default 127.0.0.1)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # The server embeds one short message at a time: on one torch thread that took 12-13 ms (12-13
    # ms of CPU) against 15-17 ms (17-18 ms of CPU) on two, measured on these 2 cores while idle.
    # (Batches, as `tutor index` embeds, are faster on every core.)
    os.environ.setdefault("TUTOR_TORCH_THREADS", "1")
    args = parse_args(argv)
    token = token_from_env()
    if not token and not is_loopback(args.host):
        print(f"refusing to listen on {args.host} without ACTION_SERVER_TOKEN: anyone who reaches "
              "the action server could write any learner's progress", file=sys.stderr)
        return 2

    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file,
                                 args.loglevel, args.logging_config_file)
    utils.update_sanic_log_level()

    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    loader = AppLoader(factory=partial(create_app, executor, token, cors_origins=args.cors,
                                       auto_reload=args.auto_reload, endpoints=args.endpoints))
    app = loader.load()
    ssl = create_ssl_config(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("action server on %s://%s:%s (%s)", "https" if ssl else "http", args.host, args.port,
                "token required" if token else "no token: loopback only")
    workers = utils.number_of_sanic_workers()
    # One worker (the default) is served in this process: Sanic's worker manager would add a
    # process of its own, polling its workers, and a second one beside it (about 0.7% of a core
    # each action server, idle or not, on the cores that make cluster shares).
    app.prepare(host=args.host, port=args.port, ssl=ssl, workers=workers, single_process=workers == 1)
    if workers == 1:
        Sanic.serve_single(primary=app)
    else:
        Sanic.serve(primary=app, app_loader=loader)
    return 0


if __name__ == "__main__":
    sys.exit(main())
