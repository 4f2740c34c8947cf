"""The ``pytapi2`` command: agent-session tables from TAPI or the simulator.

Commands (reference: ``pytapi2 docs``, the installed ``pytapi2/cli/cli.md``)::

    pytapi2 info                      backend, devices, negotiated API versions
    pytapi2 sessions [--json]         one table row / JSON record per agent session
    pytapi2 watch                     a live view, updated from LINE_AGENTSESSIONSTATUS
    pytapi2 demo [--once] [--json]    a scenario in the simulator, live or all at once
    pytapi2 bench                     latency and throughput of a TAPI provider
    pytapi2 scenario NAME             print a bundled scenario (a starting point)
    pytapi2 docs                      print the command reference

On a terminal ``watch`` and ``demo`` draw a live view (rich) that fits the
terminal; piped they print one final table (or one per ``--interval``), and
``--json`` gives JSON lines. Every failure exits non-zero with ONE line on
stderr (``error: ...``); argument errors exit 2, everything else 1, Ctrl-C
130. ``--debug`` shows tracebacks and debug logging instead.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

from pytapi2.cli.view import (
    QueueRow,
    SessionRow,
    Snapshot,
    plain_text,
    render,
    render_grid,
    snapshot_record,
)
from pytapi2.simulator.scenario import (
    BUNDLED,
    DEFAULT_SCENARIO,
    MAX_SPEED,
    Scenario,
    ScenarioError,
    ScenarioRunner,
    SessionLabel,
    bundled_path,
    load_scenario,
    parse_duration,
)

if TYPE_CHECKING:
    from pytapi2 import AgentSession, AgentSessionInfo, Event, Line, TapiApp
    from pytapi2.simulator import Simulator

__all__ = ["CliError", "docs_path", "main"]

log = logging.getLogger("pytapi2.cli")

PROG = "pytapi2"
APP_NAME = "pytapi2-cli"
#: Real seconds between redraws of the live view on a terminal.
TICK = 1.0
#: After an event, how long (real seconds) to gather the events that follow it
#: before redrawing: bursts become one update, at most ~10 updates a second.
COALESCE = 0.1
#: Longest single step of the virtual clock in ``--once`` runs: state changes
#: are seen at the end of a step, so this is the precision of "time in state".
ONCE_STEP = timedelta(seconds=10)
#: Longest simulated period ``--for`` accepts: a scenario is a day, and a week
#: of random traffic already takes seconds to simulate.
MAX_PERIOD = timedelta(days=7)
#: Real seconds an ended session stays (dimmed) in the live view.
ENDED_LINGER = 10.0


class CliError(Exception):
    """A failure reported as one ``error:`` line; ``status`` is the exit code."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def docs_path() -> Path:
    """The installed command reference (package data, so it exists wherever
    pytapi2 is installed)."""
    return Path(str(resources.files("pytapi2.cli").joinpath("cli.md")))


# -- arguments ---------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def _duration_arg(text: str) -> timedelta:
    try:
        value = parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value <= timedelta(0):
        raise argparse.ArgumentTypeError(f"expected a positive duration, got {text!r}")
    if value > MAX_PERIOD:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_PERIOD.days} days of simulated time, got {text!r}")
    return value


def _speed_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value <= MAX_SPEED):
        raise argparse.ArgumentTypeError(
            f"expected a speed-up in (0, {MAX_SPEED:g}] (the simulator's limit), got {text!r}")
    return value


def _seconds_arg(text: str) -> float:
    try:
        value = parse_duration(text).total_seconds()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"expected a duration in (0, 24h], got {text!r}")
    return value


def _line_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 0xFFFFFFFF:
        raise argparse.ArgumentTypeError(f"expected a device number (0, 1, ...), got {text!r}")
    return value


@dataclass(frozen=True)
class AgentArg:
    id: str
    pin: str | None


def _agent_arg(text: str) -> AgentArg:
    agent_id, sep, pin = text.partition(":")
    if not agent_id:
        raise argparse.ArgumentTypeError(f"expected ID or ID:PIN, got {text!r}")
    return AgentArg(agent_id, pin if sep else None)


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS,
        help="debug logging on stderr, and tracebacks instead of one-line errors",
    )
    parser = _Parser(
        prog=PROG,
        description="Windows TAPI 2.2 agent sessions: inspect, watch, benchmark, or simulate "
        "a call center.",
        epilog="On non-Windows systems the bundled simulator is the TAPI backend\n"
        "(set PYTAPI2_LIBRARY to use another library).\n\n"
        f"Full reference: '{PROG} docs' prints it; installed at:\n  {docs_path()}",
        # The path on a line of its own: argparse would break it at a hyphen.
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", default=False,
                        help=argparse.SUPPRESS)
    from pytapi2 import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_Parser)

    def line_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--line", type=_line_arg, default=0, metavar="N",
                       help="line device to open (default: 0)")

    def agent_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--agent", type=_agent_arg, action="append", default=[], metavar="ID[:PIN]",
            help="show only this agent's sessions (repeatable); TAPI cannot list agents, "
            "so this is how real switches are queried",
        )

    def live_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--interval", type=_seconds_arg, metavar="DURATION",
                       help="print a table (or JSON line) every DURATION of real time "
                       "instead of a live view (default on a terminal: live; piped: "
                       "only the final table)")
        p.add_argument("--json", action="store_true",
                       help="JSON lines instead of tables (one per --interval, and the "
                       "final one)")

    p_info = sub.add_parser("info", parents=[common], help="backend, devices and API versions",
                            description="Show the TAPI backend, its line devices and the "
                            "API version negotiated with each.")
    p_info.add_argument("--json", action="store_true", help="print JSON")

    p_sessions = sub.add_parser(
        "sessions", parents=[common], help="one row per agent session",
        description="One row per agent session, grouped by ACD group: agent, name, state, "
        "time in state, start, duration, calls, averages, occupancy; and the queues.",
    )
    line_option(p_sessions)
    agent_option(p_sessions)
    p_sessions.add_argument(
        "--scenario", metavar="FILE",
        help="simulator only: load a scenario (a TOML file, or a bundled name: "
        f"{', '.join(BUNDLED)}) and run it on the virtual clock for --for first",
    )
    p_sessions.add_argument(
        "--for", dest="period", type=_duration_arg, metavar="DURATION",
        help="with --scenario: how long to run it (default: the whole scenario)",
    )
    p_sessions.add_argument("--json", action="store_true",
                            help="print a JSON document (durations in seconds)")

    p_watch = sub.add_parser(
        "watch", parents=[common], help="a live view until Ctrl-C",
        description="A live view of the agent sessions, updated from "
        "LINE_AGENTSESSIONSTATUS events, until Ctrl-C. On the simulator it runs a "
        "scenario (default: the bundled one) on an accelerated real clock, so that "
        "something happens.",
    )
    line_option(p_watch)
    agent_option(p_watch)
    p_watch.add_argument(
        "--scenario", metavar="FILE",
        help="simulator only: the scenario to run (default: 'default'; 'none': an idle "
        "simulator)",
    )
    p_watch.add_argument("--speed", type=_speed_arg, metavar="X",
                         help="simulator only: clock speed-up (default: the scenario's)")
    live_options(p_watch)

    p_demo = sub.add_parser(
        "demo", parents=[common], help="run a call-center scenario in the simulator",
        description="Load a scenario into the simulator and run it on an accelerated clock "
        "with the live view; --once runs the whole period on the virtual clock and "
        "prints the final table.",
    )
    line_option(p_demo)
    agent_option(p_demo)
    p_demo.add_argument("--scenario", metavar="FILE", default=DEFAULT_SCENARIO,
                        help="a TOML scenario file or a bundled name "
                        f"({', '.join(BUNDLED)}; default: {DEFAULT_SCENARIO})")
    p_demo.add_argument("--speed", type=_speed_arg, metavar="X",
                        help="simulated seconds per real second (default: the scenario's)")
    p_demo.add_argument(
        "--for", dest="period", type=_duration_arg, metavar="DURATION",
        help="how much simulated time to run, e.g. 90s, 15m, 8h, 1h30m "
        f"(default: the whole scenario; at most {MAX_PERIOD.days} days)",
    )
    p_demo.add_argument("--once", action="store_true",
                        help="no live view: run on the virtual clock, print the final table")
    p_demo.add_argument(
        "--handler", metavar="FILE|MODULE",
        help="serve the agent requests with a Python agent handler instead of the "
        "simulator's ACD: a .py file or a module defining demo_handler(scenario, now, "
        "device_id) (e.g. examples/acd_handler.py)",
    )
    live_options(p_demo)

    from pytapi2.cli.bench import add_parser as add_bench

    add_bench(sub, common)

    p_scenario = sub.add_parser(
        "scenario", parents=[common], help="print a bundled scenario",
        description="Print a bundled scenario file (commented), as a starting point for "
        f"your own: '{PROG} scenario default > my.toml'.",
    )
    p_scenario.add_argument("name", choices=BUNDLED, help="which one")

    sub.add_parser("docs", parents=[common], help="print the command reference",
                   description=f"Print the command reference ({docs_path()}).")
    return parser


# -- the TAPI side -------------------------------------------------------------------


@dataclass
class Tracked:
    """Sessions the command shows: labels, last info, time of the last state change."""

    sessions: dict[int, AgentSession] = field(default_factory=dict)
    labels: dict[int, SessionLabel] = field(default_factory=dict)
    infos: dict[int, AgentSessionInfo] = field(default_factory=dict)
    #: handle -> (state, model time it was entered, or None if not known)
    states: dict[int, tuple[Any, datetime | None]] = field(default_factory=dict)
    #: handle -> time.monotonic() when the live view first showed it ended
    ended_at: dict[int, float] = field(default_factory=dict)
    #: Only these agents' sessions (None: all).
    agents: frozenset[str] | None = None

    def wants(self, label: SessionLabel) -> bool:
        return self.agents is None or label.agent in self.agents

    def add(self, session: AgentSession, label: SessionLabel,
            state: Any = None, since: datetime | None = None) -> None:
        if not self.wants(label):
            return
        self.sessions[session.handle] = session
        self.labels[session.handle] = label
        if state is not None:
            self.states[session.handle] = (state, since)

    def note_state(self, handle: int, state: Any, now: datetime) -> None:
        if handle in self.sessions:
            previous = self.states.get(handle)
            if previous is None or previous[0] != state:
                self.states[handle] = (state, now)

    def refresh(self, line: Line, now: datetime, handles: Iterable[int] | None = None) -> None:
        wanted = list(self.sessions) if handles is None else [
            h for h in handles if h in self.sessions
        ]
        if not wanted:
            return
        infos = line.session_infos([self.sessions[h] for h in wanted])
        for handle, info in zip(wanted, infos, strict=True):
            self.infos[handle] = info
            previous = self.states.get(handle)
            if previous is None:
                self.states[handle] = (info.state, None)
            elif previous[0] != info.state:
                self.states[handle] = (info.state, now)

    def rows(self, now: datetime, speed: float | None = None, *,
             live: bool = False) -> list[SessionRow]:
        """Rows; with ``speed`` (model seconds per real second) running
        sessions' durations tick between updates. ``live``: ended sessions
        stay :data:`ENDED_LINGER` real seconds, then leave."""
        rows = []
        clock = time.monotonic()
        for handle, info in self.infos.items():
            if live and info.ended:
                first = self.ended_at.setdefault(handle, clock)
                if clock - first > ENDED_LINGER:
                    continue
            label = self.labels[handle]
            duration = info.duration
            if speed is not None:
                elapsed = (clock - info.snapshot) * speed
                duration = info.duration_at(info.snapshot + elapsed)
            state, since = self.states.get(handle, (info.state, None))
            in_state = None
            if since is not None and state == info.state:
                in_state = max(timedelta(0), now - since)
            rows.append(SessionRow(handle, label.agent, label.group, info, duration,
                                   label.name, in_state))
        return rows


def _simulator() -> Simulator | None:
    import pytapi2
    from pytapi2.simulator import Simulator

    if not pytapi2.backend().is_simulator:
        return None
    return Simulator()


def _require_simulator(what: str) -> Simulator:
    sim = _simulator()
    if sim is None:
        import pytapi2

        raise CliError(f"{what} needs the simulator backend (loaded: {pytapi2.backend().path})")
    return sim


def _open_app() -> TapiApp:
    import pytapi2

    return pytapi2.TapiApp(app_name=APP_NAME)


def _check_line(app: TapiApp, line: int) -> None:
    if line >= app.num_devices:
        raise CliError(f"--line {line}: no such line device ({app.num_devices} available)")


def _group_names(line: Line) -> dict[Any, str]:
    try:
        return {group.id: group.name for group in line.groups()}
    except Exception as exc:  # the group list is a nicety: fall back to GUIDs
        log.debug("cannot list groups: %s", exc)
        return {}


def _queues(line: Line) -> list[tuple[str, Any]]:
    """(group name, Queue) of every group; empty where the provider has no
    queue functions (API < 3.0) — the queue panel is then left out."""
    found: list[tuple[str, Any]] = []
    try:
        for group in line.groups():
            found.extend((group.name, queue) for queue in line.queues(group))
    except Exception as exc:
        log.debug("no queue panel: %s", exc)
        return []
    return found


def _queue_rows(line: Line, queues: Sequence[tuple[str, Any]]) -> list[QueueRow]:
    rows = []
    for group, queue in queues:
        try:
            rows.append(QueueRow(group, queue.id, queue.name, line.queue_info(queue)))
        except Exception as exc:
            log.debug("queue %s: %s", queue.id, exc)
    return rows


def _create_agent(line: Line, arg: AgentArg, *, empty_simulator: bool,
                  scenario: Scenario | None = None) -> Any:
    """``line.create_agent`` with an error that names the agent (and, on an
    empty simulator, says why it does not know it). TAPI documents only
    LINEERR_INVALPARAM for an unknown agent or a wrong PIN; with a scenario
    loaded the command can tell which it was."""
    from pytapi2 import TapiError

    try:
        return line.create_agent(arg.id, pin=arg.pin)
    except TapiError as exc:
        known = None if scenario is None else {a.id: a for a in scenario.agents}
        if exc.name == "LINEERR_INVALAGENTID" or (known is not None and arg.id not in known):
            what = "no such agent" + (f" in {scenario.source}" if scenario else "")
        elif exc.name == "LINEERR_INVALPASSWORD" or known is not None:
            what = "wrong PIN" if arg.pin is not None else "a PIN is needed (--agent ID:PIN)"
        elif exc.name == "LINEERR_INVALPARAM":
            what = "unknown agent ID or wrong PIN"
        else:
            what = str(exc)
        hint = ("; the simulator starts empty: add --scenario small (or default, or a "
                "scenario file)" if empty_simulator else "")
        raise CliError(f"--agent {arg.id}: {what} ({exc.name} from {exc.function}){hint}") \
            from exc


def _track_agents(line: Line, agents: Sequence[AgentArg], tracked: Tracked, *,
                  empty_simulator: bool, scenario: Scenario | None = None) -> None:
    groups = _group_names(line)
    names = _names(scenario)
    for arg in agents:
        agent = _create_agent(line, arg, empty_simulator=empty_simulator, scenario=scenario)
        for session in agent.sessions:
            if session.handle in tracked.sessions:
                continue
            group = groups.get(session.group, str(session.group))
            tracked.add(session, SessionLabel(arg.id, group, names.get(arg.id)))


def _take_events(app: TapiApp, tracked: Tracked, now: Callable[[], datetime],
                 timeout: float) -> tuple[set[int], list[AgentSession]]:
    """Wait up to ``timeout`` s for an event, then gather the burst that follows
    it for up to :data:`COALESCE` s. Notes state changes; returns the sessions
    the events named (handles) and the sessions they announced as new."""
    from pytapi2 import AgentSessionEvent, AgentSessionStatus

    named: set[int] = set()
    new: list[AgentSession] = []

    def take(event: Event) -> None:
        if isinstance(event, AgentSessionEvent):
            named.add(event.session.handle)
            if AgentSessionStatus.NEW_SESSION in event.status:
                new.append(event.session)
            if event.state is not None:
                tracked.note_state(event.session.handle, event.state, now())

    if timeout <= 0:
        for event in app.events(timeout=0):
            take(event)
        return named, new
    # The burst is gathered only until ``timeout`` runs out: the caller's
    # timeout ends before a shift start or the end of the run, which must be
    # stepped to exactly.
    limit = time.monotonic() + timeout
    for event in app.events(timeout=timeout):
        take(event)
        break
    else:
        return named, new
    deadline = min(limit, time.monotonic() + COALESCE)
    while (left := deadline - time.monotonic()) > 0:
        more = app.next_event(timeout=left)
        if more is None:
            break
        take(more)
    return named, new


# -- output -----------------------------------------------------------------------------


class Output:
    """Where frames go: a live view on a terminal, or printed snapshots."""

    def __init__(self, out: TextIO, *, as_json: bool, interval: float | None,
                 backend: str, live: bool) -> None:
        self.out = out
        self.as_json = as_json
        self.interval = interval
        self.backend = backend
        self.live = live and not as_json and interval is None and out.isatty()
        self._live: Any = None
        self._next_print = time.monotonic() + interval if interval is not None else None
        self.frames = 0

    def __enter__(self) -> Output:
        if self.live:
            from rich.console import Console
            from rich.live import Live

            console = Console(file=self.out)
            self._live = Live(console=console, auto_refresh=False, transient=False,
                              redirect_stdout=False, redirect_stderr=False,
                              vertical_overflow="crop")
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def show(self, snapshot: Snapshot) -> None:
        """A frame while running: drawn live, or printed when an interval is due."""
        if self._live is not None:
            console = self._live.console
            width, height = console.size
            # One row spare: a frame as tall as the terminal would scroll it.
            self._live.update(render(snapshot, width, height - 1, live=True), refresh=True)
            self.frames += 1
        elif self._next_print is not None and time.monotonic() >= self._next_print:
            assert self.interval is not None
            self.print(snapshot)
            self._next_print = time.monotonic() + self.interval

    def final(self, snapshot: Snapshot) -> None:
        if self._live is not None:
            self.show(snapshot)
        else:
            self.print(snapshot)

    def print(self, snapshot: Snapshot) -> None:
        if self.as_json:
            self.out.write(json.dumps(snapshot_record(snapshot, self.backend)) + "\n")
        else:
            if self.frames:
                self.out.write("\n")
            self.out.write(plain_text(snapshot))
        self.out.flush()
        self.frames += 1


def _write(out: TextIO, lines: Iterable[str]) -> None:
    out.write("".join(f"{line}\n" for line in lines))
    out.flush()


def _source(sim: Simulator | None, speed: float | None) -> str:
    if sim is None:
        return "TAPI"
    return "simulator" if speed is None else f"sim x{speed:g}"


@dataclass
class Context:
    """What every frame is built from."""

    line: Line
    tracked: Tracked
    sim: Simulator | None
    scenario: Scenario | None
    speed: float | None
    queues: list[tuple[str, Any]]

    def now(self) -> datetime:
        return self.sim.now() if self.sim is not None else datetime.now()

    def snapshot(self, *, live: bool, note: str = "") -> Snapshot:
        now = self.now()
        ticking = self.speed if (live and self.sim is not None) else (1.0 if live else None)
        order = [g.name for g in self.scenario.groups] if self.scenario else []
        return Snapshot(now, _source(self.sim, self.speed),
                        self.tracked.rows(now, ticking, live=live),
                        _queue_rows(self.line, self.queues), self.scenario.name
                        if self.scenario else None, note, order)


# -- commands ---------------------------------------------------------------------------


def cmd_info(args: argparse.Namespace, out: TextIO) -> int:
    import pytapi2

    backend = pytapi2.backend()
    devices: list[dict[str, Any]] = []
    with _open_app() as app:
        for device in range(app.num_devices):
            try:
                version = str(app.negotiate_api_version(device))
            except Exception as exc:  # a device without agent support: say so, go on
                log.debug("device %d: %s", device, exc)
                version = f"unavailable ({_one_line(exc)})"
            devices.append({"device": device, "api_version": version})
    if args.json:
        document = {
            "backend": backend.kind,
            "library": backend.path,
            "simulator": backend.is_simulator,
            "devices": devices,
        }
        out.write(json.dumps(document, indent=2) + "\n")
        return 0
    lines = [
        f"backend: {backend.kind}"
        + (" (the simulator)" if backend.is_simulator and backend.kind != "simulator" else ""),
        f"library: {backend.path}",
        f"devices: {len(devices)}",
        "",
        *render_grid(("DEVICE", "API VERSION"),
                     [(str(d["device"]), d["api_version"]) for d in devices], {"DEVICE"}),
    ]
    _write(out, lines)
    return 0


def _agent_filter(args: argparse.Namespace) -> frozenset[str] | None:
    return frozenset(a.id for a in args.agent) if args.agent else None


def _drain_events(app: TapiApp, ctx: Context) -> None:
    """Take the queued events now (their state changes happened by ``now``)."""
    _take_events(app, ctx.tracked, ctx.now, 0)


def _run_virtual(ctx: Context, app: TapiApp, runner: ScenarioRunner, until: datetime) -> None:
    tracked = ctx.tracked

    def login(session: AgentSession) -> None:
        tracked.add(session, runner.labels[session.handle], *_login_state(ctx))

    runner.on_login = login
    def drain() -> None:
        _take_events(app, tracked, ctx.now, 0)

    runner.run_virtual(ctx.line, until, step=ONCE_STEP, after_step=drain)


def _login_state(ctx: Context) -> tuple[Any, datetime]:
    from pytapi2 import AgentSessionState

    return AgentSessionState.READY, ctx.now()


def cmd_sessions(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import pytapi2

    scenario = load_scenario(args.scenario) if args.scenario else None
    if args.period is not None and scenario is None:
        raise CliError("--for needs --scenario", 2)
    sim = _simulator()
    if scenario is not None and sim is None:
        raise CliError("--scenario needs the simulator backend "
                       f"(loaded: {pytapi2.backend().path})")
    if sim is None and not args.agent:
        raise CliError("name the agents to show with --agent ID[:PIN] "
                       "(TAPI has no way to list agents)", 2)
    runner = None
    if scenario is not None:
        assert sim is not None
        runner = ScenarioRunner(scenario, sim)
        runner.configure()
    tracked = Tracked(agents=_agent_filter(args))
    with _open_app() as app:
        _check_line(app, args.line)
        with app.open_line(args.line) as line:
            ctx = Context(line, tracked, sim, scenario, None, _queues(line))
            if runner is not None and scenario is not None:
                period = args.period if args.period is not None else scenario.length
                _run_virtual(ctx, app, runner, scenario.start + period)
            _track_agents(line, args.agent, tracked,
                          empty_simulator=sim is not None and scenario is None,
                          scenario=scenario)
            if sim is not None and scenario is None and not args.agent:
                err.write("note: the simulator starts empty; add --scenario small (or "
                          "default, or a scenario file) to run one first\n")
            tracked.refresh(line, ctx.now())
            snapshot = ctx.snapshot(live=False)
    if args.json:
        out.write(json.dumps(snapshot_record(snapshot, pytapi2.backend().kind), indent=2) + "\n")
    else:
        out.write(plain_text(snapshot))
    out.flush()
    return 0


def _names(scenario: Scenario | None) -> dict[str, str]:
    if scenario is None:
        return {}
    return {a.id: a.name for a in scenario.agents if a.name}


def _live(
    app: TapiApp,
    ctx: Context,
    output: Output,
    *,
    runner: ScenarioRunner | None,
    until: datetime | None,
    accept_new: bool,
) -> None:
    """Frames until ``until`` (model time) or Ctrl-C.

    On the simulator (``ctx.speed`` and ``ctx.sim`` set) the clock runs in real
    mode ``speed`` times faster; shortly before a shift start or ``until`` it
    is frozen and advanced virtually to exactly that moment, so agents log in
    on time and the run ends on time whatever the speed.
    """
    sim, speed, line, tracked = ctx.sim, ctx.speed, ctx.line, ctx.tracked
    real = sim is not None and speed is not None

    def draw() -> None:
        output.show(ctx.snapshot(live=True))

    if runner is not None:
        runner.on_login = lambda s: tracked.add(s, runner.labels[s.handle], *_login_state(ctx))
        runner.login_due(line, ctx.now())
    tracked.refresh(line, ctx.now())
    draw()
    if real:
        assert sim is not None and speed is not None
        sim.use_real_clock(speed)
    # Real seconds before a stop at which the clock is frozen: the gathering
    # of events plus the last update's work (drawing takes tens of ms, which
    # is minutes of model time at high speeds).
    margin = COALESCE

    def stop_at() -> datetime | None:
        stops = [t for t in (until, runner.next_login if runner else None) if t is not None]
        return min(stops) if stops else None

    while True:
        now = ctx.now()
        wait = TICK if output.interval is None else min(TICK, output.interval)
        if real:
            assert sim is not None and speed is not None
            stop = stop_at()
            if stop is not None and (stop - now).total_seconds() / speed <= margin:
                # Close enough: step there on the virtual clock, then go on.
                sim.use_virtual_clock()
                if runner is not None:
                    runner.run_virtual(line, stop, step=ONCE_STEP,
                                       after_step=lambda: _drain_events(app, ctx))
                elif stop > now:
                    sim.advance(stop - now)
                _drain_events(app, ctx)
                if stop == until:
                    return
                sim.use_real_clock(speed)
                tracked.refresh(line, ctx.now())
                draw()
                continue
            if stop is not None:
                wait = min(wait, (stop - now).total_seconds() / speed - margin)
        elif until is not None and now >= until:
            return
        named, new = _take_events(app, tracked, ctx.now, wait)
        work = time.monotonic()
        if real:
            assert speed is not None
            stop = stop_at()
            if stop is not None and (stop - ctx.now()).total_seconds() / speed <= margin:
                continue  # no time to draw: step to the stop first
        if runner is not None:
            for session in runner.login_due(line, ctx.now()):
                named.add(session.handle)
        if accept_new:
            names: dict[Any, str] | None = None
            for session in new:
                if session.handle not in tracked.sessions:
                    names = names if names is not None else _group_names(line)
                    agent_id = session.agent.id if session.agent is not None else None
                    group = "?" if session.group is None else names.get(session.group,
                                                                        str(session.group))
                    tracked.add(session, SessionLabel(agent_id or "?", group))
                    named.add(session.handle)
        dirty = {h for h in named if h in tracked.sessions}
        if dirty:
            tracked.refresh(line, ctx.now(), dirty)
        draw()
        margin = COALESCE + 2 * (time.monotonic() - work)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a live command like Ctrl-C does (final table, exit 130)."""
    if not hasattr(signal, "SIGTERM"):
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (tests calling main())
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_watch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import pytapi2

    sim = _simulator()
    if sim is None:
        if args.scenario is not None or args.speed is not None:
            raise CliError("--scenario and --speed need the simulator backend "
                           f"(loaded: {pytapi2.backend().path})", 2)
        if not args.agent:
            raise CliError("name the agents to watch with --agent ID[:PIN] "
                           "(TAPI has no way to list agents)", 2)
    choice = DEFAULT_SCENARIO if args.scenario is None else args.scenario
    scenario = None
    runner = None
    if sim is not None and choice != "none":
        scenario = load_scenario(choice)
        runner = ScenarioRunner(scenario, sim)
        runner.configure()
    speed = None
    if sim is not None:
        speed = args.speed if args.speed is not None else (scenario.speed if scenario else 1.0)
    tracked = Tracked(agents=_agent_filter(args))
    with _open_app() as app:
        _check_line(app, args.line)
        with app.open_line(args.line) as line, \
                Output(out, as_json=args.json, interval=args.interval,
                       backend=pytapi2.backend().kind, live=True) as output:
            ctx = Context(line, tracked, sim, scenario, speed, _queues(line))
            _track_agents(line, args.agent, tracked,
                          empty_simulator=sim is not None and scenario is None,
                          scenario=scenario)
            try:
                with _sigterm_as_interrupt():
                    _live(app, ctx, output, runner=runner, until=None,
                          accept_new=runner is None and not args.agent)
            except KeyboardInterrupt:
                tracked.refresh(line, ctx.now())
                output.final(ctx.snapshot(live=False, note="stopped"))
                raise
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import pytapi2

    if args.once and args.speed is not None:
        raise CliError("--speed has no effect with --once (it runs on the virtual clock)", 2)
    if args.once and args.interval is not None:
        raise CliError("--interval has no effect with --once (it prints the final table)", 2)
    scenario = load_scenario(args.scenario)
    from pytapi2 import _native

    if _native.configured_library() is None:
        # The demo is the simulator's, on every OS (on Windows the default is tapi32.dll).
        pytapi2.load("simulator")
    sim = _require_simulator("demo")
    period = args.period if args.period is not None else scenario.length
    until = scenario.start + period
    if args.handler is not None:
        return _demo_with_handler(args, out, sim, scenario, until)
    runner = ScenarioRunner(scenario, sim)
    runner.configure()
    tracked = Tracked(agents=_agent_filter(args))
    backend = pytapi2.backend().kind
    with _open_app() as app:
        _check_line(app, args.line)
        with app.open_line(args.line) as line:
            if args.once:
                ctx = Context(line, tracked, sim, scenario, None, _queues(line))
                _run_virtual(ctx, app, runner, until)
                _track_agents(line, args.agent, tracked, empty_simulator=False,
                              scenario=scenario)
                tracked.refresh(line, ctx.now())
                snapshot = ctx.snapshot(live=False)
                if args.json:
                    out.write(json.dumps(snapshot_record(snapshot, backend), indent=2) + "\n")
                else:
                    out.write(plain_text(snapshot))
                out.flush()
                return 0
            speed = args.speed if args.speed is not None else scenario.speed
            ctx = Context(line, tracked, sim, scenario, speed, _queues(line))
            with Output(out, as_json=args.json, interval=args.interval, backend=backend,
                        live=True) as output:
                try:
                    with _sigterm_as_interrupt():
                        _live(app, ctx, output, runner=runner, until=until, accept_new=False)
                except KeyboardInterrupt:
                    tracked.refresh(line, ctx.now())
                    output.final(ctx.snapshot(live=False, note="stopped"))
                    raise
                # The period is over (the clock is frozen at its end): the final state.
                tracked.refresh(line, ctx.now())
                output.final(ctx.snapshot(live=False, note="final"))
    return 0


#: What a ``--handler`` file or module defines.
HANDLER_ENTRY = "demo_handler"


def _load_handler(spec: str) -> Callable[..., Any]:
    """The ``demo_handler`` of a Python file (a path, or a name ending in
    .py) or of an importable module; every failure is one line naming it."""
    import importlib
    import importlib.util

    try:
        if spec.endswith(".py") or os.sep in spec or "/" in spec:
            path = Path(spec)
            if not path.is_file():
                raise CliError(f"--handler {spec}: no such file")
            module_spec = importlib.util.spec_from_file_location(
                f"pytapi2_demo_handler_{path.stem}", path)
            if module_spec is None or module_spec.loader is None:
                raise CliError(f"--handler {spec}: not a Python file")
            module = importlib.util.module_from_spec(module_spec)
            # Registered first, as an import would: dataclasses look their module up.
            sys.modules[module_spec.name] = module
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(spec)
    except CliError:
        raise
    except ModuleNotFoundError as exc:
        if exc.name == spec:
            raise CliError(f"--handler {spec}: no such file or module") from exc
        raise CliError(f"--handler {spec}: cannot load it: {_one_line(exc)}") from exc
    except Exception as exc:  # the user's code: its own errors, on one line
        raise CliError(f"--handler {spec}: cannot load it: {type(exc).__name__}: "
                       f"{_one_line(exc)}") from exc
    entry = getattr(module, HANDLER_ENTRY, None)
    if not callable(entry):
        raise CliError(f"--handler {spec}: defines no {HANDLER_ENTRY}(scenario, now, "
                       "device_id) function")
    return cast("Callable[..., Any]", entry)


def _log_in_with_handler(line: Line, scenario: Scenario, tracked: Tracked,
                         now: datetime) -> None:
    """Every agent the scenario logs in, in each of its groups, READY, at once
    (the handler's ACD has its own model: no shifts, breaks or traffic)."""
    from pytapi2 import AgentSessionState

    ready = AgentSessionState.READY
    for agent in scenario.agents:
        if agent.shift_start is None:
            continue
        handle = _create_agent(line, AgentArg(agent.id, agent.pin), empty_simulator=False,
                               scenario=scenario)
        for group_name in agent.groups:
            group = scenario.group(group_name)
            session = handle.create_session(group=group.id, address_id=0, pin=agent.pin)
            session.set_state(ready)
            tracked.add(session, SessionLabel(agent.id, group.name, agent.name),
                        ready, now)


def _demo_with_handler(args: argparse.Namespace, out: TextIO, sim: Simulator,
                       scenario: Scenario, until: datetime) -> int:
    """``demo --handler``: the scenario's call center served by a Python
    agent handler in this process; the simulator only carries the messages
    and keeps the clock (its own ACD is off, so a request the handler does
    not serve fails with LINEERR_OPERATIONUNAVAIL)."""
    import pytapi2

    entry = _load_handler(args.handler)
    sim.reset()
    sim.configure_lines(scenario.lines, 1)
    sim.use_virtual_clock(scenario.start)
    sim.set_builtin_handler(False)
    tracked = Tracked(agents=_agent_filter(args))
    backend = pytapi2.backend().kind
    try:
        served = entry(scenario, sim.now, args.line)
    except Exception as exc:
        raise CliError(f"--handler {args.handler}: {HANDLER_ENTRY} failed: "
                       f"{type(exc).__name__}: {_one_line(exc)}") from exc
    try:
        with _open_app() as app:
            _check_line(app, args.line)
            with app.open_line(args.line) as line:
                _log_in_with_handler(line, scenario, tracked, sim.now())
                _track_agents(line, args.agent, tracked, empty_simulator=False,
                              scenario=scenario)
                if args.once:
                    ctx = Context(line, tracked, sim, scenario, None, _queues(line))
                    if until > sim.now():
                        sim.advance(until - sim.now())
                    _drain_events(app, ctx)
                    tracked.refresh(line, ctx.now())
                    snapshot = ctx.snapshot(live=False)
                    if args.json:
                        out.write(json.dumps(snapshot_record(snapshot, backend), indent=2)
                                  + "\n")
                    else:
                        out.write(plain_text(snapshot))
                    out.flush()
                    return 0
                speed = args.speed if args.speed is not None else scenario.speed
                ctx = Context(line, tracked, sim, scenario, speed, _queues(line))
                with Output(out, as_json=args.json, interval=args.interval, backend=backend,
                            live=True) as output:
                    try:
                        with _sigterm_as_interrupt():
                            _live(app, ctx, output, runner=None, until=until,
                                  accept_new=False)
                    except KeyboardInterrupt:
                        tracked.refresh(line, ctx.now())
                        output.final(ctx.snapshot(live=False, note="stopped"))
                        raise
                    tracked.refresh(line, ctx.now())
                    output.final(ctx.snapshot(live=False, note="final"))
        return 0
    finally:
        close = getattr(served, "close", None)
        if callable(close):
            close()
        sim.set_builtin_handler(True)

def cmd_scenario(args: argparse.Namespace, out: TextIO) -> int:
    out.write(bundled_path(args.name).read_text(encoding="utf-8"))
    return 0


def cmd_docs(args: argparse.Namespace, out: TextIO) -> int:
    out.write(docs_path().read_text(encoding="utf-8"))
    return 0


def _cmd_bench(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pytapi2.cli.bench import cmd_bench

    return cmd_bench(args, out, err)


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "info": lambda args, out, err: cmd_info(args, out),
    "sessions": cmd_sessions,
    "watch": cmd_watch,
    "demo": cmd_demo,
    "bench": _cmd_bench,
    "scenario": lambda args, out, err: cmd_scenario(args, out),
    "docs": lambda args, out, err: cmd_docs(args, out),
}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _quiet_stdout() -> None:
    """The reader went away (``| head``): point stdout at the null device so
    the interpreter's final flush does not complain again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _tolerant_streams() -> None:
    """Output to a pipe or file on Windows is in the ANSI code page (cp1252...),
    which lacks the tables' box-drawing rules: write '?' for what the stream's
    encoding cannot hold instead of failing with UnicodeEncodeError. (A
    console, and UTF-8 streams elsewhere, encode everything: no change.)"""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            "\u2500\u2076".encode(getattr(stream, "encoding", None) or "ascii")
        except (UnicodeEncodeError, LookupError):
            reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(args.debug)
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    _tolerant_streams()
    out, err = sys.stdout, sys.stderr
    try:
        return COMMANDS[args.command](args, out, err)
    except KeyboardInterrupt:
        if debug:
            raise
        return 130
    except BrokenPipeError:
        # `pytapi2 demo | head`: the reader had what it wanted; not a failure.
        _quiet_stdout()
        return 0
    except OSError as exc:
        # Windows reports a pipe closed by its reader as EINVAL on write.
        if sys.platform == "win32" and exc.errno == errno.EINVAL and not debug:
            _quiet_stdout()
            return 0
        if debug:
            raise
        err.write(f"error: {type(exc).__name__}: {_one_line(exc)}\n")
        return 1
    except CliError as exc:
        if debug:
            raise
        err.write(f"error: {_one_line(exc)}\n")
        return exc.status
    except ScenarioError as exc:
        if debug:
            raise
        err.write(f"error: {_one_line(exc)}\n")
        return 1
    except Exception as exc:
        if debug:
            raise
        err.write(f"error: {type(exc).__name__}: {_one_line(exc)}\n")
        return 1
