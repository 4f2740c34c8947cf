"""The hand-tuned ctypes peer: the fastest session refresh a user writes with ctypes.

Everything :class:`benchmarks.peer_ctypes.CtypesPeer` pays for per call and a
tuned loop would not: one ``LINEAGENTSESSIONINFO`` and one ``LINEMESSAGE``
reused by every call (allocated once, ``byref`` taken once), the two C
functions bound to locals, and the result as the raw tuple of the 14 fields
(ints, the DATE as a float, the CURRENCY as an int) -- no enums, no
``timedelta``, no ``Decimal``. Like such a loop it is not thread-safe (one
shared struct) and ignores messages other than its reply.

It registers its own TAPI app on the same simulator library, as the plain peer.
"""

from __future__ import annotations

import ctypes
from uuid import UUID

from benchmarks.peer_ctypes import LINE_REPLY, LINEAGENTSESSIONINFO, LINEMESSAGE, CtypesPeer

#: The 14 fields, in LINEAGENTSESSIONINFO order (what refresh() returns).
FIELDS = tuple(name for name, _ in LINEAGENTSESSIONINFO._fields_[3:])
assert len(FIELDS) == 14


class TunedCtypesPeer:
    """A refresh loop as tight as ctypes allows (not thread-safe)."""

    def __init__(self, library_path: str) -> None:
        # Setup (lineInitializeExW, lineOpenW, argtypes) as the plain peer.
        self._peer = CtypesPeer(library_path)
        self.app = self._peer.app
        self.line = self._peer.line
        self._info = LINEAGENTSESSIONINFO()
        self._info.dwTotalSize = ctypes.sizeof(LINEAGENTSESSIONINFO)
        self._message = LINEMESSAGE()
        self._info_ref = ctypes.byref(self._info)
        self._message_ref = ctypes.byref(self._message)

    def create_session(self, agent_id: str, pin: str, group: UUID) -> int:
        return self._peer.create_session(agent_id, pin, group)

    def refresh(self, session: int) -> tuple[int | float, ...]:
        """lineGetAgentSessionInfo, lineGetMessage until its reply, the raw fields."""
        info = self._info
        message = self._message
        message_ref = self._message_ref
        get_message = self._peer.tapi.lineGetMessage
        app = self.app
        request = self._peer.tapi.lineGetAgentSessionInfo(self.line, session, self._info_ref)
        if request < 0:
            raise RuntimeError(f"lineGetAgentSessionInfo failed: {request & 0xFFFFFFFF:#x}")
        while True:
            if get_message(app, message_ref, 30_000) != 0:
                raise RuntimeError("lineGetMessage failed")
            if message.dwMessageID == LINE_REPLY and message.dwParam1 == request:
                break
        if message.dwParam2:
            raise RuntimeError(f"lineGetAgentSessionInfo replied {message.dwParam2:#x}")
        return (info.dwAgentSessionState, info.dwNextAgentSessionState,
                info.dateSessionStartTime, info.dwSessionDuration, info.dwNumberOfCalls,
                info.dwTotalTalkTime, info.dwAverageTalkTime, info.dwTotalCallTime,
                info.dwAverageCallTime, info.dwTotalWrapUpTime, info.dwAverageWrapUpTime,
                info.cyACDCallRate, info.dwLongestTimeToAnswer, info.dwAverageTimeToAnswer)

    def close(self) -> None:
        self._peer.close()
