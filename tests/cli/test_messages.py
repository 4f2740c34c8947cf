"""The message fixes of issue 13, each with the message it gives now, and the
limits the simulator enforces checked where the value is typed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

import pytapi2
from pytapi2 import AgentSessionState, AgentSessionStatus, ApiVersion, LineMessage
from pytapi2.simulator import CLOCK_MAX, Simulator, SimulatorError
from pytapi2.simulator.scenario import Scenario, ScenarioError, parse_scenario

GROUP = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")


# -- enums print as names ---------------------------------------------------------------


def test_enums_print_as_names_and_repr_stays_informative() -> None:
    state = AgentSessionState.READY
    assert str(state) == "READY" and f"{state}" == "READY" and f"{state:>7}" == "  READY"
    assert repr(state) == f"<AgentSessionState.READY: {int(state)}>"
    assert f"{state:d}" == str(int(state))  # a numeric spec still formats the number
    both = AgentSessionStatus.NEW_SESSION | AgentSessionStatus.STATE
    assert str(both) == "NEW_SESSION|STATE"
    assert str(AgentSessionStatus(0)) == "0"
    assert str(LineMessage.REPLY) == "REPLY"
    assert str(ApiVersion.V2_2) == "2.2" and f"{ApiVersion.V3_0}" == "3.0"
    # Every enum of pytapi2.constants prints by name (or, ApiVersion, as "2.2").
    import enum

    from pytapi2 import constants

    for name in dir(constants):
        cls = getattr(constants, name)
        if isinstance(cls, type) and issubclass(cls, enum.Enum) and cls.__module__ == \
                constants.__name__ and cls is not ApiVersion:
            member = next(iter(cls))
            assert str(member) == member.name and f"{member}" == member.name, cls


def test_session_info_state_prints_as_a_name(tapi_session: pytapi2.AgentSession) -> None:
    tapi_session.set_state(AgentSessionState.READY, AgentSessionState.READY)
    assert f"is now {tapi_session.info().state}" == "is now READY"


# -- argument messages --------------------------------------------------------------------


def test_enum_argument_message_has_the_right_article(
        tapi_session: pytapi2.AgentSession) -> None:
    with pytest.raises(ValueError, match=r"state must be an AgentSessionState, got 99"):
        tapi_session.set_state(99)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"state must be an AgentSessionState, got str"):
        tapi_session.set_state("READY")  # type: ignore[arg-type]


def test_timeout_message_mentions_inf(tapi_app: pytapi2.TapiApp) -> None:
    with pytest.raises(ValueError) as caught:
        tapi_app.next_event(timeout=-1)
    message = str(caught.value)
    assert "timeout" in message and "float('inf') waits forever" in message
    assert "finite" not in message


def test_next_event_none_waits_forever(tapi_app: pytapi2.TapiApp,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """timeout=None is "no timeout" (like queue.Queue.get), not the app's 10 s."""
    seen: list[Any] = []
    core = tapi_app._core  # the wait is the request core's: check what it is asked for

    def next_event(self: Any, wait: float | None) -> None:
        seen.append(wait)

    monkeypatch.setattr(type(core), "next_event", next_event)
    assert tapi_app.next_event(timeout=None) is None
    assert tapi_app.next_event() is None
    assert tapi_app.next_event(timeout=2) is None
    assert seen == [None, None, 2.0]


# -- the simulator's limits, checked in Python --------------------------------------------


def test_advance_past_the_clock_range_names_the_argument(tapisim: Simulator) -> None:
    with pytest.raises(ValueError, match=r"duration .* past 9999-01-01"):
        tapisim.advance(2**40)
    assert tapisim.now() == datetime(2026, 1, 5, 9, 0)  # unchanged, still readable
    tapisim.advance(timedelta(days=1))
    assert tapisim.now() == datetime(2026, 1, 6, 9, 0)


@pytest.mark.parametrize("when", [datetime(9999, 12, 31, 23), datetime(99, 12, 31),
                                  datetime(1, 1, 1)])
def test_set_time_outside_the_clock_range(tapisim: Simulator, when: datetime) -> None:
    with pytest.raises(ValueError, match=r"when must be between 0100-01-01 and 9999-01-01"):
        tapisim.set_time(when)


# No traffic: set_time runs every event up to the new time, and eight
# millennia of random calls would take a while.
QUIET = Scenario.of(groups={"Sales": GROUP}, agents={"1001": "4321"},
                    start=datetime(2026, 1, 5, 9, 0))


@pytest.mark.tapisim(QUIET)
def test_sessions_work_at_the_end_of_the_clock_range(tapisim: Simulator,
                                                     tapi_line: pytapi2.Line) -> None:
    tapisim.set_time(CLOCK_MAX - timedelta(hours=1))
    agent = tapi_line.create_agent("1001", pin="4321")
    session = agent.create_session(group=GROUP, pin="4321")
    tapisim.advance(3600)
    info = session.info()
    # An OLE DATE this late is exact to ~40 µs (the spacing of doubles).
    assert abs(info.start_time - (CLOCK_MAX - timedelta(hours=1))) < timedelta(microseconds=50)
    assert info.duration == timedelta(hours=1)


def test_real_clock_speed_limit(tapisim: Simulator) -> None:
    with pytest.raises(ValueError, match=r"speed must be a number in \(0, 1e\+06\], got 3000000.0"):
        tapisim.use_real_clock(3e6)


def test_agent_id_and_traffic_limits_name_the_argument(tapisim: Simulator) -> None:
    with pytest.raises(ValueError, match=r"agent_id is too long \(100000 characters; "
                                         r"the simulator takes at most 255\)"):
        tapisim.add_agent("7" * 100_000)
    with pytest.raises(ValueError, match=r"calls_per_hour must be at most 1e\+07"):
        tapisim.set_traffic(GROUP, calls_per_hour=2e7, mean_talk=60, mean_wrapup=10)
    with pytest.raises(ValueError, match=r"mean_talk must be at most 1e\+06"):
        tapisim.set_traffic(GROUP, calls_per_hour=1, mean_talk=2e6, mean_wrapup=10)
    with pytest.raises(ValueError, match=r"name is too long"):
        tapisim.add_group(UUID(int=7), "x" * 2000)
    try:  # the C model would have said only TAPISIM_E_INVAL
        tapisim.add_agent("8" * 255)
    except SimulatorError as exc:  # pragma: no cover - shows the limit is the model's
        pytest.fail(f"255 characters are allowed: {exc}")


# -- scenarios: file and key in every message -------------------------------------------


def scenario_error(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "my.toml")
    return str(caught.value)


GROUPS = '[[groups]]\nname = "Sales"\n'


def test_typo_is_reported_as_itself() -> None:
    message = scenario_error(GROUPS + '[[agents]]\nid = "1"\ngroups = ["Sales"]\n'
                                      'shfit = "09:00-10:00"\n')
    assert message == ("my.toml: agents[0].shfit: unknown key (did you mean 'shift'? expected "
                       "one of: id, pin, name, groups, shift, breaks)")


def test_array_message_shows_the_array() -> None:
    message = scenario_error(GROUPS + '[[agents]]\nid = "1"\ngroups = [1, 2]\n'
                                      'shift = "09:00-10:00"\n')
    assert message == ("my.toml: agents[0].groups: expected a non-empty array of group names, "
                       "got [1, 2]")


def test_empty_shift_is_refused() -> None:
    message = scenario_error(GROUPS + '[[agents]]\nid = "1"\ngroups = ["Sales"]\n'
                                      'shift = "08:00-08:00"\n')
    assert message.startswith('my.toml: agents[0].shift: the span "08:00-08:00" is empty')


def test_break_at_shift_start_and_night_shift() -> None:
    sc = parse_scenario(GROUPS + '[[agents]]\nid = "1"\ngroups = ["Sales"]\n'
                                 'shift = "22:00-06:00"\nbreaks = ["22:00-22:15", "05:45-06:00"]\n',
                        "night.toml")
    agent = sc.agents[0]
    assert agent.shift_start is not None and agent.shift_end is not None
    assert agent.shift_end - agent.shift_start == timedelta(hours=8)
    assert agent.breaks[0].start == agent.shift_start
    assert agent.breaks[-1].end == agent.shift_end


def test_scenario_of_loads_in_one_call(tapisim: Simulator) -> None:
    sc = Scenario.of(groups={"Help": GROUP}, agents={"9": None},
                     start=datetime(2026, 2, 1, 8, 0), queues={"Help": [(5, "Help line")]})
    assert tapisim.load(sc) is sc
    assert tapisim.now() == datetime(2026, 2, 1, 8, 0)
    with pytapi2.TapiApp() as app, app.open_line(0) as line:
        assert [g.name for g in line.groups()] == ["Help"]
        assert [q.id for q in line.queues(GROUP)] == [5]
        line.create_agent("9")


def test_bundled_scenarios_load_by_name(tapisim: Simulator) -> None:
    small = tapisim.load("small")
    assert small.name == "Small call center" and len(small.agents) == 4
    default = tapisim.load("default")
    assert len(default.agents) == 20
    with pytest.raises(ScenarioError, match=r"nope\.toml: cannot read"):
        tapisim.load("nope.toml")
