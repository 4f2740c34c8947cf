"""The live view's layout, rendered with rich's recording console at fixed
terminal sizes (runs everywhere; tests/cli/test_screens.py checks the same in
a real terminal through tmux)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from rich.cells import cell_len
from rich.console import Console

from pytapi2 import AgentSessionInfo, AgentSessionState, QueueInfo
from pytapi2.cli.view import QueueRow, SessionRow, Snapshot, plain_text, render

NOW = datetime(2026, 1, 5, 11, 0)
S = AgentSessionState


def info(state: AgentSessionState, *, start: datetime = datetime(2026, 1, 5, 8, 0),
         calls: int = 12, duration: timedelta = timedelta(hours=3)) -> AgentSessionInfo:
    talk = timedelta(seconds=200 * calls)
    return AgentSessionInfo(
        state=state, next_state=S.READY, start_time=start, duration=duration,
        number_of_calls=calls, total_talk_time=talk, average_talk_time=talk / max(calls, 1),
        total_call_time=talk * 1.2, average_call_time=talk * 1.2 / max(calls, 1),
        total_wrapup_time=talk * 0.2, average_wrapup_time=talk * 0.2 / max(calls, 1),
        acd_call_rate=Decimal("4.0000"), longest_time_to_answer=timedelta(seconds=95),
        average_time_to_answer=timedelta(seconds=12),
    )


def row(handle: int, agent: str, group: str, state: AgentSessionState = S.READY,
        name: str | None = "Agent Name", **kwargs: object) -> SessionRow:
    i = info(state, **kwargs)  # type: ignore[arg-type]
    return SessionRow(handle, agent, group, i, i.duration, name, timedelta(minutes=handle))


def queue(group: str, waiting: int) -> QueueRow:
    q = QueueInfo(measurement_period=timedelta(minutes=30), total_calls_queued=40,
                  current_calls_queued=waiting, total_calls_abandoned=3,
                  total_calls_flowed_in=0, total_calls_flowed_out=0,
                  longest_ever_wait_time=timedelta(minutes=4),
                  current_longest_wait_time=timedelta(seconds=70 * waiting),
                  average_wait_time=timedelta(seconds=40), final_disposition=0)
    return QueueRow(group, 100, f"{group} line", q)


def center(sessions: int = 20) -> Snapshot:
    groups = ("Sales", "Support", "Billing")
    states = (S.READY, S.BUSY_ON_CALL, S.BUSY_WRAPUP, S.NOT_READY, S.ENDED)
    rows = [row(i + 1, f"{1001 + i}", groups[i % 3], states[i % 5], f"Person Number {i}")
            for i in range(sessions)]
    return Snapshot(NOW, "sim x60", rows, [queue(g, i) for i, g in enumerate(groups)],
                    "Acme Insurance, Monday", groups_order=groups)


def screen(snapshot: Snapshot, width: int, height: int | None) -> list[str]:
    console = Console(width=width, height=height or 1000, file=io.StringIO(), record=True,
                      color_system="truecolor", force_terminal=True)
    console.print(render(snapshot, width, height))
    return console.export_text(styles=False).splitlines()


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40), (80, 12), (60, 30),
                                               (200, 60), (40, 8)])
def test_the_frame_fits_the_terminal(width: int, height: int) -> None:
    lines = screen(center(), width, height)
    assert len(lines) <= height
    assert max(cell_len(line) for line in lines) <= width
    assert lines[0].startswith("Acme Insurance")  # the title never scrolls away


def test_a_wide_terminal_shows_every_column_and_session() -> None:
    lines = screen(center(), 200, 60)
    header = next(line for line in lines if line.startswith("AGENT"))
    assert header.split() == ["AGENT", "NAME", "STATE", "IN", "STATE", "START", "DURATION",
                              "CALLS", "AVG", "TALK", "AVG", "WRAP", "OCC", "MAX", "ANSWER"]
    text = "\n".join(lines)
    for i in range(20):
        assert f"{1001 + i} " in text
    assert "Person Number 0" in text


def test_80_columns_drop_low_priority_columns_first() -> None:
    lines = screen(center(), 80, 40)
    header = next(line for line in lines if line.startswith("AGENT"))
    assert "STATE" in header and "IN STATE" in header and "CALLS" in header
    assert "AVG WRAP" not in header and "MAX ANSWER" not in header
    assert all(cell_len(line) <= 80 for line in lines)


def test_a_short_terminal_cuts_rows_and_says_how_many() -> None:
    lines = screen(center(30), 120, 20)
    assert len(lines) <= 20
    hidden = sum(int(line.split()[0][1:]) for line in lines if line.startswith("+"))
    shown = sum(1 for line in lines if line[:4].isdigit())
    assert shown > 0 and shown + hidden == 30


def test_groups_have_totals_rows_in_order() -> None:
    lines = screen(center(), 200, None)
    starts = [next(i for i, line in enumerate(lines) if line.startswith(g + " "))
              for g in ("Sales", "Support", "Billing")]
    assert starts == sorted(starts)
    sales = lines[starts[0]].split()
    # Sales has sessions 1, 4, 7, ... (every third): its calls add up.
    assert sales[sales.index("active") - 1].isdigit()
    assert str(12 * 7) in sales  # 7 Sales sessions, 12 calls each


def test_queue_panel() -> None:
    text = "\n".join(screen(center(), 120, None))
    assert "QUEUE" in text and "WAITING" in text and "ABANDONED" in text
    assert "Billing: Billing line" in text


def test_emoji_and_wide_names_stay_aligned() -> None:
    rows = [row(1, "😀42", "Sales", name="Zoë 😀"), row(2, "1002", "Sales", name="名前テスト"),
            row(3, "1003", "Sales", name="Plain")]
    lines = screen(Snapshot(NOW, "TAPI", rows), 120, None)
    body = [line for line in lines if line.split() and line.split()[0] in ("😀42", "1002",
                                                                          "1003")]
    ends = {cell_len(line[:line.index("READY") + 5]) for line in body}
    assert len(ends) == 1, body  # the STATE column ends at one display column


def test_ended_sessions_are_dimmed_and_states_coloured() -> None:
    snapshot = Snapshot(NOW, "TAPI", [row(1, "1001", "Sales", S.ENDED),
                                      row(2, "1002", "Sales", S.READY)])
    console = Console(width=120, file=io.StringIO(), record=True, color_system="truecolor",
                      force_terminal=True)
    console.print(render(snapshot, 120, 20))
    ansi = console.export_text(styles=True)
    ended = next(line for line in ansi.splitlines() if "1001" in line)
    ready = next(line for line in ansi.splitlines() if "1002" in line)
    assert "\x1b[2" in ended  # dim
    assert "\x1b[32" in ready  # green


def test_start_shows_the_date_for_a_session_begun_on_another_day() -> None:
    rows = [row(1, "1001", "Night", start=datetime(2026, 1, 4, 22, 0)),
            row(2, "1002", "Night", start=datetime(2026, 1, 5, 6, 0))]
    text = plain_text(Snapshot(NOW, "TAPI", rows))
    assert "01-04 22:00" in text and "06:00:00" in text


def test_plain_text_has_no_escape_codes_or_trailing_blanks() -> None:
    text = plain_text(center())
    assert "\x1b" not in text
    assert all(line == line.rstrip() for line in text.splitlines())
