"""A small ACD served from Python: an agent handler (pytapi2.proxy) with its
own agents, groups, queues and sessions, states and statistics.

Run it as a script for a demonstration on the bundled simulator: the
simulator's own ACD is switched off (``Simulator.set_builtin_handler(False)``),
so every agent request the client makes is answered by this handler, and the
client code is exactly the README tour::

    python examples/acd_handler.py

``pytapi2 demo --handler examples/acd_handler.py`` runs the demo's client
against it (:func:`demo_handler`: the scenario's groups, queues and agents).

Against real TAPI, :class:`PythonAcd` and :func:`serve` are what an ACD proxy
application runs (one handler per line device); clients anywhere on the
network see its agents through TAPI's remote service provider.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

import pytapi2
from pytapi2 import (
    AgentCaps,
    AgentInfo,
    AgentSessionInfo,
    AgentSessionState,
    AgentSessionStatus,
    AgentState,
    AgentStatus,
    Group,
    InvalidParameterError,
    InvalidStateError,
    Queue,
    QueueInfo,
)
from pytapi2._native import lib
from pytapi2.proxy import (
    AgentHandler,
    CreateAgentRequest,
    CreateAgentSessionRequest,
    GetAgentCapsRequest,
    GetAgentInfoRequest,
    GetAgentSessionInfoRequest,
    GetAgentSessionListRequest,
    GetGroupListRequest,
    GetQueueInfoRequest,
    GetQueueListRequest,
    ProxyRequest,
    ProxyRequestType,
    SessionListEntry,
    SetAgentMeasurementPeriodRequest,
    SetAgentSessionStateRequest,
    SetAgentStateExRequest,
    SetQueueMeasurementPeriodRequest,
)

if TYPE_CHECKING:
    from pytapi2.simulator.scenario import Scenario

#: TAPI error codes as the negative LONGs TapiError carries.
INVALPARAM = lib.LINEERR_INVALPARAM - 0x1_0000_0000
INVALAGENTSTATE = lib.LINEERR_INVALAGENTSTATE - 0x1_0000_0000

#: The session state changes this ACD allows (ENDED is final).
ALLOWED = {
    AgentSessionState.NOT_READY: {AgentSessionState.READY, AgentSessionState.ENDED},
    AgentSessionState.READY: {AgentSessionState.NOT_READY, AgentSessionState.BUSY_ON_CALL,
                              AgentSessionState.ENDED},
    AgentSessionState.BUSY_ON_CALL: {AgentSessionState.BUSY_WRAPUP},
    AgentSessionState.BUSY_WRAPUP: {AgentSessionState.READY, AgentSessionState.NOT_READY},
    AgentSessionState.ENDED: set(),
}


@dataclass
class Agent:
    agent_id: str
    pin: str
    handle: int
    state: AgentState = AgentState.NOT_READY
    next_state: AgentState | None = None
    period: timedelta = timedelta(hours=1)
    sessions: list[int] = field(default_factory=list)


@dataclass
class Session:
    handle: int
    agent: int
    group: UUID
    address_id: int
    start: datetime
    state: AgentSessionState = AgentSessionState.NOT_READY
    next_state: AgentSessionState | None = AgentSessionState.READY
    end: datetime | None = None
    calls: int = 0
    talk: timedelta = timedelta(0)
    wrapup: timedelta = timedelta(0)


class PythonAcd:
    """The ACD's model and its answers to the agent requests.

    ``clock`` (a datetime class) or ``now`` (a function) gives the model's
    "now" (a naive datetime); ``pytapi2 demo --handler`` passes the
    simulator's clock. Agent and session handles count from 0x1000. Statistics are
    computed the TAPI 3 way: the duration runs from the session's start to
    now (or to its end), averages divide by the number of calls.
    """

    def __init__(self, clock: type[datetime] | None = None, *,
                 now: Callable[[], datetime] | None = None) -> None:
        self._now = now if now is not None else (clock or datetime).now
        self._lock = threading.Lock()
        self._handles = itertools.count(0x1000)
        self.agents: dict[str, Agent] = {}
        self.groups: dict[UUID, str] = {}
        self.queues: dict[int, tuple[str, UUID, timedelta]] = {}
        self.sessions: dict[int, Session] = {}
        self.handler: AgentHandler | None = None  # set by serve(): events go through it

    # -- configuration -----------------------------------------------------------------
    def add_agent(self, agent_id: str, pin: str) -> None:
        self.agents[agent_id] = Agent(agent_id, pin, next(self._handles))

    def add_group(self, group: UUID, name: str) -> None:
        self.groups[group] = name

    def add_queue(self, queue_id: int, name: str, group: UUID) -> None:
        self.queues[queue_id] = (name, group, timedelta(hours=1))

    def record_call(self, session: int, talk: timedelta, wrapup: timedelta) -> None:
        """A completed ACD call of a session (what the switch would report)."""
        with self._lock:
            s = self.sessions[session]
            s.calls += 1
            s.talk += talk
            s.wrapup += wrapup
        self._event(session, AgentSessionStatus.UPDATE_INFO, None)

    # -- lookups (unknown handles answer LINEERR_INVALPARAM, as the pages list) -----------
    def _agent(self, handle: int) -> Agent:
        for agent in self.agents.values():
            if agent.handle == handle:
                return agent
        raise InvalidParameterError(f"no agent {handle:#x}", code=INVALPARAM)

    def _session(self, handle: int) -> Session:
        try:
            return self.sessions[handle]
        except KeyError:
            raise InvalidParameterError(f"no session {handle:#x}", code=INVALPARAM) from None

    def _event(self, session: int, status: AgentSessionStatus,
               state: AgentSessionState | None) -> None:
        if self.handler is not None and not self.handler.closed:
            self.handler.send_session_event(session, status, state)

    # -- the answers ------------------------------------------------------------------
    def answer(self, request: ProxyRequest) -> object:
        """The answer to one request (raise a TapiError to refuse it)."""
        with self._lock:
            return self._answer(request)

    def _answer(self, request: ProxyRequest) -> object:
        if isinstance(request, CreateAgentRequest):
            agent = self.agents.get(request.agent_id or "")
            if agent is None or (request.pin is not None and request.pin != agent.pin):
                raise InvalidParameterError("unknown agent or wrong PIN", code=INVALPARAM)
            return agent.handle
        if isinstance(request, CreateAgentSessionRequest):
            agent = self._agent(request.agent)
            if request.group not in self.groups or (request.pin not in (None, agent.pin)):
                raise InvalidParameterError("unknown group or wrong PIN", code=INVALPARAM)
            handle = next(self._handles)
            self.sessions[handle] = Session(handle, agent.handle, request.group,
                                            request.address_id, self._now())
            agent.sessions.append(handle)
            self._event(handle, AgentSessionStatus.NEW_SESSION, None)
            return handle
        if isinstance(request, GetAgentSessionListRequest):
            agent = self._agent(request.agent)
            return [SessionListEntry(h, agent.handle, self.sessions[h].group,
                                     self.sessions[h].address_id) for h in agent.sessions]
        if isinstance(request, GetAgentSessionInfoRequest):
            return self._session_info(self._session(request.session))
        if isinstance(request, SetAgentSessionStateRequest):
            s = self._session(request.session)
            if request.state is not None and request.state != s.state:
                if request.state not in ALLOWED.get(s.state, set()):
                    raise InvalidStateError(f"{s.state.name} -> {request.state.name}",
                                            code=INVALAGENTSTATE)
                s.state = request.state
                if s.state == AgentSessionState.ENDED:
                    s.end = self._now()
                self._event(s.handle, AgentSessionStatus.STATE, s.state)
            if request.next_state is not None:
                s.next_state = request.next_state
            return None
        if isinstance(request, GetAgentInfoRequest):
            return self._agent_info(self._agent(request.agent))
        if isinstance(request, SetAgentStateExRequest):
            agent = self._agent(request.agent)
            if request.state is not None and request.state != agent.state:
                agent.state = request.state
                if self.handler is not None:
                    self.handler.send_agent_event(agent.handle, AgentStatus.STATE, agent.state)
            if request.next_state is not None:
                agent.next_state = request.next_state
            return None
        if isinstance(request, SetAgentMeasurementPeriodRequest):
            self._agent(request.agent).period = request.period
            return None
        if isinstance(request, GetAgentCapsRequest):
            return AgentCaps(handler_info="pytapi2 example ACD", caps_version=0x00030001,
                             features=0, states=0, next_states=0, max_group_entries=0,
                             agent_status_messages=0, extension_ids=(),
                             proxy_guid=UUID("6b6a0a2e-8f3e-4c52-9d0e-70797461706b"))
        if isinstance(request, GetGroupListRequest):
            return [Group(g, name) for g, name in self.groups.items()]
        if isinstance(request, GetQueueListRequest):
            return [Queue(q, name) for q, (name, group, _) in self.queues.items()
                    if group == request.group]
        if isinstance(request, GetQueueInfoRequest):
            if request.queue not in self.queues:
                raise InvalidParameterError("no such queue", code=INVALPARAM)
            period = self.queues[request.queue][2]
            return QueueInfo(period, 0, 0, 0, 0, 0, timedelta(0), timedelta(0), timedelta(0), 0)
        if isinstance(request, SetQueueMeasurementPeriodRequest):
            if request.queue not in self.queues:
                raise InvalidParameterError("no such queue", code=INVALPARAM)
            name, group, _ = self.queues[request.queue]
            self.queues[request.queue] = (name, group, request.period)
            return None
        raise InvalidParameterError("request type not served", code=INVALPARAM)

    def _session_info(self, s: Session) -> AgentSessionInfo:
        duration = (s.end or self._now()) - s.start
        duration -= timedelta(microseconds=duration.microseconds)  # whole seconds, as TAPI
        calls = s.calls
        call_time = s.talk + s.wrapup

        def avg(total: timedelta) -> timedelta:
            return total / calls if calls else timedelta(0)

        seconds = int(duration.total_seconds())
        rate = Decimal(calls * 3600 * 10000 // seconds).scaleb(-4) if seconds else Decimal(0)
        return AgentSessionInfo(
            state=s.state, next_state=s.next_state, start_time=s.start, duration=duration,
            number_of_calls=calls, total_talk_time=s.talk, average_talk_time=avg(s.talk),
            total_call_time=call_time, average_call_time=avg(call_time),
            total_wrapup_time=s.wrapup, average_wrapup_time=avg(s.wrapup),
            acd_call_rate=rate, longest_time_to_answer=timedelta(0),
            average_time_to_answer=timedelta(0))

    def _agent_info(self, agent: Agent) -> AgentInfo:
        sessions = [self.sessions[h] for h in agent.sessions]
        talk = sum((s.talk for s in sessions), timedelta(0))
        wrap = sum((s.wrapup for s in sessions), timedelta(0))
        return AgentInfo(
            state=agent.state, next_state=agent.next_state, measurement_period=agent.period,
            overall_call_rate=Decimal(0), number_of_acd_calls=sum(s.calls for s in sessions),
            number_of_incoming_calls=0, number_of_outgoing_calls=0,
            total_acd_talk_time=talk, total_acd_call_time=talk + wrap,
            total_acd_wrapup_time=wrap)


#: Every request type the simulator routes to an application handler.
SERVED = [
    ProxyRequestType.CREATE_AGENT, ProxyRequestType.CREATE_AGENT_SESSION,
    ProxyRequestType.GET_AGENT_SESSION_LIST, ProxyRequestType.GET_AGENT_SESSION_INFO,
    ProxyRequestType.SET_AGENT_SESSION_STATE, ProxyRequestType.GET_AGENT_INFO,
    ProxyRequestType.SET_AGENT_MEASUREMENT_PERIOD, ProxyRequestType.SET_AGENT_STATE_EX,
    ProxyRequestType.GET_AGENT_CAPS, ProxyRequestType.GET_GROUP_LIST,
    ProxyRequestType.GET_QUEUE_LIST, ProxyRequestType.GET_QUEUE_INFO,
    ProxyRequestType.SET_QUEUE_MEASUREMENT_PERIOD,
]


def serve(acd: PythonAcd, device_id: int = 0) -> tuple[AgentHandler, threading.Thread]:
    """Open the handler and answer requests in a thread until it is closed."""
    handler = AgentHandler(device_id, SERVED, app_name="pytapi2 example ACD")
    acd.handler = handler
    thread = threading.Thread(target=handler.serve, args=(acd.answer,),
                              kwargs={"timeout": float("inf")}, daemon=True)
    thread.start()
    return handler, thread


def demo_acd() -> PythonAcd:
    acd = PythonAcd()
    sales = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
    acd.add_group(sales, "Sales")
    acd.add_queue(31, "Sales inbound", sales)
    acd.add_agent("1001", "4321")
    return acd


class DemoHandler:
    """What ``pytapi2 demo --handler`` runs: this ACD with the scenario's
    groups, queues and agents, served on one line device until closed."""

    def __init__(self, scenario: Scenario, now: Callable[[], datetime],
                 device_id: int = 0) -> None:
        self.acd = PythonAcd(now=now)
        for group in scenario.groups:
            self.acd.add_group(group.id, group.name)
            for queue in group.queues:
                self.acd.add_queue(queue.id, queue.name, group.id)
        for agent in scenario.agents:
            self.acd.add_agent(agent.id, agent.pin or "")
        self.handler, self._thread = serve(self.acd, device_id)

    def close(self) -> None:
        self.handler.close()
        self._thread.join()


def demo_handler(scenario: Scenario, now: Callable[[], datetime],
                 device_id: int = 0) -> DemoHandler:
    """The entry point of ``pytapi2 demo --handler examples/acd_handler.py``."""
    return DemoHandler(scenario, now, device_id)


def main() -> None:
    from pytapi2.simulator import Simulator

    sim = Simulator()
    sim.reset()
    sim.set_builtin_handler(False)  # every agent request goes to the Python ACD
    acd = demo_acd()
    handler, thread = serve(acd)
    try:
        # The client: the README tour, unchanged.
        with pytapi2.TapiApp(app_name="wallboard") as app, app.open_line(0) as line:
            group = line.groups()[0]
            agent = line.create_agent("1001", pin="4321")
            session = agent.create_session(group=group.id)
            session.set_state(AgentSessionState.READY)
            acd.record_call(session.handle, timedelta(minutes=3), timedelta(seconds=40))
            info = session.info()
            print(f"{group.name}: session {session.handle:#x} {info.state.name}, "
                  f"{info.number_of_calls} call(s), talk {info.total_talk_time}")
            for event in app.events(timeout=0.2):
                print("event:", event)
    finally:
        handler.close()
        thread.join()
        sim.reset()


if __name__ == "__main__":
    main()
