"""A real local HTTP server for download tests: serves files with Range support and can drop a transfer midway,
answer without a range, or state a SHA-256 in an ETag as Hugging Face does."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Served:
    body: bytes
    # The first `drops` requests for this file send the headers for the whole rest but close after `drop_after` bytes.
    drops: int = 0
    drop_after: int = 0
    ignore_range: bool = False
    etag: str = ""


@dataclass
class ModelServer:
    files: dict[str, Served] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Range header or "")

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests.append((self.path, self.headers.get("Range", "")))
                served = server.files.get(self.path)
                if served is None:
                    self.send_error(404)
                    return
                start = 0
                spec = self.headers.get("Range", "")
                if spec.startswith("bytes=") and not served.ignore_range:
                    start = int(spec[6:].split("-")[0])
                    if start >= len(served.body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(served.body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(served.body) - 1}/{len(served.body)}")
                else:
                    self.send_response(200)
                rest = served.body[start:]
                self.send_header("Content-Length", str(len(rest)))
                if served.etag:
                    self.send_header("ETag", f'"{served.etag}"')
                self.end_headers()
                if served.drops:
                    served.drops -= 1
                    self.wfile.write(rest[: served.drop_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(rest)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="model-server", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
