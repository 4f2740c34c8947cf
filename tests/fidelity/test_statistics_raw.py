"""Statistics, raw: ns-tapi-lineagentsessioninfo.md, ns-tapi-lineagentinfo.md,
ns-tapi-linequeueinfo.md, nf-tapi-linesetagentmeasurementperiod.md,
nf-tapi-linesetqueuemeasurementperiod.md."""

from __future__ import annotations

from _fidelity import G1, Acd, guid

from pytapi2._native import ffi, lib

READY = lib.LINEAGENTSESSIONSTATE_READY


def _ready_session(acd: Acd) -> tuple[int, int]:
    agent = acd.agent()
    s = acd.session(agent)
    assert acd.set_state(s, READY, READY) == 0
    return agent, s


def test_session_statistics_accrue_during_a_call(acd: Acd) -> None:
    """ns-tapi-lineagentsessioninfo.md: dwTotalTalkTime is the "number of
    seconds spent talking in ACD calls during this agent session": 100 s into
    a call they are counted, with the call (from its answer) and its time to
    answer; a ringing call is not handled yet."""
    _, s = _ready_session(acd)
    assert lib.tapisim_offer_call(s, 4000, 300_000, 60_000) == 0
    assert lib.tapisim_advance(2000) == 0
    ringing = acd.session_info(s)
    assert (ringing.dwNumberOfCalls, ringing.dwTotalTalkTime) == (0, 0)
    assert lib.tapisim_advance(2000 + 100_000) == 0
    talking = acd.session_info(s)
    assert talking.dwAgentSessionState == lib.LINEAGENTSESSIONSTATE_BUSYONCALL
    assert talking.dwNumberOfCalls == 1
    assert talking.dwTotalTalkTime == 100 and talking.dwAverageTalkTime == 100
    assert talking.dwTotalCallTime == 100 and talking.dwTotalWrapUpTime == 0
    assert (talking.dwLongestTimeToAnswer, talking.dwAverageTimeToAnswer) == (4, 4)
    assert lib.tapisim_advance(200_000 + 30_000) == 0
    wrapping = acd.session_info(s)
    assert wrapping.dwAgentSessionState == lib.LINEAGENTSESSIONSTATE_BUSYWRAPUP
    assert (wrapping.dwNumberOfCalls, wrapping.dwTotalTalkTime) == (1, 300)
    assert (wrapping.dwTotalWrapUpTime, wrapping.dwTotalCallTime) == (30, 330)
    assert lib.tapisim_advance(30_000) == 0
    done = acd.session_info(s)
    assert (done.dwNumberOfCalls, done.dwTotalTalkTime, done.dwTotalWrapUpTime) == (1, 300, 60)


def test_agent_counts_stay_in_the_measurement_window(acd: Acd) -> None:
    """ns-tapi-lineagentinfo.md: dwMeasurementPeriod says whether the counts
    reference "the calls handed in the last hour, day, or month"; a call that
    ended longer ago than the period leaves them (nothing is reset by
    lineSetAgentMeasurementPeriod)."""
    agent, s = _ready_session(acd)
    assert acd.reply(lib.lineSetAgentMeasurementPeriod(acd.line, agent, 600)) == 0
    assert lib.tapisim_offer_call(s, 0, 60_000, 0) == 0
    assert lib.tapisim_advance(60_000) == 0
    i = acd.agent_info(agent)
    assert (i.dwNumberOfACDCalls, i.dwTotalACDTalkTime, i.dwMeasurementPeriod) == (1, 60, 600)
    assert lib.tapisim_advance(600_000 - 1) == 0
    assert acd.agent_info(agent).dwNumberOfACDCalls == 1  # ended 599.999 s ago
    assert lib.tapisim_advance(1) == 0
    i = acd.agent_info(agent)
    assert (i.dwNumberOfACDCalls, i.dwTotalACDTalkTime, i.dwTotalACDCallTime) == (0, 0, 0)
    assert acd.session_info(s).dwNumberOfCalls == 1  # session totals are not windowed


def test_overall_call_rate_is_per_hour_in_active_sessions(acd: Acd) -> None:
    """ns-tapi-lineagentinfo.md: cyOverallCallRate is calls "per agent hour — where
    agent hour represents the time that an agent was active in one or more
    agent sessions": two overlapping sessions count their union once, time
    after both ended not at all."""
    agent = acd.agent()
    assert acd.reply(lib.lineSetAgentMeasurementPeriod(acd.line, agent, 86400)) == 0
    s1 = acd.session(agent)
    assert lib.tapisim_advance(1_800_000) == 0
    s2 = acd.session(agent, group=G1)
    assert acd.set_state(s2, READY) == 0
    assert lib.tapisim_offer_call(s2, 0, 60_000, 0) == 0
    assert lib.tapisim_advance(1_800_000) == 0  # both active: one hour so far
    for s in (s1, s2):
        assert acd.set_state(s, lib.LINEAGENTSESSIONSTATE_ENDED) == 0
    assert lib.tapisim_advance(7_200_000) == 0  # inactive time does not count
    i = acd.agent_info(agent)
    assert i.dwNumberOfACDCalls == 1
    assert i.cyOverallCallRate == 10000  # 1 call per active hour, as CURRENCY


def test_non_acd_calls_are_counted(acd: Acd) -> None:
    """ns-tapi-lineagentinfo.md: dwNumberOfIncomingCalls / OutgoingCalls count
    non-ACD calls; the agent is BUSYINCOMING / BUSYOUTGOING meanwhile
    (lineagentstateex--constants.md); ACD statistics are untouched."""
    agent, _ = _ready_session(acd)
    assert lib.tapisim_non_acd_call(agent, 0, 30_000) == 0
    assert acd.agent_info(agent).dwAgentState == lib.LINEAGENTSTATEEX_BUSYINCOMING
    assert lib.tapisim_non_acd_call(agent, 1, 1000) == lib.TAPISIM_E_STATE  # one at a time
    assert lib.tapisim_advance(30_000) == 0
    assert lib.tapisim_non_acd_call(agent, 1, 10_000) == 0
    assert lib.tapisim_advance(10_000) == 0
    i = acd.agent_info(agent)
    assert (i.dwNumberOfIncomingCalls, i.dwNumberOfOutgoingCalls) == (1, 1)
    assert (i.dwNumberOfACDCalls, i.dwAgentState) == (0, lib.LINEAGENTSTATEEX_READY)
    states = [m[5] for m in acd.events(lib.LINE_AGENTSTATUSEX)
              if m[4] == lib.LINEAGENTSTATUSEX_STATE]
    assert states == [lib.LINEAGENTSTATEEX_BUSYINCOMING, lib.LINEAGENTSTATEEX_READY,
                      lib.LINEAGENTSTATEEX_BUSYOUTGOING, lib.LINEAGENTSTATEEX_READY]


def _traffic(calls_per_hour: float, patience_s: float = 0.0) -> object:
    t = ffi.new("tapisim_traffic *")
    t.calls_per_hour = calls_per_hour
    t.mean_talk_s = 60.0
    t.mean_wrapup_s = 0.0
    t.mean_ring_s = 0.0
    t.patience_s = patience_s
    t.seed = 7
    return t


def test_queue_counts_stay_in_the_window_longest_ever_stays(acd: Acd) -> None:
    """ns-tapi-linequeueinfo.md: dwTotalCallsQueued / dwTotalCallsAbandoned are
    "during this measurement period"; dwLongestEverWaitTime is the "longest
    time any call has waited" and a new period does not reset it."""
    assert acd.reply(lib.lineSetQueueMeasurementPeriod(acd.line, 7, 3600)) == 0
    assert lib.tapisim_set_group_traffic(guid(G1), _traffic(60.0, patience_s=30.0)) == 0
    assert lib.tapisim_advance(3_600_000) == 0  # nobody answers: every caller gives up
    assert lib.tapisim_set_group_traffic(guid(G1), _traffic(0.0)) == 0
    q = acd.queue_info(7)
    assert q.dwTotalCallsQueued > 20
    assert q.dwTotalCallsAbandoned + q.dwCurrentCallsQueued == q.dwTotalCallsQueued
    assert q.dwLongestEverWaitTime == 30 and q.dwAverageWaitTime == 30
    assert acd.reply(lib.lineSetQueueMeasurementPeriod(acd.line, 7, 60)) == 0
    assert lib.tapisim_advance(120_000) == 0
    q = acd.queue_info(7)
    assert (q.dwTotalCallsQueued, q.dwTotalCallsAbandoned, q.dwMeasurementPeriod) == (0, 0, 60)
    assert q.dwLongestEverWaitTime == 30


def test_traffic_offers_non_acd_calls(acd: Acd) -> None:
    """ns-tapi-lineagentinfo.md's dwNumberOfIncomingCalls / OutgoingCalls under
    random traffic (tapisim_set_non_acd_traffic): free agents of the group get
    them, in both directions; an agent on an ACD call or without a session in
    the group gets none."""
    busy_agent, busy = _ready_session(acd)
    idle_agent = acd.agent("1001", "1234")
    assert acd.set_state(acd.session(idle_agent), READY, READY) == 0
    assert acd.reply(lib.lineSetAgentMeasurementPeriod(acd.line, idle_agent, 86400)) == 0
    assert acd.reply(lib.lineSetAgentMeasurementPeriod(acd.line, busy_agent, 86400)) == 0
    assert lib.tapisim_offer_call(busy, 0, 8 * 3_600_000, 0) == 0
    assert lib.tapisim_set_non_acd_traffic(guid(G1), 30.0, 60.0, 0.5, 11) == 0
    assert lib.tapisim_advance(2 * 3_600_000) == 0
    assert lib.tapisim_set_non_acd_traffic(guid(G1), 0.0, 0.0, 0.0, 0) == 0
    idle = acd.agent_info(idle_agent)
    assert idle.dwNumberOfIncomingCalls > 5 and idle.dwNumberOfOutgoingCalls > 5
    assert idle.dwNumberOfIncomingCalls + idle.dwNumberOfOutgoingCalls <= 60
    on_call = acd.agent_info(busy_agent)
    assert (on_call.dwNumberOfIncomingCalls, on_call.dwNumberOfOutgoingCalls) == (0, 0)
    assert lib.tapisim_set_non_acd_traffic(guid(G1), 1.0, 1.0, 1.5, 0) == lib.TAPISIM_E_INVAL
