"""Copies stdin to stdout line by line, each prefixed with the CLOCK_MONOTONIC time its bytes
arrived: `<seconds> <line>`. Run as its own process so that the stamp is taken the moment the
pipe is readable, not when a thread of the (busy) benchmark process gets the GIL back."""

from __future__ import annotations

import os
import time


def main() -> None:
    buf = b""
    while True:
        data = os.read(0, 1 << 16)
        now = time.monotonic()
        if not data:
            return
        buf += data
        *done, buf = buf.split(b"\n")
        if done:
            os.write(1, b"".join(b"%.6f %s\n" % (now, line) for line in done))


if __name__ == "__main__":
    main()
