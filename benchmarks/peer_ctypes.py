"""The ctypes peer: a session refresh written the way a user would without pytapi2.

Plain ``ctypes``: ``Structure`` classes with ``_pack_ = 1`` (tapi.h packs to 1
byte), ``argtypes``/``restype`` declared, ``lineGetAgentSessionInfo`` then
``lineGetMessage`` until the ``LINE_REPLY`` carrying that request ID, then every
LINEAGENTSESSIONINFO field read into Python values: enums, ``timedelta``
durations, the OLE ``DATE`` as a ``datetime`` and the ``CURRENCY`` as a
``Decimal`` -- the same work :meth:`pytapi2.AgentSession.info` does.

It loads the same simulator library as pytapi2 (``pytapi2.backend().path``);
``dlopen`` returns the already loaded copy, so both see one model, but the peer
registers its own TAPI app (its own message queue) and opens its own line.
"""

from __future__ import annotations

import ctypes
import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

DWORD = ctypes.c_uint32
LONG = ctypes.c_int32
DWORD_PTR = ctypes.c_size_t

LINE_REPLY = 12
LINEINITIALIZEEXOPTION_USEEVENT = 0x00000002
LINECALLPRIVILEGE_NONE = 0x00000001
LINEMEDIAMODE_INTERACTIVEVOICE = 0x00000004
TAPI_VERSION3_1 = 0x00030001
OLE_EPOCH = datetime(1899, 12, 30)
US_PER_DAY = 86_400_000_000


class GUID(ctypes.Structure):
    _pack_ = 1
    _fields_ = [
        ("Data1", DWORD),
        ("Data2", ctypes.c_uint16),
        ("Data3", ctypes.c_uint16),
        ("Data4", ctypes.c_ubyte * 8),
    ]


class LINEINITIALIZEEXPARAMS(ctypes.Structure):
    _pack_ = 1
    _fields_ = [
        ("dwTotalSize", DWORD),
        ("dwNeededSize", DWORD),
        ("dwUsedSize", DWORD),
        ("dwOptions", DWORD),
        ("hEvent", ctypes.c_void_p),
        ("dwCompletionKey", DWORD),
    ]


class LINEMESSAGE(ctypes.Structure):
    _pack_ = 1
    _fields_ = [
        ("hDevice", DWORD),
        ("dwMessageID", DWORD),
        ("dwCallbackInstance", DWORD_PTR),
        ("dwParam1", DWORD_PTR),
        ("dwParam2", DWORD_PTR),
        ("dwParam3", DWORD_PTR),
    ]


class LINEAGENTSESSIONINFO(ctypes.Structure):
    _pack_ = 1
    _fields_ = [
        ("dwTotalSize", DWORD),
        ("dwNeededSize", DWORD),
        ("dwUsedSize", DWORD),
        ("dwAgentSessionState", DWORD),
        ("dwNextAgentSessionState", DWORD),
        ("dateSessionStartTime", ctypes.c_double),
        ("dwSessionDuration", DWORD),
        ("dwNumberOfCalls", DWORD),
        ("dwTotalTalkTime", DWORD),
        ("dwAverageTalkTime", DWORD),
        ("dwTotalCallTime", DWORD),
        ("dwAverageCallTime", DWORD),
        ("dwTotalWrapUpTime", DWORD),
        ("dwAverageWrapUpTime", DWORD),
        ("cyACDCallRate", ctypes.c_int64),
        ("dwLongestTimeToAnswer", DWORD),
        ("dwAverageTimeToAnswer", DWORD),
    ]


assert ctypes.sizeof(LINEAGENTSESSIONINFO) == 76
assert ctypes.sizeof(LINEMESSAGE) == 40


class SessionState(enum.IntEnum):
    NOT_READY = 0x01
    READY = 0x02
    BUSY_ON_CALL = 0x04
    BUSY_WRAPUP = 0x08
    ENDED = 0x10
    RELEASED = 0x20


@dataclass(frozen=True, slots=True)
class SessionInfo:
    state: SessionState
    next_state: SessionState | None
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


class TapiError(Exception):
    pass


def wide(text: str) -> bytes:
    """A NUL-terminated UTF-16 string (WCHAR is 16 bits; ctypes.c_wchar is not, off Windows)."""
    return (text + "\0").encode("utf-16-le")


def ole_date(value: float) -> datetime:
    days = math.trunc(value)
    return OLE_EPOCH + timedelta(days=days, microseconds=round(abs(value - days) * US_PER_DAY))


class CtypesPeer:
    """One TAPI app with one open line, refreshing sessions with plain ctypes."""

    def __init__(self, library_path: str, timeout_ms: int = 30_000) -> None:
        tapi = ctypes.CDLL(library_path)
        self.tapi = tapi
        self.timeout_ms = timeout_ms
        tapi.lineInitializeExW.argtypes = [
            ctypes.POINTER(DWORD), ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
            ctypes.POINTER(DWORD), ctypes.POINTER(DWORD), ctypes.POINTER(LINEINITIALIZEEXPARAMS),
        ]
        tapi.lineInitializeExW.restype = LONG
        tapi.lineShutdown.argtypes = [DWORD]
        tapi.lineShutdown.restype = LONG
        tapi.lineOpenW.argtypes = [
            DWORD, DWORD, ctypes.POINTER(DWORD), DWORD, DWORD, DWORD_PTR, DWORD, DWORD,
            ctypes.c_void_p,
        ]
        tapi.lineOpenW.restype = LONG
        tapi.lineGetMessage.argtypes = [DWORD, ctypes.POINTER(LINEMESSAGE), DWORD]
        tapi.lineGetMessage.restype = LONG
        tapi.lineGetAgentSessionInfo.argtypes = [
            DWORD, DWORD, ctypes.POINTER(LINEAGENTSESSIONINFO),
        ]
        tapi.lineGetAgentSessionInfo.restype = LONG
        tapi.lineCreateAgentSessionW.argtypes = [
            DWORD, DWORD, ctypes.c_char_p, DWORD, ctypes.POINTER(GUID), ctypes.POINTER(DWORD),
        ]
        tapi.lineCreateAgentSessionW.restype = LONG
        tapi.lineCreateAgentW.argtypes = [
            DWORD, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(DWORD),
        ]
        tapi.lineCreateAgentW.restype = LONG
        self._message = LINEMESSAGE()
        #: Non-reply messages seen while waiting (a real app would dispatch them).
        self.events: list[tuple[int, int, int, int, int]] = []

        app, devices = DWORD(), DWORD()
        version = DWORD(TAPI_VERSION3_1)
        params = LINEINITIALIZEEXPARAMS()
        params.dwTotalSize = ctypes.sizeof(params)
        params.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT
        self._check(tapi.lineInitializeExW(ctypes.byref(app), None, None, wide("ctypes-peer"),
                                           ctypes.byref(devices), ctypes.byref(version),
                                           ctypes.byref(params)), "lineInitializeExW")
        self.app = app.value
        line = DWORD()
        self._check(tapi.lineOpenW(self.app, 0, ctypes.byref(line), TAPI_VERSION3_1, 0, 0,
                                   LINECALLPRIVILEGE_NONE, LINEMEDIAMODE_INTERACTIVEVOICE, None),
                    "lineOpenW")
        self.line = line.value

    @staticmethod
    def _check(rc: int, function: str) -> int:
        if rc < 0:
            raise TapiError(f"{function} failed: {rc & 0xFFFFFFFF:#x}")
        return rc

    def _wait_reply(self, request_id: int, function: str) -> None:
        message = self._message
        get_message = self.tapi.lineGetMessage
        while True:
            self._check(get_message(self.app, ctypes.byref(message), self.timeout_ms),
                        "lineGetMessage")
            if message.dwMessageID == LINE_REPLY and message.dwParam1 == request_id:
                break
            self.events.append((message.hDevice, message.dwMessageID, message.dwParam1,
                                message.dwParam2, message.dwParam3))
        result = ctypes.c_int32(message.dwParam2 & 0xFFFFFFFF).value
        if result != 0:
            raise TapiError(f"{function} replied {result & 0xFFFFFFFF:#x}")

    # -- setup (not timed) ----------------------------------------------------
    def create_session(self, agent_id: str, pin: str, group: UUID) -> int:
        agent = DWORD()
        rid = self._check(self.tapi.lineCreateAgentW(self.line, wide(agent_id), wide(pin),
                                                     ctypes.byref(agent)), "lineCreateAgentW")
        self._wait_reply(rid, "lineCreateAgentW")
        guid = GUID.from_buffer_copy(group.bytes_le)
        session = DWORD()
        rid = self._check(self.tapi.lineCreateAgentSessionW(
            self.line, agent.value, None, 0, ctypes.byref(guid), ctypes.byref(session)),
            "lineCreateAgentSessionW")
        self._wait_reply(rid, "lineCreateAgentSessionW")
        return session.value

    # -- the measured operation ---------------------------------------------------
    def refresh(self, session: int) -> SessionInfo:
        info = LINEAGENTSESSIONINFO()
        info.dwTotalSize = ctypes.sizeof(LINEAGENTSESSIONINFO)
        rid = self._check(self.tapi.lineGetAgentSessionInfo(self.line, session,
                                                            ctypes.byref(info)),
                          "lineGetAgentSessionInfo")
        self._wait_reply(rid, "lineGetAgentSessionInfo")
        next_state = info.dwNextAgentSessionState
        return SessionInfo(
            state=SessionState(info.dwAgentSessionState),
            next_state=SessionState(next_state) if next_state else None,
            start_time=ole_date(info.dateSessionStartTime),
            duration=timedelta(seconds=info.dwSessionDuration),
            number_of_calls=info.dwNumberOfCalls,
            total_talk_time=timedelta(seconds=info.dwTotalTalkTime),
            average_talk_time=timedelta(seconds=info.dwAverageTalkTime),
            total_call_time=timedelta(seconds=info.dwTotalCallTime),
            average_call_time=timedelta(seconds=info.dwAverageCallTime),
            total_wrapup_time=timedelta(seconds=info.dwTotalWrapUpTime),
            average_wrapup_time=timedelta(seconds=info.dwAverageWrapUpTime),
            acd_call_rate=Decimal(info.cyACDCallRate).scaleb(-4),
            longest_time_to_answer=timedelta(seconds=info.dwLongestTimeToAnswer),
            average_time_to_answer=timedelta(seconds=info.dwAverageTimeToAnswer),
        )

    def close(self) -> None:
        self.tapi.lineShutdown(self.app)
