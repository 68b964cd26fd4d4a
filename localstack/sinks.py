"""Where the local Alertmanager delivers: a Slack-compatible webhook receiver and an SMTP sink. Both keep what
they received in memory (and in files of the stack's work directory) for people and tests to read.
The webhook uses the standard library's http.server, not exporter_toolkit: a test double needs none of the
production server's TLS, auth, limits or connection handling."""

from __future__ import annotations

import json
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller


class SlackReceiver:
    """Accepts Slack incoming-webhook posts ({"channel", "text", "attachments": [...]}); GET /messages lists them."""

    def __init__(self, port: int, log_file: Path) -> None:
        self.messages: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                receiver.messages.append(body)
                with open(log_file, "a") as handle:
                    handle.write(json.dumps(body) + "\n")
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self) -> None:
                data = json.dumps(receiver.messages, indent=1).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True, name="slack-sink").start()

    def texts(self) -> list[str]:
        out = []
        for message in self.messages:
            parts = [message.get("text", "")]
            for attachment in message.get("attachments") or []:
                parts += [attachment.get("title", ""), attachment.get("text", ""), attachment.get("fallback", "")]
            out.append("\n".join(p for p in parts if p))
        return out

    def stop(self) -> None:
        self.server.shutdown()


class SMTPSink:
    """An SMTP server that accepts every message and keeps it."""

    def __init__(self, port: int, log_file: Path) -> None:
        self.messages: list[dict[str, str]] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = message_from_bytes(envelope.content, policy=policy.default)
                body = message.get_body(preferencelist=("html", "plain"))
                entry = {"to": ",".join(envelope.rcpt_tos), "subject": str(message["Subject"]),
                         "body": body.get_content() if body else ""}
                sink.messages.append(entry)
                with open(log_file, "a") as handle:
                    handle.write(json.dumps(entry) + "\n")
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
