"""The ``pytapi2`` command: agent-session tables from TAPI or the simulator.

Commands (see docs/cli.md)::

    pytapi2 info                      backend, devices, negotiated API versions
    pytapi2 sessions [--json]         one table row / JSON record per agent session
    pytapi2 watch                     a live table, updated from LINE_AGENTSESSIONSTATUS
    pytapi2 demo [--once] [--json]    a scenario in the simulator, live or all at once

Every failure exits non-zero with ONE line on stderr (``error: ...``); argument
errors exit 2, everything else 1, Ctrl-C 130. ``--debug`` shows tracebacks
and debug logging instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from pytapi2.cli.scenario import (
    DEFAULT_SCENARIO,
    Scenario,
    ScenarioError,
    ScenarioRunner,
    SessionLabel,
    load_scenario,
    parse_duration,
)
from pytapi2.cli.table import LiveTable, SessionRow, render, row_record

if TYPE_CHECKING:
    from pytapi2 import AgentSession, AgentSessionInfo, Event, Line, TapiApp
    from pytapi2.simulator import Simulator

__all__ = ["CliError", "main"]

log = logging.getLogger("pytapi2.cli")

PROG = "pytapi2"
APP_NAME = "pytapi2-cli"
#: Real seconds between redraws of the live table on a terminal.
TICK = 1.0
#: After an event, how long (real seconds) to gather the events that follow it
#: before redrawing: bursts become one update, at most ~10 updates a second.
COALESCE = 0.1
#: Longest single step of the virtual clock in ``--once`` runs.
ONCE_STEP = timedelta(minutes=1)


class CliError(Exception):
    """A failure reported as one ``error:`` line; ``status`` is the exit code."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


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
    return value


def _speed_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _line_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
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
        description="Windows TAPI 2.2 agent sessions: inspect, watch, or simulate a call center.",
        epilog="On non-Windows systems the bundled simulator is the TAPI backend "
        "(set PYTAPI2_LIBRARY to use another library). See docs/cli.md.",
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
            help="an agent whose sessions to show (repeatable); TAPI cannot list agents, "
            "so this is how real switches are queried",
        )

    p_info = sub.add_parser("info", parents=[common], help="backend, devices and API versions",
                            description="Show the TAPI backend, its line devices and the "
                            "API version negotiated with each.")
    p_info.add_argument("--json", action="store_true", help="print JSON")

    p_sessions = sub.add_parser(
        "sessions", parents=[common], help="one row per agent session",
        description="One row per agent session: agent, group, state, start, duration, "
        "calls, average talk and wrap-up, occupancy, longest time to answer.",
    )
    line_option(p_sessions)
    agent_option(p_sessions)
    p_sessions.add_argument(
        "--scenario", metavar="FILE",
        help="simulator only: load a scenario (a TOML file, or 'default') and run it "
        "on the virtual clock for --for first",
    )
    p_sessions.add_argument(
        "--for", dest="period", type=_duration_arg, metavar="DURATION",
        help="with --scenario: how long to run it (default: the whole scenario)",
    )
    p_sessions.add_argument("--json", action="store_true",
                            help="print JSON records (durations in seconds)")

    p_watch = sub.add_parser(
        "watch", parents=[common], help="a live table until Ctrl-C",
        description="A live session table, updated from LINE_AGENTSESSIONSTATUS events, "
        "until Ctrl-C. On the simulator it runs a scenario (default: the bundled one) "
        "on an accelerated real clock, so that something happens.",
    )
    line_option(p_watch)
    agent_option(p_watch)
    p_watch.add_argument(
        "--scenario", metavar="FILE",
        help="simulator only: the scenario to run (default: 'default'; 'none': an idle "
        "simulator)",
    )
    p_watch.add_argument("--speed", type=_speed_arg, metavar="X",
                         help="simulator only: clock speed-up (default: the scenario's, 60)")

    p_demo = sub.add_parser(
        "demo", parents=[common], help="run a call-center scenario in the simulator",
        description="Load a scenario into the simulator and run it on an accelerated clock "
        "with the live table; --once runs the whole period on the virtual clock and "
        "prints the final table.",
    )
    line_option(p_demo)
    p_demo.add_argument("--scenario", metavar="FILE", default=DEFAULT_SCENARIO,
                        help="a TOML scenario file (default: the bundled one)")
    p_demo.add_argument("--speed", type=_speed_arg, metavar="X",
                        help="simulated seconds per real second (default: the scenario's, 60)")
    p_demo.add_argument(
        "--for", dest="period", type=_duration_arg, metavar="DURATION",
        help="how much simulated time to run, e.g. 90s, 15m, 8h, 1h30m "
        "(default: the whole scenario)",
    )
    p_demo.add_argument("--once", action="store_true",
                        help="no live table: run on the virtual clock, print the final table")
    p_demo.add_argument("--json", action="store_true",
                        help="with --once: print JSON instead of the table")
    return parser


# -- the TAPI side -------------------------------------------------------------------


@dataclass
class Tracked:
    """Sessions the command shows, with their labels and last info."""

    sessions: dict[int, AgentSession] = field(default_factory=dict)
    labels: dict[int, SessionLabel] = field(default_factory=dict)
    infos: dict[int, AgentSessionInfo] = field(default_factory=dict)

    def add(self, session: AgentSession, label: SessionLabel) -> None:
        self.sessions[session.handle] = session
        self.labels[session.handle] = label

    def refresh(self, line: Line, handles: Iterable[int] | None = None) -> None:
        wanted = list(self.sessions) if handles is None else [
            h for h in handles if h in self.sessions
        ]
        if not wanted:
            return
        infos = line.session_infos([self.sessions[h] for h in wanted])
        self.infos.update(zip(wanted, infos, strict=True))

    def rows(self, speed: float | None = None) -> list[SessionRow]:
        """Rows in a stable order (agent, group); with ``speed`` (model seconds
        per real second) running sessions' durations tick between updates."""
        rows = []
        for handle, info in self.infos.items():
            label = self.labels[handle]
            rows.append(SessionRow.of(handle, label.agent, label.group, info, speed))
        rows.sort(key=lambda r: (r.agent, r.group, r.session))
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


def _track_agents(line: Line, agents: Sequence[AgentArg], tracked: Tracked) -> None:
    names = _group_names(line)
    for arg in agents:
        agent = line.create_agent(arg.id, pin=arg.pin)
        for session in agent.sessions:
            tracked.add(session, SessionLabel(arg.id, names.get(session.group, str(session.group))))


def _pump(app: TapiApp, timeout: float) -> tuple[set[int], list[AgentSession]]:
    """Wait up to ``timeout`` s for an event, then gather the burst that follows
    it for up to :data:`COALESCE` s. Returns the sessions the events named
    (handles) and the sessions they announced as new."""
    from pytapi2 import AgentSessionEvent, AgentSessionStatus

    named: set[int] = set()
    new: list[AgentSession] = []

    def take(event: Event) -> None:
        if isinstance(event, AgentSessionEvent):
            named.add(event.session.handle)
            if AgentSessionStatus.NEW_SESSION in event.status:
                new.append(event.session)

    for event in app.events(timeout=max(timeout, 0.0)):
        take(event)
        break
    else:
        return named, new
    deadline = time.monotonic() + COALESCE
    for event in app.events(timeout=COALESCE):
        take(event)
        if time.monotonic() >= deadline:
            break
    return named, new


def _drain(app: TapiApp) -> None:
    for _ in app.events(timeout=0):
        pass


# -- output -----------------------------------------------------------------------------


def _write(out: TextIO, lines: Iterable[str]) -> None:
    out.write("".join(f"{line}\n" for line in lines))
    out.flush()


def _print_sessions(
    out: TextIO, tracked: Tracked, *, as_json: bool, now: datetime, backend: str,
    scenario: Scenario | None,
) -> None:
    rows = tracked.rows()
    if as_json:
        document = {
            "time": now.isoformat(),
            "backend": backend,
            "scenario": None if scenario is None else scenario.name,
            "sessions": [row_record(row) for row in rows],
        }
        out.write(json.dumps(document, indent=2) + "\n")
        out.flush()
    else:
        _write(out, render(rows))


def _title(scenario: Scenario | None, now: datetime, speed: float | None, count: int) -> str:
    where = "TAPI" if speed is None else f"simulator x{speed:g}"
    name = f"{scenario.name} | " if scenario else ""
    return f"{name}{now:%Y-%m-%d %H:%M:%S} ({where}) | {count} sessions"


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
    from pytapi2.cli.table import render_grid

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
    tracked = Tracked()
    with _open_app() as app:
        _check_line(app, args.line)
        with app.open_line(args.line) as line:
            if runner is not None and scenario is not None:
                period = args.period if args.period is not None else scenario.length
                runner.run_virtual(line, scenario.start + period, step=ONCE_STEP,
                                   after_step=lambda: _drain(app))
                for session in runner.sessions:
                    tracked.add(session, runner.labels[session.handle])
            _track_agents(line, args.agent, tracked)
            if sim is not None and scenario is None and not args.agent:
                err.write("note: the simulator starts empty; add --scenario default "
                          "(or a scenario file) to run one first\n")
            tracked.refresh(line)
            now = sim.now() if sim is not None else datetime.now()
    _print_sessions(out, tracked, as_json=args.json, now=now,
                    backend=pytapi2.backend().kind, scenario=scenario)
    return 0


def _live(
    app: TapiApp,
    line: Line,
    tracked: Tracked,
    out: TextIO,
    *,
    runner: ScenarioRunner | None,
    sim: Simulator | None,
    speed: float | None,
    until: datetime | None,
    scenario: Scenario | None,
    accept_new: bool,
) -> LiveTable:
    """The live table (returned) until ``until`` (model time) or Ctrl-C.

    On the simulator (``speed`` and ``sim`` given) the clock runs in real mode
    ``speed`` times faster; shortly before a shift start or ``until`` it is
    frozen and advanced virtually to exactly that moment, so agents log in on
    time and the run ends on time whatever the speed.
    """
    table = LiveTable(out)
    real = sim is not None and speed is not None

    def clock() -> datetime:
        return sim.now() if sim is not None else datetime.now()

    def draw() -> None:
        now = clock()
        rows = tracked.rows(speed if real else 1.0 if sim is None else None)
        table.show([_title(scenario, now, speed, len(rows)), *render(rows)])

    if runner is not None:
        runner.on_login = lambda s: tracked.add(s, runner.labels[s.handle])
        runner.login_due(line, clock())
    tracked.refresh(line)
    draw()
    if real:
        assert sim is not None and speed is not None
        sim.use_real_clock(speed)
    while True:
        now = clock()
        wait = TICK
        if real:
            assert sim is not None and speed is not None
            stops = [t for t in (until, runner.next_login if runner else None) if t is not None]
            stop = min(stops) if stops else None
            if stop is not None and (stop - now).total_seconds() / speed <= COALESCE:
                # Close enough: step there on the virtual clock, then go on.
                sim.use_virtual_clock()
                if runner is not None:
                    runner.run_virtual(line, stop)
                elif stop > now:
                    sim.advance(stop - now)
                if stop == until:
                    return table
                sim.use_real_clock(speed)
                tracked.refresh(line)
                draw()
                continue
            if stop is not None:
                wait = min(wait, (stop - now).total_seconds() / speed - COALESCE)
        elif until is not None and now >= until:
            return table
        named, new = _pump(app, wait)
        if runner is not None:
            for session in runner.login_due(line, clock()):
                named.add(session.handle)
        if accept_new:
            names: dict[Any, str] | None = None
            for session in new:
                if session.handle not in tracked.sessions:
                    names = names if names is not None else _group_names(line)
                    agent_id = session.agent.id if session.agent is not None else None
                    group = "?" if session.group is None else names.get(session.group,
                                                                        str(session.group))
                    label = SessionLabel(agent_id or "?", group)
                    tracked.add(session, label)
                    named.add(session.handle)
        dirty = {h for h in named if h in tracked.sessions}
        if dirty:
            tracked.refresh(line, dirty)
        if dirty or table.in_place:
            draw()


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
    tracked = Tracked()
    with _open_app() as app:
        _check_line(app, args.line)
        with app.open_line(args.line) as line:
            _track_agents(line, args.agent, tracked)
            _live(app, line, tracked, out, runner=runner, sim=sim, speed=speed, until=None,
                  scenario=scenario, accept_new=runner is None)
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import pytapi2

    if args.json and not args.once:
        raise CliError("--json needs --once (the live table is text)", 2)
    if args.once and args.speed is not None:
        raise CliError("--speed has no effect with --once (it runs on the virtual clock)", 2)
    scenario = load_scenario(args.scenario)
    from pytapi2 import _native

    if _native.configured_library() is None:
        # The demo is the simulator's, on every OS (on Windows the default is tapi32.dll).
        pytapi2.load("simulator")
    sim = _require_simulator("demo")
    runner = ScenarioRunner(scenario, sim)
    runner.configure()
    period = args.period if args.period is not None else scenario.length
    until = scenario.start + period
    tracked = Tracked()
    with _open_app() as app:
        _check_line(app, args.line)
        with app.open_line(args.line) as line:
            if args.once:
                runner.run_virtual(line, until, step=ONCE_STEP, after_step=lambda: _drain(app))
                for session in runner.sessions:
                    tracked.add(session, runner.labels[session.handle])
                tracked.refresh(line)
                _print_sessions(out, tracked, as_json=args.json, now=sim.now(),
                                backend=pytapi2.backend().kind, scenario=scenario)
                return 0
            speed = args.speed if args.speed is not None else scenario.speed
            table = _live(app, line, tracked, out, runner=runner, sim=sim, speed=speed,
                          until=until, scenario=scenario, accept_new=False)
            # The period is over (the clock is frozen at its end): the final state.
            tracked.refresh(line)
            if not table.in_place:
                _write(out, ["final:"])
            table.show([_title(scenario, sim.now(), speed, len(tracked.infos)),
                        *render(tracked.rows())])
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "info": lambda args, out, err: cmd_info(args, out),
    "sessions": cmd_sessions,
    "watch": cmd_watch,
    "demo": cmd_demo,
}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


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
    out, err = sys.stdout, sys.stderr
    try:
        return COMMANDS[args.command](args, out, err)
    except KeyboardInterrupt:
        if debug:
            raise
        # Ctrl-C is how watch (and a live demo) end: leave the cursor on a new line.
        if out.isatty():
            out.write("\n")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
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
