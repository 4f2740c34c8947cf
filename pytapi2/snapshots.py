"""The snapshots pytapi2 returns: immutable values of one TAPI reply.

``AgentSessionInfo`` (lineGetAgentSessionInfo; ITAgentSession's statistics),
``AgentInfo`` (lineGetAgentInfo; ITAgent's), ``QueueInfo``, ``AgentCaps``, and
the entries of the lists: ``SessionEntry``, ``Group``, ``Queue``. All are frozen
dataclasses: equal when their values are, hashable, safe to share between
threads. They are built by the decoders of ``pytapi2._structs``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from pytapi2.constants import AgentSessionState, AgentState

__all__ = ["AgentCaps", "AgentInfo", "AgentSessionInfo", "Group", "Queue", "QueueInfo",
           "SessionEntry"]


@dataclass(frozen=True, slots=True)
class AgentSessionInfo:
    """One lineGetAgentSessionInfo snapshot (ITAgentSession's statistics).

    Durations are ``timedelta`` (TAPI counts whole seconds). ``snapshot`` is
    the ``time.monotonic()`` of the moment the reply was decoded, used by
    :meth:`duration_at` to extrapolate a running session's duration.
    """

    state: AgentSessionState
    next_state: AgentSessionState | None
    start_time: datetime
    duration: timedelta
    number_of_calls: int
    total_talk_time: timedelta
    average_talk_time: timedelta
    total_call_time: timedelta
    average_call_time: timedelta
    total_wrapup_time: timedelta
    average_wrapup_time: timedelta
    acd_call_rate: Decimal
    longest_time_to_answer: timedelta
    average_time_to_answer: timedelta
    snapshot: float = field(default_factory=time.monotonic, compare=False, repr=False)

    @property
    def ended(self) -> bool:
        """The session is over (ENDED or RELEASED): its duration no longer grows."""
        return self.state in (AgentSessionState.ENDED, AgentSessionState.RELEASED)

    @property
    def end_time(self) -> datetime | None:
        """start_time + duration once the session has ended; else None."""
        return self.start_time + self.duration if self.ended else None

    @property
    def idle_time(self) -> timedelta:
        """Session time not spent on ACD calls (duration - total call time, >= 0)."""
        return max(self.duration - self.total_call_time, timedelta(0))

    @property
    def occupancy(self) -> float:
        """Share of the session spent on ACD calls (0.0 for a zero duration)."""
        if not self.duration:
            return 0.0
        return self.total_call_time / self.duration

    def duration_at(self, t: float | None = None) -> timedelta:
        """The session duration at monotonic time ``t`` (default: now).

        Frozen once the session has ended; otherwise the snapshot's duration
        plus the monotonic time elapsed since the snapshot was taken.
        """
        if self.ended:
            return self.duration
        if t is None:
            t = time.monotonic()
        elif isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
            raise TypeError(f"t must be a time.monotonic() timestamp, got {t!r}")
        return self.duration + timedelta(seconds=max(0.0, t - self.snapshot))


@dataclass(frozen=True, slots=True)
class AgentInfo:
    """One lineGetAgentInfo snapshot (ITAgent's statistics, over all sessions)."""

    state: AgentState
    next_state: AgentState | None
    measurement_period: timedelta
    overall_call_rate: Decimal
    number_of_acd_calls: int
    number_of_incoming_calls: int
    number_of_outgoing_calls: int
    total_acd_talk_time: timedelta
    total_acd_call_time: timedelta
    total_acd_wrapup_time: timedelta


@dataclass(frozen=True, slots=True)
class QueueInfo:
    """One lineGetQueueInfo snapshot (statistics over the measurement period)."""

    measurement_period: timedelta
    total_calls_queued: int
    current_calls_queued: int
    total_calls_abandoned: int
    total_calls_flowed_in: int
    total_calls_flowed_out: int
    longest_ever_wait_time: timedelta
    current_longest_wait_time: timedelta
    average_wait_time: timedelta
    final_disposition: int


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One LINEAGENTSESSIONENTRY."""

    session: int
    agent: int
    group: UUID
    address_id: int


@dataclass(frozen=True, slots=True)
class Group:
    """An ACD group (LINEAGENTGROUPENTRY; TAPI 3: ITACDGroup)."""

    id: UUID
    name: str


@dataclass(frozen=True, slots=True)
class Queue:
    """An ACD queue of a group (LINEQUEUEENTRY; TAPI 3: ITQueue)."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class AgentCaps:
    """LINEAGENTCAPS: what the agent handler of an address supports."""

    handler_info: str
    caps_version: int
    features: int
    states: int
    next_states: int
    max_group_entries: int
    agent_status_messages: int
    extension_ids: tuple[tuple[int, int, int, int], ...]
    proxy_guid: UUID
