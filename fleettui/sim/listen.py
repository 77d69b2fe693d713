"""Listening sockets for the simulator's servers."""

from __future__ import annotations

import asyncio
import errno
import socket


async def bound_socket(port: int) -> socket.socket:
    """127.0.0.1:port bound, retrying a while when a restart wants its old port back: between
    stop and start another socket (a client's outgoing connection included) may hold it."""
    for attempt in range(40):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return sock
        except OSError as e:
            sock.close()
            if not port or e.errno != errno.EADDRINUSE or attempt == 39:
                raise
            await asyncio.sleep(0.05)
    raise AssertionError("unreachable")
