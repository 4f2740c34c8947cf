"""Plain-text tables for the pytapi2 command: aligned columns, H:MM:SS.

:class:`SessionRow` is one agent session as the command shows it (built from
an :class:`pytapi2.AgentSessionInfo`); :func:`render` lays rows out as text,
:func:`row_record` as a JSON-ready dict (durations in whole seconds), and
:class:`LiveTable` redraws a table in place on a terminal (ANSI) or prints a
new one per update otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from pytapi2 import AgentSessionInfo

__all__ = [
    "COLUMNS",
    "LiveTable",
    "SessionRow",
    "format_hms",
    "render",
    "render_grid",
    "row_record",
]

COLUMNS = (
    "AGENT",
    "GROUP",
    "STATE",
    "START",
    "DURATION",
    "CALLS",
    "AVG TALK",
    "AVG WRAP",
    "OCC",
    "MAX ANSWER",
)
_RIGHT = {"DURATION", "CALLS", "AVG TALK", "AVG WRAP", "OCC", "MAX ANSWER"}


def format_hms(value: timedelta | None) -> str:
    """``H:MM:SS`` (hours unbounded); ``-`` for ``None``."""
    if value is None:
        return "-"
    total = int(value.total_seconds())
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


@dataclass(frozen=True)
class SessionRow:
    """One agent session, as shown and as exported."""

    session: int
    agent: str
    group: str
    info: AgentSessionInfo
    #: The duration shown: ``info.duration`` or, between updates, ``info.duration_at(now)``.
    duration: timedelta

    @classmethod
    def of(
        cls, session: int, agent: str, group: str, info: AgentSessionInfo,
        speed: float | None = None,
    ) -> SessionRow:
        """A row; with ``speed`` (model seconds per real second) a running
        session's duration ticks on from ``info`` by the real time elapsed
        since it was fetched (``AgentSessionInfo.duration_at``)."""
        if speed is None:
            return cls(session, agent, group, info, info.duration)
        elapsed = (time.monotonic() - info.snapshot) * speed
        return cls(session, agent, group, info, info.duration_at(info.snapshot + elapsed))

    def cells(self) -> tuple[str, ...]:
        info = self.info
        occupancy = info.occupancy
        if self.duration != info.duration and self.duration > timedelta(0):
            # Ticking between updates: occupancy over the duration shown.
            occupancy = info.total_call_time / self.duration
        return (
            self.agent,
            self.group,
            info.state.name,
            f"{info.start_time:%H:%M:%S}",
            format_hms(self.duration),
            str(info.number_of_calls),
            format_hms(info.average_talk_time),
            format_hms(info.average_wrapup_time),
            f"{occupancy:.0%}",
            format_hms(info.longest_time_to_answer),
        )


def row_record(row: SessionRow) -> dict[str, Any]:
    """A JSON-ready record: durations in whole seconds, times ISO 8601."""
    info = row.info
    return {
        "session": row.session,
        "agent": row.agent,
        "group": row.group,
        "state": info.state.name,
        "next_state": None if info.next_state is None else info.next_state.name,
        "start_time": info.start_time.isoformat(),
        "end_time": None if info.end_time is None else info.end_time.isoformat(),
        "ended": info.ended,
        "duration": _seconds(info.duration),
        "calls": info.number_of_calls,
        "total_talk_time": _seconds(info.total_talk_time),
        "average_talk_time": _seconds(info.average_talk_time),
        "total_call_time": _seconds(info.total_call_time),
        "average_call_time": _seconds(info.average_call_time),
        "total_wrapup_time": _seconds(info.total_wrapup_time),
        "average_wrapup_time": _seconds(info.average_wrapup_time),
        "occupancy": round(info.occupancy, 6),
        "longest_time_to_answer": _seconds(info.longest_time_to_answer),
        "average_time_to_answer": _seconds(info.average_time_to_answer),
        "idle_time": _seconds(info.idle_time),
        "acd_call_rate": str(info.acd_call_rate),
    }


def render_grid(header: Sequence[str], rows: Sequence[Sequence[str]],
                right: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Aligned lines: a header, a rule, the rows (two spaces between columns)."""
    widths = [len(h) for h in header]
    for cells in rows:
        for i, cell in enumerate(cells):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        out = [
            cell.rjust(widths[i]) if header[i] in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(out).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(c) for c in rows)]


def render(rows: Sequence[SessionRow]) -> list[str]:
    """The session table as lines (no trailing newlines)."""
    lines = render_grid(COLUMNS, [row.cells() for row in rows], _RIGHT)
    if not rows:
        lines.append("(no agent sessions)")
    return lines


class LiveTable:
    """A table that is redrawn on each :meth:`show`.

    On a terminal the previous drawing is overwritten in place (cursor up,
    clear to end of screen); otherwise each update is printed as a new block
    followed by a blank line, so a reader can split the stream on blank lines.
    """

    def __init__(self, out: TextIO, *, in_place: bool | None = None) -> None:
        self.out = out
        self.in_place = out.isatty() if in_place is None else in_place
        self._drawn = 0
        self.updates = 0

    def show(self, lines: Sequence[str]) -> None:
        text = "\n".join(lines) + "\n"
        if self.in_place:
            prefix = f"\x1b[{self._drawn}F\x1b[J" if self._drawn else ""
            self.out.write(prefix + text)
            self._drawn = len(lines)
        else:
            self.out.write(text + "\n")
        self.out.flush()
        self.updates += 1
