"""Bad user input: every public entry point refuses a wrong type or range with
TypeError / ValueError naming the argument, before any TAPI call (no request
is left pending, the app stays usable)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from _hardening import GROUP, Ctx

import pytapi2
from pytapi2 import AgentSessionState, AgentState
from pytapi2.simulator import Fault

T, V = TypeError, ValueError
NAN = float("nan")

# (id, call, exception, name the message must contain)
CASES: list[tuple[str, Callable[[Ctx], Any], type[Exception], str]] = [
    # TapiApp
    ("app-name-type", lambda c: pytapi2.TapiApp(app_name=b"x"), T, "app_name"),
    ("app-name-nul", lambda c: pytapi2.TapiApp(app_name="a\0b"), V, "app_name"),
    ("app-name-long", lambda c: pytapi2.TapiApp(app_name="x" * 300), V, "app_name"),
    ("app-name-surrogate", lambda c: pytapi2.TapiApp(app_name="\ud800"), V, "app_name"),
    ("app-timeout-type", lambda c: pytapi2.TapiApp(timeout="1"), T, "timeout"),
    ("app-timeout-negative", lambda c: pytapi2.TapiApp(timeout=-1), V, "timeout"),
    ("app-timeout-nan", lambda c: pytapi2.TapiApp(timeout=NAN), V, "timeout"),
    ("app-timeout-bool", lambda c: pytapi2.TapiApp(timeout=True), T, "timeout"),
    ("app-queue-type", lambda c: pytapi2.TapiApp(event_queue_size=1.5), T, "event_queue_size"),
    ("app-queue-zero", lambda c: pytapi2.TapiApp(event_queue_size=0), V, "event_queue_size"),
    ("negotiate-device-type", lambda c: c.app.negotiate_api_version("0"), T, "device_id"),
    ("negotiate-device-range", lambda c: c.app.negotiate_api_version(-1), V, "device_id"),
    ("negotiate-high-range", lambda c: c.app.negotiate_api_version(0, high=2**32), V, "high"),
    ("negotiate-low-above-high",
     lambda c: c.app.negotiate_api_version(0, low=0x30001, high=0x20002), V, "low"),
    ("open-device-type", lambda c: c.app.open_line(None), T, "device_id"),
    ("open-device-range", lambda c: c.app.open_line(2**32), V, "device_id"),
    ("open-device-bool", lambda c: c.app.open_line(False), T, "device_id"),
    ("open-privileges", lambda c: c.app.open_line(0, privileges="owner"), T, "privileges"),
    ("open-media", lambda c: c.app.open_line(0, media_modes=-1), V, "media_modes"),
    ("caps-device", lambda c: c.app.agent_caps(1.0), T, "device_id"),
    ("caps-address", lambda c: c.app.agent_caps(0, -5), V, "address_id"),
    ("caps-timeout", lambda c: c.app.agent_caps(0, timeout=[]), T, "timeout"),
    ("next-event-timeout", lambda c: c.app.next_event(timeout="soon"), T, "timeout"),
    ("events-timeout", lambda c: next(c.app.events(timeout=-0.1)), V, "timeout"),
    # Line
    ("create-agent-id", lambda c: c.line.create_agent(1001), T, "agent_id"),
    ("create-agent-id-nul", lambda c: c.line.create_agent("10\x0001"), V, "agent_id"),
    ("create-agent-pin", lambda c: c.line.create_agent("1001", pin=4321), T, "pin"),
    ("create-agent-timeout",
     lambda c: c.line.create_agent("1001", timeout=timedelta(seconds=-1)), V, "timeout"),
    ("session-infos-item", lambda c: c.line.session_infos([c.session, 3]), T, "sessions[1]"),
    ("session-infos-timeout",
     lambda c: c.line.session_infos([c.session], timeout="1"), T, "timeout"),
    ("groups-timeout", lambda c: c.line.groups(timeout=NAN), V, "timeout"),
    ("queues-group", lambda c: c.line.queues(str(GROUP)), T, "group"),
    ("queue-info-type", lambda c: c.line.queue_info("7"), T, "queue"),
    ("queue-info-range", lambda c: c.line.queue_info(-7), V, "queue"),
    ("queue-period-type", lambda c: c.line.set_queue_measurement_period(7, "60"), T, "period"),
    ("queue-period-fraction", lambda c: c.line.set_queue_measurement_period(7, 1.5), V, "period"),
    ("queue-period-range", lambda c: c.line.set_queue_measurement_period(7, 2**32), V, "period"),
    # Agent
    ("create-session-group", lambda c: c.agent.create_session(group=None), T, "group"),
    ("create-session-address", lambda c: c.agent.create_session(GROUP, -1), V, "address_id"),
    ("create-session-pin", lambda c: c.agent.create_session(GROUP, pin=b"1"), T, "pin"),
    ("list-sessions-timeout", lambda c: c.agent.list_sessions(timeout=-2), V, "timeout"),
    ("agent-info-timeout", lambda c: c.agent.info(timeout=object()), T, "timeout"),
    ("agent-state-type", lambda c: c.agent.set_state("READY"), T, "state"),
    ("agent-state-value", lambda c: c.agent.set_state(3), V, "state"),
    ("agent-state-session-enum",
     lambda c: c.agent.set_state(AgentSessionState.READY), T, "state"),
    ("agent-next-state", lambda c: c.agent.set_state(AgentState.READY, 12345), V, "next_state"),
    ("agent-period-type", lambda c: c.agent.set_measurement_period(None), T, "period"),
    ("agent-period-negative", lambda c: c.agent.set_measurement_period(-1), V, "period"),
    ("agent-period-fraction", lambda c: c.agent.set_measurement_period(0.5), V, "period"),
    # AgentSession
    ("session-info-timeout", lambda c: c.session.info(timeout="x"), T, "timeout"),
    ("session-state-type", lambda c: c.session.set_state(1.0), T, "state"),
    ("session-state-value", lambda c: c.session.set_state(3), V, "state"),
    ("session-state-agent-enum",
     lambda c: c.session.set_state(AgentState.READY), T, "state"),
    ("session-next-state",
     lambda c: c.session.set_state(AgentSessionState.READY, -1), V, "next_state"),
    ("session-end-timeout", lambda c: c.session.end(timeout=float("-inf")), V, "timeout"),
    ("duration-at", lambda c: c.session.info().duration_at("now"), T, "t"),
    # Simulator (public: pytapi2.simulator)
    ("sim-lines-count", lambda c: c.sim.configure_lines("1"), T, "count"),
    ("sim-latency", lambda c: c.sim.set_reply_latency(-1), V, "latency"),
    ("sim-real-speed", lambda c: c.sim.use_real_clock(0), V, "speed"),
    ("sim-advance", lambda c: c.sim.advance(-1), V, "duration"),
    ("sim-agent-id", lambda c: c.sim.add_agent(7), T, "agent_id"),
    ("sim-queue-id", lambda c: c.sim.add_queue(GROUP, -1, "q"), V, "queue_id"),
    ("sim-traffic-seed", lambda c: c.sim.set_traffic(GROUP, calls_per_hour=1, mean_talk=1,
                                                     mean_wrapup=1, seed=-1), V, "seed"),
    ("sim-offer-wait", lambda c: c.sim.offer_call(c.session, wait="1", talk=1), T, "wait"),
    ("sim-state", lambda c: c.sim.set_session_state(c.session, 3), V, "state"),
    ("sim-non-acd-talk", lambda c: c.sim.non_acd_call(c.agent, outgoing=True, talk="1"), T,
     "talk"),
    ("sim-non-acd-outgoing", lambda c: c.sim.non_acd_call(c.agent, outgoing=1, talk=1), T,
     "outgoing"),
    ("sim-handle-base", lambda c: c.sim.set_handle_base(-1), V, "first"),
    ("sim-builtin-handler", lambda c: c.sim.set_builtin_handler(1), T, "enabled"),
    ("sim-non-acd-share", lambda c: c.sim.set_non_acd_traffic(GROUP, calls_per_hour=1,
                                                              mean_talk=1, outgoing_share=2),
     V, "outgoing_share"),
    ("sim-close-line", lambda c: c.sim.close_line(-1), V, "device_id"),
    ("sim-fault-function", lambda c: c.sim.inject_fault(1, Fault.ERROR), T, "function"),
    ("sim-fault-count", lambda c: c.sim.inject_fault("lineClose", Fault.ERROR, count=-1), V,
     "count"),
    ("sim-post-app", lambda c: c.sim.post_message("1", 0, 0), T, "app"),
    ("load-path", lambda c: pytapi2.load(123), T, "path"),
    ("sim-set-time", lambda c: c.sim.set_time("2026-01-05"), T, "when"),
    ("sim-load", lambda c: c.sim.load(5), T, "scenario"),
    ("sim-group-id", lambda c: c.sim.add_group("not-a-uuid", "x"), T, "group_id"),
    ("sim-offer-session", lambda c: c.sim.offer_call("1", wait=1, talk=1), T, "session"),
    ("sim-fault-kind", lambda c: c.sim.inject_fault("lineClose", 99), V, "kind"),
    ("sim-fault-error", lambda c: c.sim.inject_fault("lineClose", Fault.ERROR, error="x"), T,
     "error"),
    ("sim-post-param", lambda c: c.sim.post_message(c.app.handle, 0, 0, "x"), T, "param1"),
    ("sim-schedule-at", lambda c: c.sim.schedule_session_state(c.session, "x", 1), T, "at"),
    ("negotiate-low-type", lambda c: c.app.negotiate_api_version(0, low=None), T, "low"),
    ("open-high-type", lambda c: c.app.open_line(0, high="3.1"), T, "high"),
]



def _check(ctx: Ctx, call: Callable[[Ctx], Any], exc: type[Exception], name: str) -> None:
    with pytest.raises(exc) as info:
        call(ctx)
    assert type(info.value) in (TypeError, ValueError)
    named = re.search(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])", str(info.value))
    assert named, f"message does not name {name!r}: {info.value}"
    # refused before any TAPI call: nothing pending, everything still works
    assert ctx.app._core.pending_count() == 0
    assert ctx.session.info().state is AgentSessionState.NOT_READY


@pytest.mark.parametrize(("call", "exc", "name"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_argument_is_refused_by_name(ctx: Ctx, call: Callable[[Ctx], Any],
                                         exc: type[Exception], name: str) -> None:
    _check(ctx, call, exc, name)


def test_every_public_callable_is_covered() -> None:
    """A new public method must get a case above (or be listed here as taking
    no argument that could be wrong)."""
    no_args = {"TapiApp.close", "TapiApp.shutdown", "Line.close", "Simulator.reset",
               "Simulator.now", "Simulator.clear_faults", "Simulator.session_count",
               "Simulator.use_virtual_clock", "Simulator.set_initial_session_state",
               "Simulator.message_fd", "Simulator.pending_replies", "AgentSession.end",
               "Agent.sessions", "Simulator.__init__"}
    # constructed by pytapi2 itself, never by the user
    internal = {"Line.__init__", "Agent.__init__", "AgentSession.__init__"}
    from pytapi2.simulator import Simulator

    covered = {"TapiApp.__init__", "TapiApp.negotiate_api_version", "TapiApp.open_line",
               "TapiApp.agent_caps", "TapiApp.next_event", "TapiApp.events",
               "Line.create_agent", "Line.session_infos", "Line.groups", "Line.queues",
               "Line.queue_info", "Line.set_queue_measurement_period",
               "Agent.create_session", "Agent.list_sessions", "Agent.info", "Agent.set_state",
               "Agent.set_measurement_period", "AgentSession.info", "AgentSession.set_state",
               "Simulator.configure_lines", "Simulator.set_reply_latency",
               "Simulator.use_real_clock", "Simulator.set_time", "Simulator.advance",
               "Simulator.add_agent", "Simulator.add_group", "Simulator.add_queue",
               "Simulator.set_traffic", "Simulator.offer_call", "Simulator.set_session_state",
               "Simulator.schedule_session_state", "Simulator.close_line",
               "Simulator.inject_fault", "Simulator.post_message",
               "Simulator.non_acd_call", "Simulator.set_handle_base",
               "Simulator.set_builtin_handler", "Simulator.set_non_acd_traffic",
               "Simulator.load"}
    public = set()
    for cls in (pytapi2.TapiApp, pytapi2.Line, pytapi2.Agent, pytapi2.AgentSession, Simulator):
        for attr, value in vars(cls).items():
            if callable(value) and (not attr.startswith("_") or attr == "__init__") \
                    and not isinstance(value, property):
                public.add(f"{cls.__name__}.{attr}")
        for attr, value in vars(cls).items():
            if isinstance(value, property):
                public.discard(f"{cls.__name__}.{attr}")
    assert public - covered - no_args - internal - {"Line.__enter__", "Line.__exit__"} == set()


def test_set_time_with_an_aware_datetime(ctx: Ctx) -> None:
    from datetime import timezone

    with pytest.raises(ValueError, match="naive"):
        ctx.sim.set_time(datetime(2026, 1, 5, tzinfo=timezone.utc))
