"""A pytapi2 client and a pytapi2 agent handler (pytapi2.proxy) on the
simulator, end to end: every request type the simulator routes, success and
errors, too-small buffers and dwNeededSize growth, answers from another
thread and after the client gave up, a handler closing with requests
pending, duplicate answers, events to clients."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from _proxy_helpers import AGENT_ID, GROUP, PIN, Served, session_info, session_on

import pytapi2
from pytapi2 import (
    AgentCaps,
    AgentInfo,
    AgentSessionEvent,
    AgentSessionState,
    AgentSessionStatus,
    AgentState,
    Group,
    Queue,
    QueueInfo,
    TapiError,
)
from pytapi2._native import lib
from pytapi2.errors import InvalidParameterError, InvalidStateError, OperationUnavailableError
from pytapi2.proxy import (
    LATER,
    AgentHandler,
    AlreadyAnsweredError,
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

T = ProxyRequestType
Start = Callable[[list[ProxyRequestType], Callable[[ProxyRequest], object]], Served]


def test_agent_and_session_requests_end_to_end(line: pytapi2.Line, serve: Start) -> None:
    answers: dict[type, object] = {
        CreateAgentRequest: 0x700,
        CreateAgentSessionRequest: 0x900,
        GetAgentSessionInfoRequest: session_info(),
        GetAgentSessionListRequest: [SessionListEntry(0x900, 0x700, GROUP, 0)],
        GetAgentInfoRequest: AgentInfo(
            state=AgentState.READY, next_state=None, measurement_period=timedelta(hours=1),
            overall_call_rate=Decimal("2.5"), number_of_acd_calls=4,
            number_of_incoming_calls=1, number_of_outgoing_calls=2,
            total_acd_talk_time=timedelta(minutes=10), total_acd_call_time=timedelta(minutes=12),
            total_acd_wrapup_time=timedelta(minutes=2)),
        SetAgentSessionStateRequest: None,
        SetAgentStateExRequest: None,
        SetAgentMeasurementPeriodRequest: None,
    }
    served = serve([T.CREATE_AGENT, T.CREATE_AGENT_SESSION, T.GET_AGENT_SESSION_INFO,
                    T.GET_AGENT_SESSION_LIST, T.GET_AGENT_INFO, T.SET_AGENT_SESSION_STATE,
                    T.SET_AGENT_STATE_EX, T.SET_AGENT_MEASUREMENT_PERIOD],
                   lambda request: answers[type(request)])
    agent = line.create_agent("2002", pin="99")
    assert agent.handle == 0x700
    session = agent.create_session(GROUP, address_id=0, pin="99")
    assert session.handle == 0x900
    assert session.info() == session_info()
    assert [s.handle for s in agent.list_sessions()] == [0x900]
    assert agent.info() == answers[GetAgentInfoRequest]
    session.set_state(AgentSessionState.BUSY_WRAPUP, AgentSessionState.READY)
    agent.set_state(AgentState.NOT_READY)
    agent.set_measurement_period(timedelta(minutes=15))

    seen = served.seen
    assert [type(r) for r in seen] == list(answers)
    create = seen[0]
    assert isinstance(create, CreateAgentRequest)
    assert (create.agent_id, create.pin) == ("2002", "99")
    assert create.client_api_version == pytapi2.ApiVersion.V3_1
    assert create.client_machine and create.client_user
    cs = seen[1]
    assert isinstance(cs, CreateAgentSessionRequest)
    assert (cs.agent, cs.pin, cs.group, cs.address_id) == (0x700, "99", GROUP, 0)
    info_request = seen[2]
    assert isinstance(info_request, GetAgentSessionInfoRequest) and info_request.session == 0x900
    ss = seen[5]
    assert isinstance(ss, SetAgentSessionStateRequest)
    assert (ss.session, ss.state, ss.next_state) == (
        0x900, AgentSessionState.BUSY_WRAPUP, AgentSessionState.READY)
    sx = seen[6]
    assert isinstance(sx, SetAgentStateExRequest)
    assert (sx.agent, sx.state, sx.next_state) == (0x700, AgentState.NOT_READY, None)
    mp = seen[7]
    assert isinstance(mp, SetAgentMeasurementPeriodRequest)
    assert mp.period == timedelta(minutes=15)
    assert all(r.answered for r in seen)
    assert served.handler.pending == 0


def test_group_queue_and_caps_requests_end_to_end(app: pytapi2.TapiApp, line: pytapi2.Line,
                                                  serve: Start) -> None:
    groups = [Group(GROUP, "Sales"), Group(UUID(int=7), "Support")]
    queues = [Queue(31, "Inbound"), Queue(32, "Callback")]
    qinfo = QueueInfo(measurement_period=timedelta(hours=1), total_calls_queued=9,
                      current_calls_queued=2, total_calls_abandoned=1, total_calls_flowed_in=0,
                      total_calls_flowed_out=0, longest_ever_wait_time=timedelta(seconds=90),
                      current_longest_wait_time=timedelta(seconds=30),
                      average_wait_time=timedelta(seconds=12), final_disposition=0)
    caps = AgentCaps(handler_info="Python ACD", caps_version=0x00030001, features=0, states=0,
                     next_states=0, max_group_entries=0, agent_status_messages=0,
                     extension_ids=((1, 2, 3, 4),), proxy_guid=UUID(int=99))

    def answer(request: ProxyRequest) -> object:
        if isinstance(request, GetGroupListRequest):
            return groups
        if isinstance(request, GetQueueListRequest):
            assert request.group == GROUP
            return queues
        if isinstance(request, GetQueueInfoRequest):
            assert request.queue == 31
            return qinfo
        if isinstance(request, GetAgentCapsRequest):
            assert request.address_id == 0
            return caps
        assert isinstance(request, SetQueueMeasurementPeriodRequest)
        assert (request.queue, request.period) == (31, timedelta(minutes=5))
        return None

    serve([T.GET_GROUP_LIST, T.GET_QUEUE_LIST, T.GET_QUEUE_INFO, T.GET_AGENT_CAPS,
           T.SET_QUEUE_MEASUREMENT_PERIOD], answer)
    assert line.groups() == groups
    assert line.queues(GROUP) == queues
    assert line.queue_info(31) == qinfo
    line.set_queue_measurement_period(31, timedelta(minutes=5))
    assert app.agent_caps(0) == caps


def test_errors_reach_the_client_as_typed_errors(line: pytapi2.Line, serve: Start) -> None:
    def refuse(request: ProxyRequest) -> object:
        if isinstance(request, SetAgentSessionStateRequest):
            raise InvalidStateError("forbidden",
                                    code=-(0x1_0000_0000 - lib.LINEERR_INVALAGENTSTATE))
        raise InvalidParameterError("no such session",
                                    code=-(0x1_0000_0000 - lib.LINEERR_INVALPARAM))

    serve([T.GET_AGENT_SESSION_INFO, T.SET_AGENT_SESSION_STATE, T.CREATE_AGENT_SESSION], refuse)
    agent = line.create_agent(AGENT_ID, pin=PIN)  # the simulated ACD still serves this one
    with pytest.raises(InvalidParameterError) as caught:
        agent.create_session(GROUP)
    assert caught.value.function == "lineCreateAgentSessionW"
    session = session_on(line, 0x55)
    with pytest.raises(InvalidParameterError):
        session.info()
    with pytest.raises(InvalidStateError):
        session.set_state(AgentSessionState.READY)


def test_a_code_not_on_the_functions_page_is_refused_and_the_request_stays_open(
        line: pytapi2.Line, serve: Start) -> None:
    outcome: queue.Queue[object] = queue.Queue()

    def answer(request: ProxyRequest) -> object:
        assert isinstance(request, GetAgentSessionInfoRequest)
        try:
            request.fail(lib.LINEERR_INVALAGENTSTATE)  # not lineGetAgentSessionInfo's
        except InvalidParameterError as exc:
            outcome.put(exc.function)
        assert not request.answered
        return session_info(calls=9)

    serve([T.GET_AGENT_SESSION_INFO], answer)
    assert session_on(line, 1).info().number_of_calls == 9
    assert outcome.get_nowait() == "lineProxyResponse"


def test_too_small_buffers_grow_to_the_needed_size(line: pytapi2.Line, serve: Start) -> None:
    groups = [Group(UUID(int=i + 1), f"Group {i} " + "x" * 200) for i in range(40)]
    def answer(request: ProxyRequest) -> object:
        assert isinstance(request, GetGroupListRequest)
        return groups

    served = serve([T.GET_GROUP_LIST], answer)
    assert line.groups() == groups
    for request in served.seen:
        assert isinstance(request, GetGroupListRequest)
    # the first request's buffer was too small: the client grew and asked again
    assert len(served.seen) == 2


def test_an_answer_from_another_thread_later(line: pytapi2.Line, serve: Start) -> None:
    work: queue.Queue[ProxyRequest] = queue.Queue()

    def defer(request: ProxyRequest) -> object:
        work.put(request)
        return LATER

    def worker() -> None:
        request = work.get(timeout=10)
        assert isinstance(request, GetAgentSessionInfoRequest)
        request.answer(session_info(calls=request.session))

    thread = threading.Thread(target=worker)
    thread.start()
    serve([T.GET_AGENT_SESSION_INFO], defer)
    assert session_on(line, 12).info().number_of_calls == 12
    thread.join(10)


def test_a_late_answer_after_the_clients_timeout(line: pytapi2.Line, serve: Start) -> None:
    work: queue.Queue[ProxyRequest] = queue.Queue()

    def defer(request: ProxyRequest) -> object:
        work.put(request)
        return LATER

    serve([T.GET_AGENT_SESSION_INFO], defer)
    with pytest.raises(pytapi2.TapiTimeoutError):
        session_on(line, 5).info(timeout=0.2)
    late = work.get(timeout=10)
    late.answer(session_info())  # accepted: the client's buffer is still owned by pytapi2
    # the line keeps working: the next request is answered normally
    thread = threading.Thread(target=lambda: work.get(timeout=10).answer(session_info(calls=1)))
    thread.start()
    assert session_on(line, 5).info().number_of_calls == 1
    thread.join(10)


def test_a_handler_closing_with_requests_pending_fails_them(sim: Any, line: pytapi2.Line) -> None:
    handler = AgentHandler(0, [T.GET_AGENT_SESSION_INFO])
    received: queue.Queue[ProxyRequest | None] = queue.Queue()
    thread = threading.Thread(target=lambda: received.put(handler.next_request(10)))
    thread.start()
    errors: queue.Queue[BaseException] = queue.Queue()

    def client() -> None:
        try:
            session_on(line, 3).info()
        except BaseException as exc:
            errors.put(exc)

    caller = threading.Thread(target=client)
    caller.start()
    request = received.get(timeout=10)
    assert isinstance(request, GetAgentSessionInfoRequest)
    assert handler.pending == 1
    handler.close()
    caller.join(10)
    failure = errors.get_nowait()
    assert isinstance(failure, TapiError) and failure.name == "LINEERR_OPERATIONFAILED"
    assert request.answered
    with pytest.raises(pytapi2.TapiClosedError):
        request.answer(session_info())
    thread.join(10)


def test_duplicate_answers_are_refused(line: pytapi2.Line, serve: Start) -> None:
    refused: queue.Queue[str] = queue.Queue()

    def answer_twice(request: ProxyRequest) -> object:
        assert isinstance(request, GetAgentSessionInfoRequest)
        request.answer(session_info())
        for second in (lambda: request.answer(session_info(calls=5)),
                       lambda: request.fail(lib.LINEERR_INVALPARAM)):
            try:
                second()
            except AlreadyAnsweredError:
                refused.put("refused")
        return LATER

    serve([T.GET_AGENT_SESSION_INFO], answer_twice)
    assert session_on(line, 1).info() == session_info()
    # the second attempts run in the handler's thread after the client's reply
    assert [refused.get(timeout=10), refused.get(timeout=10)] == ["refused", "refused"]


def test_a_bad_answer_value_fails_cleanly_before_anything_is_written(
        line: pytapi2.Line, serve: Start) -> None:
    def answer(request: ProxyRequest) -> object:
        assert isinstance(request, GetAgentSessionInfoRequest)
        with pytest.raises(ValueError, match="total_talk_time"):
            request.answer(session_info().__class__(
                **{**_fields(session_info()), "total_talk_time": timedelta(seconds=-1)}))
        assert not request.answered
        return "not an AgentSessionInfo"  # serve() fails it with OPERATIONFAILED

    serve([T.GET_AGENT_SESSION_INFO], answer)
    with pytest.raises(TapiError) as caught:
        session_on(line, 1).info()
    assert caught.value.name == "LINEERR_OPERATIONFAILED"


def _fields(info: Any) -> dict[str, Any]:
    return {name: getattr(info, name) for name in info.__slots__ if name != "snapshot"}


def test_events_reach_the_clients(app: pytapi2.TapiApp, line: pytapi2.Line, sim: Any) -> None:
    with AgentHandler(0, [T.GET_AGENT_SESSION_INFO]) as handler:
        while app.next_event(0) is not None:  # LINE_PROXYSTATUS of its opening
            pass
        handler.send_session_event(0x31, AgentSessionStatus.STATE, AgentSessionState.READY)
        event = app.next_event(5)
        assert isinstance(event, AgentSessionEvent)
        assert event.session.handle == 0x31
        assert event.state == AgentSessionState.READY
        assert event.state_changed
        with pytest.raises(ValueError):
            handler.send_session_event(0x31, AgentSessionStatus(0x100))


def test_the_first_handler_of_a_type_keeps_it(sim: Any) -> None:
    with AgentHandler(0, [T.GET_AGENT_SESSION_INFO]):
        with pytest.raises(TapiError) as caught:
            AgentHandler(0, [T.GET_QUEUE_INFO, T.GET_AGENT_SESSION_INFO])
        assert caught.value.name == "LINEERR_NOTREGISTERED"
    AgentHandler(0, [T.GET_AGENT_SESSION_INFO]).close()  # free again after close


def test_without_a_builtin_handler_unserved_requests_are_unavailable(
        sim: Any, line: pytapi2.Line, serve: Start) -> None:
    sim.set_builtin_handler(False)
    with pytest.raises(OperationUnavailableError):
        line.create_agent(AGENT_ID, pin=PIN)
    serve([T.CREATE_AGENT], lambda request: 0x42)
    assert line.create_agent(AGENT_ID, pin=PIN).handle == 0x42


def test_provider_closing_the_handlers_line(sim: Any) -> None:
    handler = AgentHandler(0, [T.GET_AGENT_SESSION_INFO])
    sim.close_line(0)
    assert handler.next_request(1) is None
    assert handler.closed
    handler.close()  # idempotent


def test_handler_arguments_are_checked(sim: Any) -> None:
    with pytest.raises(ValueError, match="request_types"):
        AgentHandler(0, [])
    with pytest.raises(ValueError, match="request_types"):
        AgentHandler(0, [0x99])
    with pytest.raises(TypeError, match="request_types"):
        AgentHandler(0, ["GET_AGENT_INFO"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="device_id"):
        AgentHandler("0", [T.GET_AGENT_INFO])  # type: ignore[arg-type]


def test_a_refusal_the_function_may_not_get_becomes_operationfailed(
        line: pytapi2.Line, serve: Start) -> None:
    def refuse(request: ProxyRequest) -> object:
        raise InvalidStateError("not a code lineGetAgentSessionInfo may return",
                                code=-(0x1_0000_0000 - lib.LINEERR_INVALAGENTSTATE))

    served = serve([T.GET_AGENT_SESSION_INFO], refuse)
    for _ in range(2):  # the serving loop survives it
        with pytest.raises(TapiError) as caught:
            session_on(line, 1).info()
        assert caught.value.name == "LINEERR_OPERATIONFAILED"
    assert len(served.seen) == 2


def test_an_asyncio_handler(sim: Any, line: pytapi2.Line) -> None:
    import asyncio

    handler = AgentHandler(0, [T.GET_AGENT_SESSION_INFO, T.SET_AGENT_SESSION_STATE])

    async def answer(request: ProxyRequest) -> object:
        await asyncio.sleep(0)  # an asynchronous look-up in the handler's own model
        if isinstance(request, SetAgentSessionStateRequest):
            raise InvalidStateError("forbidden",
                                    code=-(0x1_0000_0000 - lib.LINEERR_INVALAGENTSTATE))
        assert isinstance(request, GetAgentSessionInfoRequest)
        return session_info(calls=request.session)

    received: queue.Queue[int] = queue.Queue()
    loop_thread = threading.Thread(
        target=lambda: received.put(asyncio.run(handler.serve_async(answer))))
    loop_thread.start()
    try:
        assert session_on(line, 4).info().number_of_calls == 4
        assert session_on(line, 6).info().number_of_calls == 6
        with pytest.raises(InvalidStateError):
            session_on(line, 4).set_state(AgentSessionState.READY)
    finally:
        handler.close()
        loop_thread.join(10)
    assert not loop_thread.is_alive()
    assert received.get_nowait() == 3


def test_proxy_status_lists_the_served_types(app: pytapi2.TapiApp, sim: Any) -> None:
    from pytapi2.proxy import proxy_status

    assert proxy_status(app, 0) == []
    with AgentHandler(0, [T.GET_QUEUE_INFO, T.CREATE_AGENT]):
        assert proxy_status(app, 0) == [T.CREATE_AGENT, T.GET_QUEUE_INFO]
    assert proxy_status(app, 0) == []
    with pytest.raises(pytapi2.TapiError) as caught:
        proxy_status(app, 7)
    assert caught.value.name == "LINEERR_BADDEVICEID"



def test_clients_see_handlers_come_and_go_as_proxy_status_events(
        app: pytapi2.TapiApp, line: pytapi2.Line, sim: Any) -> None:
    def proxy_events() -> list[pytapi2.ProxyStatusEvent]:
        seen = []
        while (event := app.next_event(0)) is not None:
            assert isinstance(event, pytapi2.ProxyStatusEvent), event
            seen.append(event)
        return seen

    assert proxy_events() == []
    with AgentHandler(0, [T.GET_QUEUE_INFO, T.CREATE_AGENT]):
        opened = proxy_events()
    closed = proxy_events()
    assert all(e.line is line for e in opened + closed)
    # One message per request type, OPEN while the handler opens, CLOSE as it closes.
    assert sorted((e.status, e.request_type) for e in opened) == [
        (pytapi2.ProxyStatus.OPEN, T.CREATE_AGENT), (pytapi2.ProxyStatus.OPEN, T.GET_QUEUE_INFO)]
    assert sorted((e.status, e.request_type) for e in closed) == [
        (pytapi2.ProxyStatus.CLOSE, T.CREATE_AGENT), (pytapi2.ProxyStatus.CLOSE, T.GET_QUEUE_INFO)]
    assert isinstance(opened[0].request_type, ProxyRequestType)

COMMON = ["LINEERR_INVALPARAM", "LINEERR_NOMEM", "LINEERR_OPERATIONFAILED",
          "LINEERR_OPERATIONUNAVAIL", "LINEERR_RESOURCEUNAVAIL"]
#: request type -> (the client call, the extra codes its function's page lists)
CALLS: dict[ProxyRequestType, tuple[Callable[[pytapi2.TapiApp, pytapi2.Line], object],
                                    list[str]]] = {
    T.CREATE_AGENT: (lambda a, ln: ln.create_agent("x"), []),
    T.CREATE_AGENT_SESSION: (lambda a, ln: ln.create_agent(AGENT_ID, pin=PIN)
                             .create_session(GROUP), []),
    T.GET_AGENT_SESSION_LIST: (lambda a, ln: ln.create_agent(AGENT_ID, pin=PIN)
                               .list_sessions(), []),
    T.GET_AGENT_SESSION_INFO: (lambda a, ln: session_on(ln, 1).info(), []),
    T.SET_AGENT_SESSION_STATE: (lambda a, ln: session_on(ln, 1).set_state(
        AgentSessionState.READY), ["LINEERR_INVALAGENTSTATE"]),
    T.GET_AGENT_INFO: (lambda a, ln: ln.create_agent(AGENT_ID, pin=PIN).info(), []),
    T.SET_AGENT_MEASUREMENT_PERIOD: (lambda a, ln: ln.create_agent(AGENT_ID, pin=PIN)
                                     .set_measurement_period(60), []),
    T.SET_AGENT_STATE_EX: (lambda a, ln: ln.create_agent(AGENT_ID, pin=PIN)
                           .set_state(AgentState.READY), ["LINEERR_INVALAGENTSTATE"]),
    T.GET_AGENT_CAPS: (lambda a, ln: a.agent_caps(0),
                       ["LINEERR_INVALADDRESSID", "LINEERR_NODEVICE", "LINEERR_NODRIVER"]),
    T.GET_GROUP_LIST: (lambda a, ln: ln.groups(), []),
    T.GET_QUEUE_LIST: (lambda a, ln: ln.queues(GROUP), []),
    T.GET_QUEUE_INFO: (lambda a, ln: ln.queue_info(1), []),
    T.SET_QUEUE_MEASUREMENT_PERIOD: (lambda a, ln: ln.set_queue_measurement_period(1, 60), []),
}


@pytest.mark.parametrize("rtype", list(CALLS), ids=lambda t: t.name)
def test_every_error_a_handler_may_answer_reaches_the_client(
        app: pytapi2.TapiApp, line: pytapi2.Line, serve: Start, rtype: ProxyRequestType) -> None:
    call, extra = CALLS[rtype]
    codes: queue.Queue[str] = queue.Queue()
    refused: queue.Queue[str] = queue.Queue()

    def refuse(request: ProxyRequest) -> object:
        assert request.type == rtype
        if rtype != T.GET_AGENT_CAPS:  # not on any page but caps': refused by TAPI
            try:
                request.fail(lib.LINEERR_NODRIVER)
            except InvalidParameterError:
                refused.put("refused")
        request.fail(getattr(lib, codes.get_nowait()))
        return LATER

    serve([rtype], refuse)
    for name in COMMON + extra:
        codes.put(name)
        with pytest.raises(TapiError) as caught:
            call(app, line)
        assert caught.value.name == name
    if rtype != T.GET_AGENT_CAPS:
        assert refused.qsize() == len(COMMON + extra)


def test_bad_handler_input_is_refused_by_name(line: pytapi2.Line, serve: Start) -> None:
    problems: queue.Queue[str] = queue.Queue()

    def answer(request: ProxyRequest) -> object:
        assert isinstance(request, CreateAgentRequest)
        for attempt, kind, name in (
                (lambda: request.answer(-1), ValueError, "handle"),
                (lambda: request.answer("7"), TypeError, "handle"),
                (lambda: request.fail("LINEERR_INVALPARAM"), TypeError, "error"),
                (lambda: request.fail(5), ValueError, "error"),
                (lambda: request.fail(TapiError("no code")), ValueError, "code")):
            try:
                attempt()
            except kind as exc:
                if name in str(exc):
                    problems.put(name)
        return 0x77  # still unanswered: the real answer goes through

    serve([T.CREATE_AGENT], answer)
    assert line.create_agent("x").handle == 0x77
    assert [problems.get(timeout=10) for _ in range(5)] == [
        "handle", "handle", "error", "error", "code"]


def test_bad_event_input_is_refused_by_name(sim: Any) -> None:
    handler = AgentHandler(0, [T.GET_AGENT_INFO])
    with pytest.raises(ValueError, match="session"):
        handler.send_session_event(-1, AgentSessionStatus.STATE)
    with pytest.raises(ValueError, match="state"):
        handler.send_agent_event(1, pytapi2.AgentStatus.STATE, 99)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="status"):
        handler.send_queue_event(1, 0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="status"):
        handler.send_group_event("NEW_GROUP")  # type: ignore[arg-type]
    handler.close()
    with pytest.raises(pytapi2.TapiClosedError):
        handler.send_group_event(pytapi2.GroupStatus(1))


def test_faults_on_the_clients_function_apply_to_a_handlers_reply(
        sim: Any, line: pytapi2.Line, serve: Start) -> None:
    from pytapi2.simulator import Fault

    served = serve([T.GET_AGENT_SESSION_INFO], lambda request: session_info())
    # DROP_REPLY: the handler answers, its client never hears of it
    sim.inject_fault("lineGetAgentSessionInfo", Fault.DROP_REPLY)
    with pytest.raises(pytapi2.TapiTimeoutError):
        session_on(line, 1).info(timeout=0.5)
    # REPLY_ERROR is the simulated provider's own: the request never reaches the handler
    sim.inject_fault("lineGetAgentSessionInfo", Fault.REPLY_ERROR,
                     error=lib.LINEERR_OPERATIONFAILED)
    with pytest.raises(TapiError):
        session_on(line, 1).info()
    assert len(served.seen) == 1 and served.seen[0].answered
    assert session_on(line, 1).info() == session_info()  # and then all is normal
