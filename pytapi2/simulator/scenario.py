"""Call-center scenarios for the simulator: TOML loading, validation, running.

A scenario describes one day of a small call center: ACD groups with their
queues and random call traffic, and agents with shifts and breaks. See
``scenarios/default.toml`` (the bundled, commented example) and
pytapi2/cli/cli.md (``pytapi2 docs``).
Bundled scenarios (:data:`BUNDLED`) are loaded by name, like python-dbusmock's
templates: ``Simulator().load("small")``.

:func:`load_scenario` turns a TOML file into a checked :class:`Scenario`;
every problem is a :class:`ScenarioError` whose message names the file, the
key (``groups[1].calls_per_hour``, indexes from 0) and what was expected.

:class:`ScenarioRunner` applies a scenario to the process-wide simulator model
(:meth:`ScenarioRunner.configure`, before a :class:`pytapi2.TapiApp` is
opened), then logs agents in through the public API at their shift start
(:meth:`ScenarioRunner.login_due`), scheduling their breaks (NOT_READY, then
READY) and their shift end (ENDED) with
:meth:`pytapi2.simulator.Simulator.schedule_session_state`.
"""

from __future__ import annotations

import difflib
import logging
import re
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    # needs the dependency `tomli; python_version < "3.11"`
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

if TYPE_CHECKING:
    from pytapi2 import AgentSession, Line
    from pytapi2.simulator import Simulator

__all__ = [
    "DEFAULT_SCENARIO",
    "Agent",
    "Break",
    "Group",
    "Queue",
    "Scenario",
    "ScenarioError",
    "ScenarioRunner",
    "format_duration_arg",
    "load_scenario",
    "parse_duration",
]

log = logging.getLogger("pytapi2.simulator")

#: Name accepted in place of a file for the bundled scenario.
DEFAULT_SCENARIO = "default"
#: Scenarios shipped with pytapi2 (``scenarios/<name>.toml``), loadable by name:
#: ``default`` a day of a 20-agent call center, ``small`` two groups and four
#: agents with fixed IDs (the README tour's call center).
BUNDLED = ("default", "small")

# Limits the simulator enforces (tapisim.h), checked where the user typed the
# value so the error names the file and the key instead of TAPISIM_E_INVAL.
MAX_CALLS_PER_HOUR = 1e7
MAX_MEAN_SECONDS = 1e6
MAX_ID_LENGTH = 255
MAX_NAME_LENGTH = 1024
MAX_LINES = 4096
MAX_SPEED = 1e6
#: Group IDs not given in the file are derived from the group name in this namespace.
GROUP_NAMESPACE = uuid.UUID("5b1a8a9e-3c1f-4c2e-9a57-7079746170a2")
DEFAULT_DATE = date(2026, 1, 5)

_DURATION_RE = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m)?(?:(?P<s>\d+(?:\.\d+)?)s)?$"
)
_TIME_RE = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")


class ScenarioError(ValueError):
    """A scenario file that cannot be used; ``str()`` is one line."""

    def __init__(self, source: str, key: str | None, message: str) -> None:
        self.source = source
        self.key = key
        self.message = message
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {message}")


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``8h``, ``1h30m``, ``1.5h`` or plain seconds (``90``)."""
    value = text.strip().lower()
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if number >= 0 and number != float("inf"):
            return timedelta(seconds=number)
        raise ValueError(f"expected a non-negative duration, got {text!r}")
    match = _DURATION_RE.match(value)
    if not value or match is None:
        raise ValueError(f"expected a duration like 90s, 15m, 8h or 1h30m, got {text!r}")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return timedelta(hours=parts["h"], minutes=parts["m"], seconds=parts["s"])


def format_duration_arg(value: timedelta) -> str:
    """The inverse of :func:`parse_duration` for whole seconds (``1h30m``)."""
    total = int(value.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return out + (f"{secs}s" if secs or not out else "")


# -- the checked model -------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    id: int
    name: str


@dataclass(frozen=True)
class Group:
    name: str
    id: uuid.UUID
    queues: tuple[Queue, ...]
    calls_per_hour: float
    mean_talk: float
    mean_wrapup: float
    mean_ring: float
    patience: float
    seed: int


@dataclass(frozen=True)
class Break:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Agent:
    id: str
    pin: str | None
    name: str | None
    groups: tuple[str, ...]
    #: None: the agent exists in the ACD but the runner never logs it in.
    shift_start: datetime | None
    shift_end: datetime | None
    breaks: tuple[Break, ...]


@dataclass(frozen=True)
class Scenario:
    name: str
    source: str
    start: datetime
    end: datetime
    groups: tuple[Group, ...]
    agents: tuple[Agent, ...]
    lines: int = 1
    #: Simulated time per real second for the live commands (``--speed`` overrides).
    speed: float = 60.0

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def group(self, name: str) -> Group:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)

    def group_names(self) -> dict[uuid.UUID, str]:
        return {group.id: group.name for group in self.groups}

    @classmethod
    def of(
        cls,
        *,
        groups: Mapping[str, uuid.UUID],
        agents: Mapping[str, str | None],
        start: datetime,
        queues: Mapping[str, Sequence[tuple[int, str]]] | None = None,
        name: str = "test call center",
    ) -> Scenario:
        """A quiet call center built in Python (no traffic, no shifts): for
        tests. Every agent belongs to every group; ``agents`` maps IDs to PINs.
        Load it with :meth:`pytapi2.simulator.Simulator.load`."""
        built = tuple(
            Group(group_name, group_id,
                  tuple(Queue(q, n) for q, n in (queues or {}).get(group_name, ())),
                  0.0, 180.0, 30.0, 5.0, 0.0, index + 1)
            for index, (group_name, group_id) in enumerate(groups.items())
        )
        members = tuple(groups)
        people = tuple(Agent(agent_id, pin, None, members, None, None, ())
                       for agent_id, pin in agents.items())
        return cls(name, "<python>", start, start + timedelta(hours=8), built, people)


# -- TOML reading --------------------------------------------------------------


def _show(value: object) -> str:
    """A value as the TOML user wrote it, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        if not value:
            return "an empty array"
        shown = ", ".join(_show(v) for v in value[:4])
        return f"[{shown}{', ...' if len(value) > 4 else ''}]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass
class _Reader:
    """Checked access to one TOML table; ``path`` is its key for messages."""

    source: str
    data: Mapping[str, Any]
    path: str = ""
    used: set[str] = field(default_factory=set)

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str | None, message: str) -> ScenarioError:
        return ScenarioError(self.source, self.key(name) if name else (self.path or None), message)

    def get(self, name: str) -> Any:
        self.used.add(name)
        return self.data.get(name)

    def allow(self, allowed: Sequence[str]) -> None:
        """Refuse unknown keys first, so a typo (``shfit``) is reported as
        itself, not as the key it was meant to be being missing."""
        for name in self.data:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise self.fail(
                    name, f"unknown key ({hint}expected one of: {', '.join(allowed)})"
                )

    def string(
        self, name: str, *, default: str | None = None, required: bool = False,
        max_length: int = MAX_NAME_LENGTH,
    ) -> str | None:
        value = self.get(name)
        if value is None:
            if required:
                raise self.fail(name, "missing (expected a string)")
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, f"expected a non-empty string, got {_show(value)}")
        if "\0" in value:
            raise self.fail(name, "must not contain NUL characters")
        if len(value) > max_length:
            raise self.fail(
                name, f"too long ({len(value)} characters; the simulator takes at most "
                f"{max_length})"
            )
        return value

    def number(
        self, name: str, default: float, *, positive: bool = False, high: float | None = None
    ) -> float:
        value = self.get(name)
        if value is None:
            return default
        what = "a positive number" if positive else "a non-negative number"
        if high is not None:
            what += f" up to {high:g}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(name, f"expected {what}, got {_show(value)}")
        if value != value or value in (float("inf"), float("-inf")) or value < 0:
            raise self.fail(name, f"expected {what}, got {_show(value)}")
        if (positive and value == 0) or (high is not None and value > high):
            raise self.fail(name, f"expected {what}, got {_show(value)}")
        return float(value)

    def integer(self, name: str, default: int, *, low: int = 0, high: int = 2**64 - 1) -> int:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(name, f"expected an integer in {low}..{high}, got {_show(value)}")
        return value

    def duration(self, name: str, default: float, *, high: float = MAX_MEAN_SECONDS) -> float:
        """Seconds: a number, or a string like ``4m30s``; at most ``high``."""
        value = self.get(name)
        if value is None:
            return default
        expected = 'expected a duration (seconds, or a string like "4m30s")'
        if isinstance(value, bool):
            raise self.fail(name, f"{expected}, got {_show(value)}")
        if isinstance(value, (int, float)):
            if value != value or value < 0 or value == float("inf"):
                raise self.fail(name, f"{expected}, got {_show(value)}")
            result = float(value)
        elif isinstance(value, str):
            try:
                result = parse_duration(value).total_seconds()
            except ValueError:
                raise self.fail(name, f"{expected}, got {_show(value)}") from None
        else:
            raise self.fail(name, f"{expected}, got {_show(value)}")
        if result > high:
            raise self.fail(name, f"at most {high:g} seconds (the simulator's limit), "
                                  f"got {_show(value)}")
        return result

    def table_list(self, name: str) -> list[_Reader]:
        value = self.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(name, f"expected an array of tables, got {_show(value)}")
        return [_Reader(self.source, v, f"{self.key(name)}[{i}]") for i, v in enumerate(value)]


def _time_of_day(reader: _Reader, name: str, value: object) -> time:
    if isinstance(value, time):
        return value.replace(microsecond=0)
    if isinstance(value, str):
        match = _TIME_RE.match(value.strip())
        if match:
            h, m, s = int(match["h"]), int(match["m"]), int(match["s"] or 0)
            if h < 24 and m < 60 and s < 60:
                return time(h, m, s)
    raise reader.fail(name, f'expected a time of day like "08:30", got {_show(value)}')


def _span(reader: _Reader, name: str, value: object, day: date) -> tuple[datetime, datetime]:
    """``"08:00-16:30"`` on ``day``; an end before the start is the next day.

    An end equal to the start is refused: it is more often a mistake than a
    24-hour shift, and silently making it one would hide the mistake."""
    if not isinstance(value, str) or value.count("-") != 1:
        raise reader.fail(name, f'expected a time span like "08:00-16:30", got {_show(value)}')
    first, second = (part.strip() for part in value.split("-"))
    start = datetime.combine(day, _time_of_day(reader, name, first))
    end = datetime.combine(day, _time_of_day(reader, name, second))
    if end == start:
        raise reader.fail(name, f"the span {_show(value)} is empty (it starts when it ends; "
                                f'a span past midnight is written like "22:00-06:00")')
    if end < start:
        end += timedelta(days=1)
    return start, end


def _on_or_after(moment: time, ref: datetime) -> datetime:
    when = datetime.combine(ref.date(), moment)
    return when if when >= ref else when + timedelta(days=1)


def _uuid(reader: _Reader, value: object) -> uuid.UUID:
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise reader.fail("id", f"expected a UUID string, got {_show(value)}")


_GROUP_KEYS = ("name", "id", "queues", "calls_per_hour", "mean_talk", "mean_wrapup",
               "mean_ring", "patience", "seed")
_AGENT_KEYS = ("id", "pin", "name", "groups", "shift", "breaks")
_ROOT_KEYS = ("name", "date", "start", "end", "lines", "speed", "groups", "agents")


def _read_groups(root: _Reader) -> tuple[Group, ...]:
    groups: list[Group] = []
    names: set[str] = set()
    ids: set[uuid.UUID] = set()
    queue_ids: set[int] = set()
    readers = root.table_list("groups")
    if not readers:
        raise root.fail("groups", "missing (expected at least one [[groups]] table)")
    for index, r in enumerate(readers):
        r.allow(_GROUP_KEYS)
        name = r.string("name", required=True)
        assert name is not None
        if name in names:
            raise r.fail("name", f"duplicate group name {_show(name)}")
        names.add(name)
        raw_id = r.get("id")
        group_id = uuid.uuid5(GROUP_NAMESPACE, name) if raw_id is None else _uuid(r, raw_id)
        if group_id in ids:
            raise r.fail("id", f"duplicate group id {group_id}")
        ids.add(group_id)
        queues: list[Queue] = []
        for q in r.table_list("queues"):
            q.allow(["id", "name"])
            qid = q.integer("id", -1, low=1, high=0xFFFFFFFF)
            if qid == -1:
                raise q.fail("id", "missing (expected an integer in 1..4294967295)")
            if qid in queue_ids:
                raise q.fail("id", f"duplicate queue id {qid}")
            queue_ids.add(qid)
            qname = q.string("name", default=f"{name} queue")
            assert qname is not None
            queues.append(Queue(qid, qname))
        if not queues:
            qid = 100 * (index + 1)
            while qid in queue_ids:
                qid += 1
            queue_ids.add(qid)
            queues.append(Queue(qid, f"{name} queue"))
        groups.append(
            Group(
                name=name,
                id=group_id,
                queues=tuple(queues),
                calls_per_hour=r.number("calls_per_hour", 0.0, high=MAX_CALLS_PER_HOUR),
                mean_talk=r.duration("mean_talk", 180.0),
                mean_wrapup=r.duration("mean_wrapup", 30.0),
                mean_ring=r.duration("mean_ring", 5.0),
                patience=r.duration("patience", 0.0),
                seed=r.integer("seed", index + 1),
            )
        )
    return tuple(groups)


def _read_agents(root: _Reader, day: date, group_names: set[str]) -> tuple[Agent, ...]:
    agents: list[Agent] = []
    ids: set[str] = set()
    readers = root.table_list("agents")
    if not readers:
        raise root.fail("agents", "missing (expected at least one agent)")
    for r in readers:
        r.allow(_AGENT_KEYS)
        agent_id = r.string("id", required=True, max_length=MAX_ID_LENGTH)
        assert agent_id is not None
        if agent_id in ids:
            raise r.fail("id", f"duplicate agent id {_show(agent_id)}")
        ids.add(agent_id)
        pin = r.string("pin", max_length=MAX_ID_LENGTH)
        name = r.string("name")
        raw_groups = r.get("groups")
        if (
            not isinstance(raw_groups, list)
            or not raw_groups
            or not all(isinstance(g, str) for g in raw_groups)
        ):
            raise r.fail(
                "groups", f"expected a non-empty array of group names, got {_show(raw_groups)}"
            )
        for g in raw_groups:
            if g not in group_names:
                raise r.fail("groups", f"unknown group {_show(g)} (not in [[groups]])")
        if len(set(raw_groups)) != len(raw_groups):
            raise r.fail("groups", "a group is listed twice")
        raw_shift = r.get("shift")
        raw_breaks = r.get("breaks")
        if raw_shift is None:
            # Known to the ACD, never logged in by the runner (tests log it in).
            if raw_breaks is not None:
                raise r.fail("breaks", "needs a shift")
            agents.append(Agent(agent_id, pin, name, tuple(raw_groups), None, None, ()))
            continue
        start, end = _span(r, "shift", raw_shift, day)
        breaks: list[Break] = []
        if raw_breaks is None:
            raw_breaks = []
        if not isinstance(raw_breaks, list):
            raise r.fail("breaks", f'expected an array of spans like "10:15-10:30", got '
                                   f"{_show(raw_breaks)}")
        for i, raw in enumerate(raw_breaks):
            key = f"breaks[{i}]"
            if not isinstance(raw, str) or raw.count("-") != 1:
                raise r.fail(key, f'expected a time span like "10:15-10:30", got {_show(raw)}')
            first, second = (part.strip() for part in raw.split("-"))
            b_start = _on_or_after(_time_of_day(r, key, first), start)
            b_end = _on_or_after(_time_of_day(r, key, second), b_start)
            if b_end <= b_start or not (start <= b_start and b_end <= end):
                raise r.fail(key, f"break {_show(raw)} is not inside the shift {_show(raw_shift)}")
            if breaks and b_start <= breaks[-1].end:
                raise r.fail(key, "breaks must be in order and must not overlap")
            breaks.append(Break(b_start, b_end))
        agents.append(Agent(agent_id, pin, name, tuple(raw_groups), start, end, tuple(breaks)))
    return tuple(agents)


def parse_scenario(text: str, source: str) -> Scenario:
    """A scenario from TOML text; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, None, f"invalid TOML: {exc}") from None
    root = _Reader(source, data)
    root.allow(_ROOT_KEYS)
    name = root.string("name", default=Path(source).stem)
    assert name is not None
    raw_date = root.get("date")
    if raw_date is None:
        day = DEFAULT_DATE
    elif isinstance(raw_date, date) and not isinstance(raw_date, datetime):
        day = raw_date
    else:
        raise root.fail(
            "date", f"expected a TOML local date like 2026-01-05, got {_show(raw_date)}"
        )
    if not date(100, 1, 1) <= day <= date(9998, 12, 24):
        # The simulator clock runs 0100-01-01..9999-01-01; a week of room for --for.
        raise root.fail("date", f"must be between 0100-01-01 and 9998-12-24 (the simulator "
                                f"clock's range), got {day}")
    lines = root.integer("lines", 1, low=1, high=MAX_LINES)
    speed = root.number("speed", 60.0, positive=True, high=MAX_SPEED)
    groups = _read_groups(root)
    agents = _read_agents(root, day, {g.name for g in groups})
    shift_starts = [a.shift_start for a in agents if a.shift_start is not None]
    shift_ends = [a.shift_end for a in agents if a.shift_end is not None]
    raw_start = root.get("start")
    if raw_start is not None:
        start = datetime.combine(day, _time_of_day(root, "start", raw_start))
    elif shift_starts:
        start = min(shift_starts)
    else:
        raise root.fail("start", 'missing (no agent has a shift; expected a time like "09:00")')
    if shift_starts and start > min(shift_starts):
        raise root.fail(
            "start", f"must not be after the first shift start ({min(shift_starts):%H:%M})"
        )
    raw_end = root.get("end")
    if raw_end is None:
        end = max(shift_ends) if shift_ends else start + timedelta(hours=8)
    else:
        end = _on_or_after(_time_of_day(root, "end", raw_end), start)
        if end == start:
            raise root.fail("end", "must be after start")
    return Scenario(name, source, start, end, groups, agents, lines, speed)


def bundled_path(name: str) -> Path:
    """The file of a bundled scenario (e.g. to copy it as a starting point)."""
    if name not in BUNDLED:
        raise ValueError(f"no bundled scenario {name!r} (bundled: {', '.join(BUNDLED)})")
    folder = resources.files("pytapi2.simulator").joinpath("scenarios")
    return Path(str(folder.joinpath(f"{name}.toml")))


def load_scenario(path: str | Path) -> Scenario:
    """A scenario file, or a bundled one by name (:data:`BUNDLED`)."""
    if isinstance(path, str) and path in BUNDLED:
        folder = resources.files("pytapi2.simulator").joinpath("scenarios")
        resource = folder.joinpath(f"{path}.toml")
        return parse_scenario(resource.read_text(encoding="utf-8"), f"{path}.toml")
    if not isinstance(path, (str, Path)):
        raise TypeError(f"scenario must be a file path or a bundled name, "
                        f"got {type(path).__name__}")
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(path, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ScenarioError(path, None, f"cannot read: {exc.strerror or exc}") from None
    return parse_scenario(text, path)


# -- running -------------------------------------------------------------------


@dataclass
class SessionLabel:
    """What the table shows for a session besides its TAPI info."""

    agent: str
    group: str
    #: The agent's name from the scenario, if any.
    name: str | None = None


@dataclass
class _Login:
    at: datetime
    agent: Agent


class ScenarioRunner:
    """Drives one :class:`Scenario` in the simulator of this process."""

    def __init__(self, scenario: Scenario, sim: Simulator) -> None:
        self.scenario = scenario
        self.sim = sim
        self._pending: list[_Login] = sorted(
            (_Login(a.shift_start, a) for a in scenario.agents if a.shift_start is not None),
            key=lambda x: x.at,
        )
        self.sessions: list[AgentSession] = []
        self.labels: dict[int, SessionLabel] = {}
        #: Called with each new session after it logged in (the live table adds a row).
        self.on_login: Callable[[AgentSession], None] | None = None

    def configure(self) -> None:
        """Reset the model and load the scenario (:meth:`Simulator.load`).
        Call before opening a TapiApp."""
        self.sim.load(self.scenario)

    def agent(self, agent_id: str) -> Agent | None:
        for agent in self.scenario.agents:
            if agent.id == agent_id:
                return agent
        return None

    @property
    def last_shift_end(self) -> datetime:
        ends = [a.shift_end for a in self.scenario.agents if a.shift_end is not None]
        return max(ends) if ends else self.scenario.start

    @property
    def next_login(self) -> datetime | None:
        return self._pending[0].at if self._pending else None

    def login_due(self, line: Line, now: datetime) -> list[AgentSession]:
        """Log in every agent whose shift has started by ``now``."""
        new: list[AgentSession] = []
        while self._pending and self._pending[0].at <= now:
            agent = self._pending.pop(0).agent
            new.extend(self._login(line, agent, now))
        return new

    def _login(self, line: Line, agent: Agent, now: datetime) -> Iterator[AgentSession]:
        from pytapi2.constants import AgentSessionState

        assert agent.shift_end is not None
        handle = line.create_agent(agent.id, pin=agent.pin)
        ready, not_ready = AgentSessionState.READY, AgentSessionState.NOT_READY
        for group_name in agent.groups:
            group = self.scenario.group(group_name)
            session = handle.create_session(group=group.id, address_id=0, pin=agent.pin)
            self.sim.set_session_state(session, ready, ready)
            for brk in agent.breaks:
                if brk.end <= now:
                    continue
                if brk.start > now:
                    self.sim.schedule_session_state(session, brk.start, not_ready, ready)
                else:  # a break from the shift start (or one we are late for): now
                    self.sim.set_session_state(session, not_ready, ready)
                if brk.end < agent.shift_end:
                    self.sim.schedule_session_state(session, brk.end, ready, ready)
            self.sim.schedule_session_state(
                session, max(agent.shift_end, now), AgentSessionState.ENDED
            )
            self.sessions.append(session)
            self.labels[session.handle] = SessionLabel(agent.id, group.name, agent.name)
            if self.on_login is not None:
                self.on_login(session)
            yield session

    def run_virtual(
        self,
        line: Line,
        until: datetime,
        *,
        step: timedelta = timedelta(minutes=1),
        after_step: Callable[[], None] | None = None,
    ) -> None:
        """Advance the virtual clock to ``until`` in steps of at most ``step``,
        logging agents in on time; ``after_step`` runs after each step (e.g. to
        drain the app's event queue)."""
        now = self.sim.now()
        self.login_due(line, now)
        if after_step is not None:
            after_step()
        while now < until:
            if not self._pending and now >= self.last_shift_end:
                # Everyone has gone home: nothing left that needs small steps.
                step = until - now
            target = min(until, now + step)
            upcoming = self.next_login
            if upcoming is not None and now < upcoming < target:
                target = upcoming
            self.sim.advance(target - now)
            now = self.sim.now()
            self.login_due(line, now)
            if after_step is not None:
                after_step()
