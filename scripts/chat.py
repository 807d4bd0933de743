"""Chat with the running tutor in the terminal, over Rasa's REST webhook (standard library only).

Buttons are shown as numbered options: type the number to send the button's payload. Type
``/quit`` (or press Ctrl-D) to leave. Start the tutor first with ``make run``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
import uuid


def send(url: str, sender: str, message: str, timeout: float = 120.0) -> list[dict]:
    """POST one message; the bot's replies (Rasa's REST reply list)."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        return json.loads(resp.read() or b"[]")


def show(replies: list[dict]) -> list[dict]:
    """Print the replies; return their buttons in the order they are numbered."""
    buttons: list[dict] = []
    for reply in replies:
        if reply.get("text"):
            print(f"tutor> {reply['text']}")
        if reply.get("image"):
            print(f"tutor> [image] {reply['image']}")
        if reply.get("custom"):
            print(f"tutor> {json.dumps(reply['custom'])}")
        for button in reply.get("buttons") or []:
            buttons.append(button)
            print(f"   {len(buttons)}. {button.get('title', button.get('payload'))}")
    if not replies:
        print("tutor> (no reply)")
    return buttons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("TUTOR_REST_URL", "http://localhost:5005/webhooks/rest/webhook")
    parser.add_argument("--url", default=default, help=f"REST webhook (default {default})")
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:8]}",
                        help="conversation id (reuse one to continue a conversation)")
    args = parser.parse_args(argv)

    print(f"Chatting as {args.sender} with {args.url}. Type /quit to leave.")
    buttons: list[dict] = []
    while True:
        try:
            line = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line in ("/quit", "/exit"):
            return 0
        if not line:
            continue
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            button = buttons[int(line) - 1]
            print(f"   (chose: {button.get('title')})")
            line = button.get("payload") or button.get("title", "")
        try:
            buttons = show(send(args.url, args.sender, line))
        except urllib.error.HTTPError as exc:
            print(f"error {exc.code}: {exc.read().decode(errors='replace')}", file=sys.stderr)
        except (OSError, urllib.error.URLError) as exc:
            print(f"cannot reach the tutor at {args.url} ({exc}); is 'make run' running?",
                  file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
