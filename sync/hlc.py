"""Hybrid logical clock: orders writes for display, never decides whether they conflict.

A timestamp is ``(wall_ms, counter, device)``. Local events get strictly increasing timestamps even
if the wall clock steps back; receiving remote timestamps pushes the clock past them, so a write
made after seeing another one always sorts after it, whatever the two laptops' clocks say.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from .writes import HLC

MAX_SKEW_MS = 24 * 60 * 60 * 1000
"""How far ahead of our own clock a remote wall time may be and still be adopted (24 h).

Laptops that sit offline for weeks drift by seconds or minutes; a wrong time zone configured as if
local time were UTC shifts by at most 14 h. Both stay inside 24 h and must keep ordering correctly.
Beyond that the remote clock is simply wrong (a year typed by hand, a dead CMOS battery read as
the future): adopting it would drag every later write of every device into the future, and its
writes would sort above all honest edits for as long as the error lasts. So such a wall time is not
adopted, and :func:`is_future` flags those writes for the user. The bound only affects ordering and
flagging; conflict detection never looks at clocks.
"""


def wall_clock_ms() -> int:
    """Current physical time in milliseconds since the Unix epoch."""
    return time.time_ns() // 1_000_000


def is_future(hlc: HLC, now_ms: int | None = None) -> bool:
    """True if ``hlc`` lies more than :data:`MAX_SKEW_MS` after ``now_ms`` (default: the wall
    clock): the write comes from a clock set in the future and should be flagged."""
    now = wall_clock_ms() if now_ms is None else now_ms
    return hlc[0] > now + MAX_SKEW_MS


class HybridClock:
    """The HLC of one device. Persist :attr:`last` and pass it back on the next start."""

    def __init__(
        self,
        device: str,
        last: HLC | None = None,
        now_ms: Callable[[], int] = wall_clock_ms,
    ) -> None:
        self.device = device
        self._now = now_ms
        self._wall, self._counter = (last[0], last[1]) if last is not None else (0, 0)

    @property
    def last(self) -> HLC:
        """The latest timestamp issued or observed (with our device id); persist it."""
        return (self._wall, self._counter, self.device)

    def tick(self) -> HLC:
        """Timestamp a local event: strictly greater than every timestamp issued or observed."""
        pt = self._now()
        if pt > self._wall:
            self._wall, self._counter = pt, 0
        else:
            self._counter += 1
        return (self._wall, self._counter, self.device)

    def observe(self, remote: HLC) -> None:
        """Take a received timestamp into account so that the next :meth:`tick` sorts after it.

        A remote wall time more than :data:`MAX_SKEW_MS` ahead of our physical time is ignored
        rather than adopted (see :data:`MAX_SKEW_MS`).
        """
        wall, counter = remote[0], remote[1]
        if wall > self._now() + MAX_SKEW_MS:
            return
        if (wall, counter) > (self._wall, self._counter):
            self._wall, self._counter = wall, counter

    def observe_all(self, remotes: Iterable[HLC]) -> None:
        """:meth:`observe` every timestamp of a received batch (reads the wall clock once)."""
        limit = self._now() + MAX_SKEW_MS
        stamps = list(remotes)
        top = max(stamps, default=None)  # usually within the limit: one pass in C
        if top is not None and top[0] > limit:
            top = max((h for h in stamps if h[0] <= limit), default=None)
        if top is not None and top[:2] > (self._wall, self._counter):
            self._wall, self._counter = top[0], top[1]

    def is_future(self, hlc: HLC) -> bool:
        """:func:`is_future` against this clock's physical time source."""
        return is_future(hlc, self._now())
