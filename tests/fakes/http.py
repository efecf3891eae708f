"""What the fakes share: a JSON server on ``127.0.0.1:<free port>`` (GitHub's and HackMD's,
served from a thread) handing every request to one ``answer`` function, so each fake holds
only its service's rules; and ``Hold``, a request kept waiting until the test says."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (method, path with query, lower-cased headers, body) -> (status, extra headers, JSON or None)
Answer = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], Any]]


class JSONServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Answer, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self._thread = threading.Thread(target=self.serve_forever, daemon=True, name=name,
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real services
    server: JSONServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging: tests assert on the fakes' request logs instead."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, payload = self.server.answer(self.command, self.path, headers, raw)
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for key, value in extra.items():
            self.send_header(key, value)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class Hold:
    """A request held unanswered: ``arrived`` is set as soon as it waits, and the fake
    answers it (with success, or ``fail_status``) only once the test calls ``release``.
    A service as slow as the test needs, with no sleeping."""

    LIMIT_SECONDS = 120.0  # only a safety net: a broken test fails instead of hanging the run

    def __init__(self) -> None:
        self.arrived, self._released = threading.Event(), threading.Event()
        self.fail_status: int | None = None

    def release(self, fail_status: int | None = None) -> None:
        """Let the held request through; with ``fail_status`` it fails."""
        self.fail_status = fail_status
        self._released.set()

    def wait(self) -> None:
        """Called by the fake's server thread while the request waits."""
        self.arrived.set()
        self._released.wait(self.LIMIT_SECONDS)
