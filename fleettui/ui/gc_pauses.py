"""Short garbage-collector pauses while thousands of objects are watched.

A full collection walks every container object of the process: with 100 clusters x 1,000 backups
that is over a million dicts and lists, a pause of a tenth of a second or more in the middle of
a frame (a 30 ms pause was seen even with two clusters). What is alive when the app has started,
and what survives a full collection, lives long (modules, Textual, the watched objects), so it is
frozen (gc.freeze) and later full collections walk only what is newer. The watched objects are
JSON trees without reference cycles: reference counting still frees them when an update
replaces them, frozen or not. Only for a process that runs one app: what is frozen is never
collected as a cycle, so an app whose widgets were frozen and that then ends leaks them.
"""

from __future__ import annotations

import gc


class GcPolicy:
    def __init__(self) -> None:
        self.full_collections = _full_collections()

    def start(self) -> None:
        """Freeze what the app's start left alive (modules, Textual, the first screen). No
        collection first: it would hold the GIL for tens of ms just as the first frame is being
        written, for the little cyclic garbage an import leaves."""
        gc.freeze()

    def after_flush(self) -> None:
        """Freeze the survivors of a full collection, if one happened since the last call."""
        full = _full_collections()
        if full != self.full_collections:
            self.full_collections = full
            gc.freeze()


def _full_collections() -> int:
    return int(gc.get_stats()[2]["collections"])
