"""Serve the chat page (web/) on port 8000, telling it where the Rasa server is.

Standard library only. ``web/dist/`` (the chat client bundled from web/src/ with its npm
dependencies, and its font) must exist: ``make web`` or ``npm ci --prefix web`` builds it.
``/config.js`` is generated from the options, so the same page can talk to any Rasa server:

    .venv/bin/python scripts/serve_web.py                      # Rasa on this host, port 5005
    .venv/bin/python scripts/serve_web.py --rasa-url http://localhost:5105 --port 8100

Without ``--rasa-url`` the page connects to the host it was loaded from, on ``--rasa-port``.
Only the page's own files are served: nothing under node_modules, no package files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

WEB = Path(__file__).resolve().parent.parent / "web"
# The page, its script and style, and the built chat client; anything else is 404 (web/src/ and
# node_modules/ are build inputs, not served).
PUBLIC = ("/", "/index.html", "/app.js", "/style.css", "/favicon.svg", "/dist/")


def config_script(rasa_url: str | None, rasa_port: int) -> bytes:
    config = {"socketUrl": rasa_url, "rasaPort": rasa_port}
    return f"window.TUTOR_CONFIG = {json.dumps(config)};\n".encode()


class PageHandler(SimpleHTTPRequestHandler):
    """Static files from web/, plus the generated /config.js."""

    config_js = b""
    quiet = False

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/config.js":
            self._send_bytes(self.config_js, "text/javascript; charset=utf-8")
            return
        if not self._public(path):
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        if not self._public(urlsplit(self.path).path):
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        super().do_HEAD()

    @staticmethod
    def _public(path: str) -> bool:
        if ".." in path:
            return False
        return any(path == p or (p.endswith("/") and p != "/" and path.startswith(p)) for p in PUBLIC)

    def _send_bytes(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        # The page is small and changes with the project: let browsers revalidate every time.
        if not any(h.lower().startswith(b"cache-control") for h in self._headers_buffer):
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(format, *args)


def make_server(
    host: str, port: int, rasa_url: str | None, rasa_port: int, quiet: bool = False
) -> ThreadingHTTPServer:
    handler = type(
        "Handler", (PageHandler,), {"config_js": config_script(rasa_url, rasa_port), "quiet": quiet}
    )
    return ThreadingHTTPServer((host, port), partial(handler, directory=str(WEB)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("TUTOR_WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TUTOR_WEB_PORT", "8000")))
    parser.add_argument(
        "--rasa-url",
        default=os.environ.get("TUTOR_RASA_URL") or None,
        help="Rasa server the page connects to (default: the page's own host on --rasa-port)",
    )
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)

    if not (WEB / "dist" / "tutor-chat.js").is_file():
        print("web/dist is missing: run 'make web' (npm ci in web/) first", file=sys.stderr)
        return 1
    server = make_server(args.host, args.port, args.rasa_url, args.rasa_port, args.quiet)
    shown_host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "") else args.host
    target = args.rasa_url or f"this host, port {args.rasa_port}"
    print(f"chat page on http://{shown_host}:{server.server_port}/ (Rasa: {target})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
