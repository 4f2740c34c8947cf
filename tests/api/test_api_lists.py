"""Lists: groups, queues, agent sessions (GUIDs byte-exact, 500 sessions,
1000-session batches)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from _api_helpers import AGENT_IDS, GROUP, GROUP2, PIN, START, raw_call

import pytapi2
from pytapi2._native import ffi, lib


def test_groups_round_trip(line: pytapi2.Line) -> None:
    groups = line.groups()
    assert sorted(groups, key=lambda g: g.name) == [pytapi2.Group(GROUP, "Sales"),
                                                    pytapi2.Group(GROUP2, "Support")]
    raw = raw_call(line, "lineGetGroupListW", "LINEAGENTGROUPLIST", 4096)
    offset = raw.ptr.dwListOffset
    entry = ffi.sizeof("LINEAGENTGROUPENTRY")
    ids = {raw.data[offset + i * entry: offset + i * entry + 16]
           for i in range(raw.ptr.dwNumEntries)}
    assert ids == {GROUP.bytes_le, GROUP2.bytes_le}


def test_session_entry_guid_is_bytes_le(agent: pytapi2.Agent) -> None:
    agent.create_session(GROUP2, 0)
    line = agent.line
    raw = raw_call(line, "lineGetAgentSessionList", "LINEAGENTSESSIONLIST", 1024, agent.handle)
    assert raw.ptr.dwNumEntries == 1
    entry = ffi.cast("LINEAGENTSESSIONENTRY *", raw.buffer + raw.ptr.dwListOffset)
    assert bytes(ffi.buffer(ffi.addressof(entry[0], "GroupID"), 16)) == GROUP2.bytes_le
    assert entry[0].GroupID.Data1 == GROUP2.fields[0]  # little-endian first field
    (session,) = agent.sessions
    assert session.group == GROUP2


def test_agent_sessions_500(sim: Any) -> None:
    sim.configure_lines(1, 250)
    with pytapi2.TapiApp(app_name="many", timeout=10) as app, app.open_line(0) as line:
        agent = line.create_agent(AGENT_IDS[1], pin=PIN)
        created = [agent.create_session(group, address)
                   for group in (GROUP, GROUP2) for address in range(250)]
        listed = agent.sessions
        assert len(listed) == 500
        assert set(listed) == set(created)
        by_handle = {s.handle: s for s in created}
        for session in listed:
            twin = by_handle[session.handle]
            assert (session.group, session.address_id) == (twin.group, twin.address_id)
            assert session.agent == agent


def test_session_infos_1000_in_order(sim: Any) -> None:
    sim.configure_lines(1, 63)
    with pytapi2.TapiApp(app_name="batch", timeout=30) as app, app.open_line(0) as line:
        sessions = []
        for agent_id in AGENT_IDS:
            agent = line.create_agent(agent_id, pin=PIN)
            for group in (GROUP, GROUP2):
                for address in range(63):
                    if len(sessions) == 1000:
                        break
                    sessions.append(agent.create_session(group, address))
                    sim.advance(1)
        assert len(sessions) == 1000
        sessions.reverse()
        infos = line.session_infos(sessions)
        assert len(infos) == 1000
        for i, info in enumerate(infos):
            # created at START + k seconds: the start time identifies the session
            assert info.start_time == START + timedelta(seconds=999 - i)
        assert line.app._core.pending_count() == 0


def test_session_infos_errors(line: pytapi2.Line, agent: pytapi2.Agent, sim: Any) -> None:
    first = agent.create_session(GROUP)
    second = agent.create_session(GROUP2)
    sim.inject_fault("lineGetAgentSessionInfo", pytapi2.simulator.Fault.REPLY_ERROR,
                     error=lib.LINEERR_RESOURCEUNAVAIL)
    results = line.session_infos([first, second], return_exceptions=True)
    assert isinstance(results[0], pytapi2.ResourceUnavailableError)
    assert isinstance(results[1], pytapi2.AgentSessionInfo)
    assert line.session_infos([]) == []


def test_queues(sim: Any, line: pytapi2.Line) -> None:
    sim.add_queue(GROUP, 7, "Sales main")
    sim.add_queue(GROUP, 8, "Sales overflow")
    queues = line.queues(GROUP)
    assert sorted(queues, key=lambda q: q.id) == [pytapi2.Queue(7, "Sales main"),
                                                  pytapi2.Queue(8, "Sales overflow")]
    assert line.queues(GROUP2) == []
    info = line.queue_info(7)
    assert isinstance(info, pytapi2.QueueInfo)
    assert info.current_calls_queued == 0
    line.set_queue_measurement_period(queues[0], 600)
    assert line.queue_info(queues[0]).measurement_period == timedelta(seconds=600)


def test_agent_caps(app: pytapi2.TapiApp) -> None:
    caps = app.agent_caps(0, 0)
    assert isinstance(caps, pytapi2.AgentCaps)
    assert caps.states & int(pytapi2.AgentState.READY)
