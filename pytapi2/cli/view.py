"""What the ``pytapi2`` command draws: session tables with rich.

:class:`SessionRow` is one agent session as shown and exported; a
:class:`Snapshot` is everything one frame shows (title, sessions, queues).
:func:`render` lays a snapshot out for a terminal of a given size: sessions
grouped by ACD group under a totals row, colour by state, ended sessions
dimmed, columns dropped (or the name narrowed) by priority until the table
fits the width, rows cut (with a "+N more" row) until the frame fits the
height, so a redraw never wraps or scrolls. :func:`plain_text` gives the same
table without colour for pipes, :func:`snapshot_record` the JSON document.

rich (not hand-written escape codes) measures cell widths (emoji, CJK) and
redraws in place by rendered rows, which is what the old table got wrong.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from pytapi2.constants import AgentSessionState

if TYPE_CHECKING:
    from pytapi2 import AgentSessionInfo, QueueInfo

__all__ = [
    "QueueRow",
    "SessionRow",
    "Snapshot",
    "format_hms",
    "plain_text",
    "plain_text_of",
    "render",
    "render_grid",
    "row_record",
    "snapshot_record",
]

STATE_STYLE = {
    AgentSessionState.READY: "green",
    AgentSessionState.BUSY_ON_CALL: "bold yellow",
    AgentSessionState.BUSY_WRAPUP: "cyan",
    AgentSessionState.NOT_READY: "red",
    AgentSessionState.ENDED: "dim",
    AgentSessionState.RELEASED: "dim",
}
#: States whose duration counts as "busy" in the group totals.
_BUSY = (AgentSessionState.BUSY_ON_CALL, AgentSessionState.BUSY_WRAPUP)


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
    #: The duration shown: ``info.duration`` or, between updates, ticking on.
    duration: timedelta
    name: str | None = None
    #: Time in the current state (None: not known, e.g. a one-off listing).
    in_state: timedelta | None = None

    @property
    def occupancy(self) -> float:
        if self.duration != self.info.duration and self.duration > timedelta(0):
            return self.info.total_call_time / self.duration
        return self.info.occupancy


@dataclass(frozen=True)
class QueueRow:
    group: str
    queue_id: int
    name: str
    info: QueueInfo


@dataclass
class Snapshot:
    """One frame: when, where, and what."""

    now: datetime
    source: str  # "simulator x600", "TAPI"
    rows: Sequence[SessionRow]
    queues: Sequence[QueueRow] = ()
    scenario: str | None = None
    #: Extra text after the title (e.g. "final").
    note: str = ""
    groups_order: Sequence[str] = field(default_factory=tuple)

    def title(self) -> str:
        parts = [p for p in (self.scenario, f"{self.now:%Y-%m-%d %H:%M:%S}", self.source) if p]
        active = sum(1 for r in self.rows if not r.info.ended)
        parts.append(f"{active}/{len(self.rows)} active")
        if self.note:
            parts.append(self.note)
        return " | ".join(parts)


# -- columns ---------------------------------------------------------------------------


def _start(row: SessionRow, now: datetime) -> str:
    start = row.info.start_time
    # A session begun on another day (a shift past midnight) shows its date.
    return f"{start:%H:%M:%S}" if start.date() == now.date() else f"{start:%m-%d %H:%M}"


@dataclass(frozen=True)
class _Column:
    header: str
    #: Lower is more important: columns are dropped from the highest number.
    priority: int
    justify: Literal["left", "right"]
    cell: Callable[[SessionRow, datetime], str]


_COLUMNS = (
    _Column("AGENT", 0, "left", lambda r, now: r.agent),
    _Column("NAME", 3, "left", lambda r, now: r.name or ""),
    _Column("STATE", 0, "left", lambda r, now: r.info.state.name),
    _Column("IN STATE", 1, "right", lambda r, now: format_hms(r.in_state)),
    _Column("START", 6, "left", _start),
    _Column("DURATION", 4, "right", lambda r, now: format_hms(r.duration)),
    _Column("CALLS", 2, "right", lambda r, now: str(r.info.number_of_calls)),
    _Column("AVG TALK", 7, "right", lambda r, now: format_hms(r.info.average_talk_time)),
    _Column("AVG WRAP", 9, "right", lambda r, now: format_hms(r.info.average_wrapup_time)),
    _Column("OCC", 5, "right", lambda r, now: f"{r.occupancy:.0%}"),
    _Column("MAX ANSWER", 8, "right",
            lambda r, now: format_hms(r.info.longest_time_to_answer)),
)
#: Narrowest the NAME column gets before it is dropped.
_NAME_MIN = 8


def _group_cells(group: str, rows: Sequence[SessionRow]) -> dict[str, str]:
    """The totals row of a group: sessions, who is ready / busy, calls, occupancy."""
    active = [r for r in rows if not r.info.ended]
    ready = sum(1 for r in active if r.info.state is AgentSessionState.READY)
    busy = sum(1 for r in active if r.info.state in _BUSY)
    occupancy = sum(r.occupancy for r in active) / len(active) if active else 0.0
    return {
        "AGENT": group,
        "NAME": f"{len(active)} active",
        "STATE": f"{ready} ready",
        "IN STATE": f"{busy} busy",
        "CALLS": str(sum(r.info.number_of_calls for r in rows)),
        "OCC": f"{occupancy:.0%}" if active else "",
    }


def _grouped(snapshot: Snapshot) -> list[tuple[str, list[SessionRow]]]:
    order = list(snapshot.groups_order)
    groups: dict[str, list[SessionRow]] = {}
    for row in snapshot.rows:
        groups.setdefault(row.group, []).append(row)
    names = [g for g in order if g in groups] + sorted(g for g in groups if g not in order)
    return [(g, sorted(groups[g], key=lambda r: (r.agent, r.session))) for g in names]


def _session_table(
    snapshot: Snapshot,
    columns: Sequence[_Column],
    name_width: int | None,
    groups: Sequence[tuple[str, Sequence[SessionRow], int]],
    *,
    colour: bool,
    everyone: dict[str, Sequence[SessionRow]] | None = None,
) -> Table:
    """The table of ``groups`` (name, rows shown, rows hidden); totals over
    ``everyone`` (all rows of each group), default the rows shown."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0),
                  header_style="bold" if colour else "", expand=False)
    for column in columns:
        table.add_column(
            column.header, justify=column.justify, no_wrap=True, overflow="ellipsis",
            max_width=name_width if column.header == "NAME" else None,
        )
    for index, (group, rows, hidden) in enumerate(groups):
        totals = _group_cells(group, (everyone or {}).get(group, rows))
        table.add_row(*(totals.get(c.header, "") for c in columns),
                      style="bold" if colour else "", end_section=False)
        for row in rows:
            style = STATE_STYLE.get(row.info.state, "") if colour else ""
            cells: list[str | Text] = []
            for column in columns:
                text = column.cell(row, snapshot.now)
                if column.header == "STATE" and colour:
                    cells.append(Text(text, style=style))
                else:
                    cells.append(text)
            table.add_row(*cells, style="dim" if colour and row.info.ended else "")
        if hidden:
            table.add_row(*(f"+{hidden} more" if c.header == "AGENT" else "" for c in columns),
                          style="italic" if colour else "")
        if index < len(groups) - 1:
            table.add_section()
    return table


_QUEUE_COLUMNS: tuple[tuple[str, Callable[[QueueRow], str]], ...] = (
    ("QUEUE", lambda q: f"{q.group}: {q.name}"),
    ("WAITING", lambda q: str(q.info.current_calls_queued)),
    ("LONGEST WAIT", lambda q: format_hms(q.info.current_longest_wait_time)),
    ("ABANDONED", lambda q: str(q.info.total_calls_abandoned)),
    ("QUEUED", lambda q: str(q.info.total_calls_queued)),
    ("AVG WAIT", lambda q: format_hms(q.info.average_wait_time)),
)
#: Columns are separated by the cell's right padding and the box's blank vertical.
_GAP = 2


def _queue_table(queues: Sequence[QueueRow], width: int, *, colour: bool) -> Table | None:
    """Queues (name, waiting, longest wait, abandoned, ...): the last columns
    go first when narrow, then the name is cut."""
    if not queues:
        return None
    cells = [[fn(q) for _, fn in _QUEUE_COLUMNS] for q in queues]
    widths = [max([cell_len(h)] + [cell_len(c[i]) for c in cells])
              for i, (h, _) in enumerate(_QUEUE_COLUMNS)]
    keep = len(_QUEUE_COLUMNS)
    while keep > 2 and sum(widths[:keep]) + _GAP * (keep - 1) > width:
        keep -= 1
    name_width = max(5, width - sum(widths[1:keep]) - _GAP * (keep - 1))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0),
                  header_style="bold" if colour else "", expand=False)
    for i, (header, _) in enumerate(_QUEUE_COLUMNS[:keep]):
        table.add_column(header, justify="left" if i == 0 else "right", no_wrap=True,
                         overflow="ellipsis", max_width=name_width if i == 0 else None)
    for q, row_cells in zip(queues, cells, strict=True):
        waiting = q.info.current_calls_queued
        table.add_row(*row_cells[:keep], style="bold red" if colour and waiting else "")
    return table


def _fit_columns(snapshot: Snapshot, grouped: Sequence[tuple[str, Sequence[SessionRow]]],
                 width: int, more: bool) -> tuple[list[_Column], int | None]:
    """The columns that fit ``width`` (and the NAME column's width, if narrowed),
    from each column's widest cell (no cell wraps, so that is its width)."""
    widest: dict[str, int] = {c.header: cell_len(c.header) for c in _COLUMNS}
    for group, rows in grouped:
        for header, text in _group_cells(group, rows).items():
            widest[header] = max(widest[header], cell_len(text))
        for row in rows:
            for column in _COLUMNS:
                widest[column.header] = max(widest[column.header],
                                            cell_len(column.cell(row, snapshot.now)))
        if more:
            widest["AGENT"] = max(widest["AGENT"], cell_len(f"+{len(rows)} more"))
    columns = list(_COLUMNS)
    name_width: int | None = None

    def total() -> int:
        return sum(min(widest[c.header], name_width)
                   if c.header == "NAME" and name_width is not None else widest[c.header]
                   for c in columns) + _GAP * (len(columns) - 1)

    while total() > width and len(columns) > 2:
        has_name = any(c.header == "NAME" for c in columns)
        if has_name and name_width is None and widest["NAME"] > _NAME_MIN:
            name_width = _NAME_MIN  # narrow the names before dropping anything
            continue
        columns.remove(max(columns, key=lambda c: (c.priority, _COLUMNS.index(c))))
    if name_width is not None and any(c.header == "NAME" for c in columns):
        # A dropped column may have left room: give it back to the names.
        name_width = min(widest["NAME"], name_width + max(0, width - total()))
    return columns, name_width


def render(snapshot: Snapshot, width: int, height: int | None = None, *,
           colour: bool = True, live: bool = False) -> RenderableType:
    """The frame for a ``width`` x ``height`` terminal (no height: unlimited).

    Widths and heights are computed from the cells (every cell is one line,
    no_wrap), not by rendering, so a frame costs one table build; rich still
    truncates with an ellipsis should a cell be wider than computed."""
    grouped = _grouped(snapshot)
    title = Text(snapshot.title(), no_wrap=True, overflow="ellipsis",
                 style="bold" if colour else "")
    queue_table = _queue_table(snapshot.queues, width, colour=colour)
    queue_lines = 0 if queue_table is None else 3 + len(snapshot.queues)  # blank, header, rule

    def lines(groups: Sequence[tuple[str, Sequence[SessionRow], int]]) -> int:
        body = sum(1 + len(rows) + (1 if hidden else 0) for _, rows, hidden in groups)
        return 1 + 2 + body + max(0, len(groups) - 1) + queue_lines

    full = [(g, rows, 0) for g, rows in grouped]
    if height is None or lines(full) <= height:
        columns, name_width = _fit_columns(snapshot, grouped, width, more=False)
        return _frame(title, _session_table(snapshot, columns, name_width, full,
                                            colour=colour), queue_table)
    # Too tall: ended sessions go first, then rows are shared out between the
    # groups round-robin, then the queue panel goes.
    active = [(g, [r for r in rows if not r.info.ended], sum(r.info.ended for r in rows))
              for g, rows in grouped]
    columns, name_width = _fit_columns(snapshot, grouped, width, more=True)

    def limited(shown: Sequence[int]) -> list[tuple[str, Sequence[SessionRow], int]]:
        return [(g, rows[:k], len(rows) - k + ended)
                for k, (g, rows, ended) in zip(shown, active, strict=True)]

    shown = [0] * len(active)
    if lines(limited(shown)) + len(active) > height and queue_table is not None:
        queue_table, queue_lines = None, 0  # no room for queues: sessions matter more
    grew = True
    while grew:
        grew = False
        for index, (_, rows, _) in enumerate(active):
            if shown[index] < len(rows):
                shown[index] += 1
                if lines(limited(shown)) <= height:
                    grew = True
                else:
                    shown[index] -= 1
    if lines(limited(shown)) > height:
        return Group(title)  # a tiny terminal: the title at least
    return _frame(title, _session_table(snapshot, columns, name_width, limited(shown),
                                        colour=colour, everyone=dict(grouped)), queue_table)


def _frame(title: Text, table: Table, queue_table: Table | None) -> Group:
    if queue_table is None:
        return Group(title, table)
    return Group(title, table, Text(""), queue_table)


def plain_text(snapshot: Snapshot, width: int = 200) -> str:
    """The frame as text without colour or trailing blanks (for pipes and files)."""
    return plain_text_of(render(snapshot, width, colour=False), width)


def plain_text_of(renderable: RenderableType, width: int = 200) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True,
                      force_terminal=False, legacy_windows=False)
    console.print(renderable)
    lines = console.export_text(styles=False).splitlines()
    return "\n".join(line.rstrip() for line in lines) + "\n"


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


# -- JSON ----------------------------------------------------------------------------


def row_record(row: SessionRow) -> dict[str, Any]:
    """A JSON-ready record: durations in whole seconds, times ISO 8601."""
    info = row.info
    return {
        "session": row.session,
        "agent": row.agent,
        "name": row.name,
        "group": row.group,
        "state": info.state.name,
        "next_state": None if info.next_state is None else info.next_state.name,
        "time_in_state": _seconds(row.in_state),
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


def queue_record(row: QueueRow) -> dict[str, Any]:
    info = row.info
    return {
        "group": row.group,
        "queue": row.queue_id,
        "name": row.name,
        "waiting": info.current_calls_queued,
        "longest_wait": _seconds(info.current_longest_wait_time),
        "abandoned": info.total_calls_abandoned,
        "queued": info.total_calls_queued,
        "average_wait": _seconds(info.average_wait_time),
        "longest_ever_wait": _seconds(info.longest_ever_wait_time),
    }


def snapshot_record(snapshot: Snapshot, backend: str) -> dict[str, Any]:
    return {
        "time": snapshot.now.isoformat(),
        "backend": backend,
        "scenario": snapshot.scenario,
        "sessions": [row_record(r) for r in sorted(
            snapshot.rows, key=lambda r: (r.agent, r.group, r.session))],
        "queues": [queue_record(q) for q in snapshot.queues],
    }
