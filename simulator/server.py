"""Serving the simulator over loopback HTTP with the standard library's threading server."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import httpx

from simulator.responses import SimulatedDisconnectError

if TYPE_CHECKING:
    from simulator.app import Simulator

__all__ = ["make_server", "serve_in_thread"]

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


def make_server(host: str, port: int, simulator: Simulator) -> ThreadingHTTPServer:
    """A server bound to (host, port) that answers every request through ``simulator.handle``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host_header = self.headers.get("Host") or f"{host}:{port}"
            headers = [(k, v) for k, v in self.headers.items() if k.lower() != "host"]
            request = httpx.Request(
                self.command,
                f"http://{host_header}{self.path}",
                headers=headers,
                content=body,
                extensions={"sim_served": True},
            )
            try:
                response = simulator.handle(request)
            except SimulatedDisconnectError:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            content = response.read()
            self.send_response(response.status_code)
            for key, value in response.headers.multi_items():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = _serve

        def log_message(self, format: str, *args: object) -> None:  # noqa: ARG002
            # Request lines carry tokens in query strings (Graph access_token); stay quiet.
            return

    server = _Server((host, port), Handler)
    server.daemon_threads = True
    return server


class _Server(ThreadingHTTPServer):
    # A platform's front door accepts a burst of connections: with socketserver's default backlog of
    # 5, an ingest worker opening its connections at once has SYNs dropped and retried a second later.
    request_queue_size = 128


def serve_in_thread(host: str, port: int, simulator: Simulator) -> tuple[ThreadingHTTPServer, str]:
    """Start serving in a daemon thread; returns the server (call ``shutdown()``) and its origin URL.

    Pass ``port=0`` for a free port.
    """
    server = make_server(host, port, simulator)
    thread = threading.Thread(target=server.serve_forever, name="simulator-http", daemon=True)
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    return server, f"http://{bound_host!s}:{bound_port}"
