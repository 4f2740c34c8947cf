"""Shared values of the agent-handler tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from pytapi2 import AgentSessionInfo, AgentSessionState
from pytapi2.proxy import AgentHandler, ProxyRequest, ProxyRequestType

START = datetime(2026, 1, 5, 9, 0, 0)
GROUP = UUID("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9")
PIN = "4321"
AGENT_ID = "1001"


def session_info(state: AgentSessionState = AgentSessionState.READY,
                 calls: int = 3) -> AgentSessionInfo:
    """A handler's own statistics for a session, computed the TAPI 3 way."""
    return AgentSessionInfo(
        state=state,
        next_state=AgentSessionState.NOT_READY,
        start_time=datetime(2026, 1, 5, 8, 30, 0),
        duration=timedelta(minutes=30),
        number_of_calls=calls,
        total_talk_time=timedelta(minutes=9),
        average_talk_time=timedelta(minutes=3),
        total_call_time=timedelta(minutes=12),
        average_call_time=timedelta(minutes=4),
        total_wrapup_time=timedelta(minutes=3),
        average_wrapup_time=timedelta(minutes=1),
        acd_call_rate=Decimal("6.0000"),
        longest_time_to_answer=timedelta(seconds=20),
        average_time_to_answer=timedelta(seconds=8),
    )


def session_on(line: Any, handle: int) -> Any:
    """The client's AgentSession object for a session handle the handler
    knows (the tests hand out handles the client never created). pytapi2 has
    no public constructor for that; the line's object cache is reached the
    way the current request core spells it."""
    objects = getattr(line, "_objects", None)
    if objects is not None:
        return objects.session(handle)
    return line._session(handle)


class Served:
    """An AgentHandler whose requests a thread hands to ``callback``; every
    request received is kept in ``seen``."""

    def __init__(self, types: list[ProxyRequestType],
                 callback: Callable[[ProxyRequest], object]) -> None:
        self.handler = AgentHandler(0, types)
        self.seen: list[ProxyRequest] = []
        self.callback = callback
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        def record(request: ProxyRequest) -> object:
            self.seen.append(request)
            return self.callback(request)

        self.handler.serve(record, timeout=float("inf"))

    def close(self) -> None:
        self.handler.close()
        self.thread.join(10)
        assert not self.thread.is_alive()
