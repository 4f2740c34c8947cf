"""The bundled TAPI simulator and its control API.

``libtapisim`` (built from ``csrc/`` at install time) exports the TAPI
functions over a small ACD model; :class:`Simulator` drives that model:
lines, agents, groups, queues, the clock, calls, traffic and faults. It is a
thin, checked wrapper over ``include/tapisim.h``; see that header for the
exact semantics of each operation.

The model is process-wide (one simulator per process): every
:class:`Simulator` instance controls the same model.

A whole call center loads in one call, from a bundled scenario (like
python-dbusmock's templates) or a TOML file: ``Simulator().load("small")``
(see :mod:`pytapi2.simulator.scenario`). Every limit the C model enforces is
checked here first, so a bad value raises ``ValueError`` naming the argument
and the limit rather than :class:`SimulatorError` ``TAPISIM_E_INVAL``.
"""

from __future__ import annotations

import enum
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol
from uuid import UUID

from pytapi2 import _native
from pytapi2._convert import (
    datetime_to_unix_ms,
    seconds,
    unix_ms_to_datetime,
    uuid_to_guid_bytes,
)
from pytapi2._native import ffi, lib
from pytapi2.constants import AgentSessionState, ApiVersion

if TYPE_CHECKING:
    from pytapi2.simulator.scenario import Scenario

__all__ = [
    "CLOCK_MAX",
    "CLOCK_MIN",
    "MAX_SPEED",
    "ClockMode",
    "Fault",
    "HasHandle",
    "Simulator",
    "SimulatorError",
]

_DWORD_MAX = 0xFFFFFFFF
#: The simulator clock's range: OLE DATEs start at year 100, and a year of
#: headroom before datetime.max keeps start + duration (end_time) representable.
CLOCK_MIN = datetime(100, 1, 1)
CLOCK_MAX = datetime(9999, 1, 1)
_CLOCK_RANGE = f"{CLOCK_MIN.date().isoformat()} and {CLOCK_MAX.date().isoformat()}"
#: Fastest real-clock speed-up the simulator accepts (tapisim_set_clock).
MAX_SPEED = 1e6
_MAX_TRAFFIC_RATE = 1e7   # calls per hour (tapisim_set_group_traffic)
_MAX_TRAFFIC_MEAN = 1e6   # seconds
_MAX_ID = 255             # characters of an agent ID or PIN (tapisim_add_agent)
_MAX_NAME = 1024          # characters of a group or queue name


class SimulatorError(RuntimeError):
    """A control call was refused; ``code`` is the TAPISIM_E_ value."""

    NAMES: ClassVar[dict[int, str]] = {
        lib.TAPISIM_E_INVAL: "TAPISIM_E_INVAL",
        lib.TAPISIM_E_NOTFOUND: "TAPISIM_E_NOTFOUND",
        lib.TAPISIM_E_EXISTS: "TAPISIM_E_EXISTS",
        lib.TAPISIM_E_STATE: "TAPISIM_E_STATE",
        lib.TAPISIM_E_NOMEM: "TAPISIM_E_NOMEM",
    }

    def __init__(self, code: int, function: str) -> None:
        self.code = code
        self.name = self.NAMES.get(code, f"TAPISIM error {code}")
        self.function = function
        super().__init__(f"{function} failed: {self.name}")


class ClockMode(enum.IntEnum):
    VIRTUAL = lib.TAPISIM_CLOCK_VIRTUAL
    REAL = lib.TAPISIM_CLOCK_REAL


class Fault(enum.IntEnum):
    """Fault kinds of :meth:`Simulator.inject_fault` (see tapisim.h)."""

    ERROR = lib.TAPISIM_FAULT_ERROR
    REPLY_ERROR = lib.TAPISIM_FAULT_REPLY_ERROR
    DELAY_REPLY = lib.TAPISIM_FAULT_DELAY_REPLY
    DROP_REPLY = lib.TAPISIM_FAULT_DROP_REPLY
    REORDER_REPLY = lib.TAPISIM_FAULT_REORDER_REPLY
    INFLATE_NEEDED = lib.TAPISIM_FAULT_INFLATE_NEEDED


class HasHandle(Protocol):
    """Anything carrying a TAPI handle, e.g. :class:`pytapi2.AgentSession`."""

    @property
    def handle(self) -> int: ...


def _check(rc: int, function: str) -> None:
    if rc != lib.TAPISIM_OK:
        raise SimulatorError(rc, function)


def _dword(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not 0 <= value <= _DWORD_MAX:
        raise ValueError(f"{name} must be in 0..{_DWORD_MAX:#x}, got {value}")
    return value


def _handle(obj: int | HasHandle, name: str) -> int:
    if isinstance(obj, int):
        return _dword(obj, name)
    handle = getattr(obj, "handle", None)
    if not isinstance(handle, int):
        raise TypeError(f"{name} must be a handle (int) or an object with a .handle, "
                        f"got {type(obj).__name__}")
    return _dword(handle, name)


def _dword_ptr(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    limit = 2 ** (8 * ffi.sizeof("DWORD_PTR")) - 1
    if not 0 <= value <= limit:
        raise ValueError(f"{name} must be in 0..{limit:#x}, got {value}")
    return value


def _unix_ms(when: datetime, name: str) -> int:
    if not isinstance(when, datetime):
        raise TypeError(f"{name} must be a naive datetime, got {type(when).__name__}")
    if when.tzinfo is not None:
        raise ValueError(f"{name} must be a naive datetime: the simulator clock is naive")
    if not CLOCK_MIN <= when <= CLOCK_MAX:
        raise ValueError(f"{name} must be between {_CLOCK_RANGE} (the simulator clock's "
                         f"range), got {when}")
    return datetime_to_unix_ms(when)


def _text(
    value: str | None, name: str, *, optional: bool = False, max_length: int = _MAX_NAME
) -> str | object:
    if value is None and optional:
        null: object = ffi.NULL
        return null
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{name} must not contain NUL characters")
    if len(value) > max_length:
        raise ValueError(f"{name} is too long ({len(value)} characters; the simulator takes "
                         f"at most {max_length})")
    return value


def _guid(group: UUID, name: str) -> object:
    if not isinstance(group, UUID):
        raise TypeError(f"{name} must be a uuid.UUID, got {type(group).__name__}")
    guid = ffi.new("GUID *")
    ffi.memmove(guid, uuid_to_guid_bytes(group), 16)
    return guid


def _ms(value: float | timedelta, name: str, *, limit: int = _DWORD_MAX) -> int:
    ms = round(seconds(value, name) * 1000)
    if ms > limit:
        raise ValueError(f"{name} is too long ({ms} ms > {limit} ms)")
    return ms


def _state(value: AgentSessionState | int, name: str, *, allow_zero: bool) -> int:
    if allow_zero and value == 0:
        return 0
    try:
        return int(AgentSessionState(value))
    except ValueError:
        raise ValueError(f"{name} must be an AgentSessionState, got {value!r}") from None


def _limited(value: float | timedelta, name: str, high: float, unit: str) -> float:
    result = seconds(value, name)
    if result > high:
        raise ValueError(f"{name} must be at most {high:g} {unit} (the simulator's limit), "
                         f"got {value!r}")
    return result


class Simulator:
    """Control of the simulator model (the loaded backend must be the simulator).

    Durations are seconds (int/float) or ``timedelta``; times are naive
    ``datetime`` (the simulator clock has no time zone); sessions are their
    handles or objects with a ``handle`` (:class:`pytapi2.AgentSession`).
    """

    def __init__(self) -> None:
        backend = _native.ensure_loaded()
        if not backend.is_simulator:
            raise _native.BackendError(
                f"the loaded TAPI library ({backend.path}) is not the pytapi2 simulator"
            )
        version = lib.tapisim_abi_version()
        if version != lib.TAPISIM_ABI_VERSION:
            raise _native.BackendError(
                f"simulator control API version {version}, expected {lib.TAPISIM_ABI_VERSION}"
            )

    # -- configuration ---------------------------------------------------
    def load(self, scenario: str | Path | Scenario = "default") -> Scenario:
        """Reset the model and load a whole call center in one call: lines,
        groups, queues, agents (not logged in), random traffic, and the
        virtual clock at the scenario's start. Returns the checked scenario
        (its groups' IDs, agents' IDs and PINs).

        ``scenario`` is a bundled name (``"default"``, ``"small"``), a TOML
        file, or a :class:`~pytapi2.simulator.scenario.Scenario`. Call it
        before opening a :class:`pytapi2.TapiApp` (lines are configured for
        apps initialized afterwards). To log agents in at their shift starts
        and run the day, use :class:`~pytapi2.simulator.scenario.ScenarioRunner`.
        """
        from pytapi2.simulator.scenario import Scenario, load_scenario

        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.reset()
        self.configure_lines(sc.lines, 1)
        self.use_virtual_clock(sc.start)
        for group in sc.groups:
            self.add_group(group.id, group.name)
            for queue in group.queues:
                self.add_queue(group.id, queue.id, queue.name)
        for agent in sc.agents:
            self.add_agent(agent.id, agent.pin)
        for group in sc.groups:
            if group.calls_per_hour > 0:
                self.set_traffic(
                    group.id,
                    calls_per_hour=group.calls_per_hour,
                    mean_talk=group.mean_talk,
                    mean_wrapup=group.mean_wrapup,
                    mean_ring=group.mean_ring,
                    patience=group.patience,
                    seed=group.seed,
                )
        return sc

    def reset(self) -> None:
        """Back to the defaults of tapisim.h; every handle becomes invalid."""
        _check(lib.tapisim_reset(), "tapisim_reset")

    def configure_lines(
        self,
        count: int = 1,
        addresses_per_line: int = 1,
        max_api_version: ApiVersion | int = ApiVersion.V3_1,
    ) -> None:
        """Line devices offered to apps initialized from now on."""
        _check(
            lib.tapisim_configure_lines(
                _dword(count, "count"),
                _dword(addresses_per_line, "addresses_per_line"),
                _dword(int(max_api_version), "max_api_version"),
            ),
            "tapisim_configure_lines",
        )

    def set_reply_latency(self, latency: float | timedelta) -> None:
        """Real time between an asynchronous request and its LINE_REPLY."""
        micros = round(seconds(latency, "latency") * 1_000_000)
        if micros > _DWORD_MAX:
            raise ValueError(f"latency is too long ({micros} µs)")
        _check(lib.tapisim_set_reply_latency(micros), "tapisim_set_reply_latency")

    def set_initial_session_state(
        self, state: AgentSessionState | int, next_state: AgentSessionState | int = 0
    ) -> None:
        _check(
            lib.tapisim_set_initial_session_state(
                _state(state, "state", allow_zero=False),
                _state(next_state, "next_state", allow_zero=True),
            ),
            "tapisim_set_initial_session_state",
        )

    # -- clock -------------------------------------------------------------
    def use_virtual_clock(self, start: datetime | None = None) -> None:
        """Freeze the clock: it moves only through :meth:`advance`."""
        _check(lib.tapisim_set_clock(lib.TAPISIM_CLOCK_VIRTUAL, 1.0), "tapisim_set_clock")
        if start is not None:
            _check(lib.tapisim_set_time(_unix_ms(start, "start")), "tapisim_set_time")

    def use_real_clock(self, speed: float = 1.0) -> None:
        """Let the clock follow real time, ``speed`` times faster."""
        if isinstance(speed, bool) or not isinstance(speed, (int, float)):
            raise TypeError(f"speed must be a number, got {type(speed).__name__}")
        if not math.isfinite(speed) or not 0 < speed <= MAX_SPEED:
            raise ValueError(f"speed must be a number in (0, {MAX_SPEED:g}], got {speed!r}")
        _check(lib.tapisim_set_clock(lib.TAPISIM_CLOCK_REAL, float(speed)), "tapisim_set_clock")

    def now(self) -> datetime:
        out = ffi.new("int64_t *")
        _check(lib.tapisim_get_time(out), "tapisim_get_time")
        return unix_ms_to_datetime(out[0])

    def set_time(self, when: datetime) -> None:
        _check(lib.tapisim_set_time(_unix_ms(when, "when")), "tapisim_set_time")

    def advance(self, duration: float | timedelta) -> None:
        """Move the virtual clock, running every due event in time order.

        The clock must stay within :data:`CLOCK_MIN` .. :data:`CLOCK_MAX`."""
        ms = _ms(duration, "duration", limit=2**62)
        room = CLOCK_MAX - self.now()
        if timedelta(milliseconds=ms) > room:
            raise ValueError(f"duration {duration!r} would move the clock past "
                             f"{CLOCK_MAX.date().isoformat()} (the simulator clock's range; "
                             f"at most "
                             f"{room.total_seconds():.0f} s from now)")
        _check(lib.tapisim_advance(ms), "tapisim_advance")

    # -- the ACD model -------------------------------------------------------
    def add_agent(self, agent_id: str, pin: str | None = None) -> None:
        _check(
            lib.tapisim_add_agent(
                _text(agent_id, "agent_id", max_length=_MAX_ID),
                _text(pin, "pin", optional=True, max_length=_MAX_ID),
            ),
            "tapisim_add_agent",
        )

    def add_group(self, group_id: UUID, name: str) -> None:
        _check(
            lib.tapisim_add_group(_guid(group_id, "group_id"), _text(name, "name")),
            "tapisim_add_group",
        )

    def add_queue(self, group_id: UUID, queue_id: int, name: str) -> None:
        _check(
            lib.tapisim_add_queue(
                _guid(group_id, "group_id"), _dword(queue_id, "queue_id"), _text(name, "name")
            ),
            "tapisim_add_queue",
        )

    def set_traffic(
        self,
        group_id: UUID,
        *,
        calls_per_hour: float,
        mean_talk: float | timedelta,
        mean_wrapup: float | timedelta,
        mean_ring: float | timedelta = 5.0,
        patience: float | timedelta = 0.0,
        seed: int = 0,
    ) -> None:
        """Start (or, with ``calls_per_hour=0``, stop) random calls to a group."""
        rate = _limited(calls_per_hour, "calls_per_hour", _MAX_TRAFFIC_RATE, "calls per hour")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise ValueError(f"seed must be an int in 0..2**64-1, got {seed!r}")
        traffic = ffi.new(
            "tapisim_traffic *",
            {
                "calls_per_hour": rate,
                "mean_talk_s": _limited(mean_talk, "mean_talk", _MAX_TRAFFIC_MEAN, "s"),
                "mean_wrapup_s": _limited(mean_wrapup, "mean_wrapup", _MAX_TRAFFIC_MEAN, "s"),
                "mean_ring_s": _limited(mean_ring, "mean_ring", _MAX_TRAFFIC_MEAN, "s"),
                "patience_s": _limited(patience, "patience", _MAX_TRAFFIC_MEAN, "s"),
                "seed": seed,
            },
        )
        _check(
            lib.tapisim_set_group_traffic(_guid(group_id, "group_id"), traffic),
            "tapisim_set_group_traffic",
        )

    def set_non_acd_traffic(
        self,
        group_id: UUID,
        *,
        calls_per_hour: float,
        mean_talk: float | timedelta,
        outgoing_share: float = 0.5,
        seed: int = 0,
    ) -> None:
        """Start (or, with ``calls_per_hour=0``, stop) random non-ACD calls to
        the free agents of a group (see :meth:`non_acd_call`); a share
        ``outgoing_share`` (0..1) of them outgoing."""
        rate = seconds(calls_per_hour, "calls_per_hour")
        share = float(outgoing_share) if isinstance(outgoing_share, (int, float)) \
            and not isinstance(outgoing_share, bool) else math.nan
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"outgoing_share must be a number in 0..1, got {outgoing_share!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise ValueError(f"seed must be an int in 0..2**64-1, got {seed!r}")
        _check(
            lib.tapisim_set_non_acd_traffic(_guid(group_id, "group_id"), rate,
                                            seconds(mean_talk, "mean_talk"), share, seed),
            "tapisim_set_non_acd_traffic",
        )

    def offer_call(
        self,
        session: int | HasHandle,
        *,
        wait: float | timedelta,
        talk: float | timedelta,
        wrapup: float | timedelta = 0.0,
    ) -> None:
        """Offer one ACD call to a READY session: it rings for ``wait``, is
        talked for ``talk``, wrapped up for ``wrapup``; then the session goes to
        its next state."""
        _check(
            lib.tapisim_offer_call(
                _handle(session, "session"),
                _ms(wait, "wait"),
                _ms(talk, "talk"),
                _ms(wrapup, "wrapup"),
            ),
            "tapisim_offer_call",
        )

    def non_acd_call(self, agent: int | HasHandle, *, outgoing: bool,
                     talk: float | timedelta) -> None:
        """A non-ACD call of a created agent: it is BUSY_INCOMING or
        BUSY_OUTGOING for ``talk``, then back in its state; the call then
        counts in AgentInfo.number_of_incoming_calls / _outgoing_calls."""
        if not isinstance(outgoing, bool):
            raise TypeError(f"outgoing must be a bool, got {type(outgoing).__name__}")
        _check(
            lib.tapisim_non_acd_call(_handle(agent, "agent"), int(outgoing), _ms(talk, "talk")),
            "tapisim_non_acd_call",
        )

    def set_handle_base(self, first: int) -> None:
        """Number agents and sessions from ``first`` (0 allowed: TAPI reserves
        no handle value); only before any agent or session is created."""
        _check(lib.tapisim_set_handle_base(_dword(first, "first")), "tapisim_set_handle_base")

    def set_builtin_handler(self, enabled: bool) -> None:
        """Whether the simulated ACD answers agent requests no application
        agent handler (:mod:`pytapi2.proxy`) serves. ``False``: such requests
        fail at once with LINEERR_OPERATIONUNAVAIL, as on a system without an
        agent handler. Back to ``True`` at :meth:`reset`."""
        if not isinstance(enabled, bool):
            raise TypeError(f"enabled must be a bool, not {type(enabled).__name__}")
        _check(lib.tapisim_set_builtin_handler(int(enabled)), "tapisim_set_builtin_handler")

    def set_session_state(
        self,
        session: int | HasHandle,
        state: AgentSessionState | int,
        next_state: AgentSessionState | int = 0,
    ) -> None:
        """A switch-side state change (a supervisor, the ACD itself)."""
        _check(
            lib.tapisim_set_session_state(
                _handle(session, "session"),
                _state(state, "state", allow_zero=True),
                _state(next_state, "next_state", allow_zero=True),
            ),
            "tapisim_set_session_state",
        )

    def schedule_session_state(
        self,
        session: int | HasHandle,
        at: datetime,
        state: AgentSessionState | int,
        next_state: AgentSessionState | int = 0,
    ) -> None:
        _check(
            lib.tapisim_schedule_session_state(
                _handle(session, "session"),
                _unix_ms(at, "at"),
                _state(state, "state", allow_zero=True),
                _state(next_state, "next_state", allow_zero=True),
            ),
            "tapisim_schedule_session_state",
        )

    def close_line(self, device_id: int) -> None:
        """The provider closes a line device: LINE_CLOSE to every open line."""
        _check(lib.tapisim_close_line(_dword(device_id, "device_id")), "tapisim_close_line")

    # -- faults and messages -------------------------------------------------
    def inject_fault(
        self,
        function: str,
        kind: Fault,
        *,
        count: int = 1,
        error: int = 0,
        param: int = 0,
    ) -> None:
        """Make the next ``count`` calls of a TAPI function misbehave.

        ``error`` is the LINEERR for ERROR / REPLY_ERROR; ``param`` the delay
        in ms for DELAY_REPLY or the extra bytes for INFLATE_NEEDED.
        """
        if not isinstance(function, str):
            raise TypeError(f"function must be a str, got {type(function).__name__}")
        try:
            kind = Fault(kind)
        except ValueError:
            raise ValueError(f"kind must be a Fault, got {kind!r}") from None
        if isinstance(error, bool) or not isinstance(error, int):
            raise TypeError(f"error must be a LINEERR (int), got {type(error).__name__}")
        if -(2**31) <= error < 0:
            error &= _DWORD_MAX  # a LONG LINEERR as its DWORD value
        _check(
            lib.tapisim_inject_fault(
                function.encode("ascii"),
                int(kind),
                _dword(count, "count"),
                _dword(error, "error"),
                _dword(param, "param"),
            ),
            "tapisim_inject_fault",
        )

    def clear_faults(self) -> None:
        _check(lib.tapisim_clear_faults(), "tapisim_clear_faults")

    def post_message(
        self, app: int, device: int, message: int, param1: int = 0, param2: int = 0, param3: int = 0
    ) -> None:
        """Queue an arbitrary LINEMESSAGE for an app (e.g. a stray LINE_REPLY)."""
        _check(
            lib.tapisim_post_message(
                _dword(app, "app"), _dword(device, "device"), _dword(message, "message"),
                _dword_ptr(param1, "param1"), _dword_ptr(param2, "param2"),
                _dword_ptr(param3, "param3"),
            ),
            "tapisim_post_message",
        )

    # -- introspection -------------------------------------------------------
    def message_fd(self, app: int) -> int:
        """The app's pollable message fd (POSIX: also its Handles.hEvent).

        Readable exactly while a message waits. Windows has no such fd (its
        Handles.hEvent is a Win32 event): SimulatorError (TAPISIM_E_STATE) there.
        """
        out = ffi.new("int *")
        _check(lib.tapisim_message_fd(_dword(app, "app"), out), "tapisim_message_fd")
        return int(out[0])

    def pending_replies(self, app: int) -> int:
        out = ffi.new("DWORD *")
        _check(lib.tapisim_pending_replies(_dword(app, "app"), out), "tapisim_pending_replies")
        return int(out[0])

    def session_count(self) -> int:
        out = ffi.new("DWORD *")
        _check(lib.tapisim_session_count(out), "tapisim_session_count")
        return int(out[0])
