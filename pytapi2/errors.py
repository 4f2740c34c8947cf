"""Typed errors of pytapi2.

Every failure of a TAPI function, whether returned at once by the call or
delivered later in its LINE_REPLY, becomes a :class:`TapiError` carrying the
LINEERR code as a negative LONG (``code``), its name (``name``, e.g.
``"LINEERR_INVALAGENTSESSIONSTATE"``) and the TAPI function (``function``).
The class is picked from the code's family, so callers catch what they can
handle (:class:`InvalidStateError`, :class:`InvalidParameterError`, ...).

Failures that are not a LINEERR have their own classes:
:class:`TapiTimeoutError` (no reply in time; also a :class:`TimeoutError`),
:class:`TapiProtocolError` (a malformed reply or structure) and
:class:`TapiClosedError` (the app or line was closed).
"""

from __future__ import annotations

from pytapi2._native import lib

__all__ = [
    "InvalidHandleError",
    "InvalidParameterError",
    "InvalidStateError",
    "OperationUnavailableError",
    "ResourceUnavailableError",
    "TapiClosedError",
    "TapiError",
    "TapiProtocolError",
    "TapiTimeoutError",
    "UninitializedError",
    "check",
    "error_for",
    "error_name",
    "to_long",
]


def to_long(value: int) -> int:
    """A DWORD (or DWORD_PTR) read as the LONG TAPI meant: 0x80000048 -> -2147483576."""
    value &= 0xFFFFFFFF
    return value - 0x1_0000_0000 if value & 0x8000_0000 else value


#: LINEERR code (negative LONG) -> constant name, from every LINEERR_ of tapi.h.
ERROR_NAMES: dict[int, str] = {
    to_long(getattr(lib, name)): name for name in dir(lib) if name.startswith("LINEERR_")
}


def error_name(code: int) -> str:
    """The LINEERR_ name of a code (negative LONG or its unsigned DWORD)."""
    code = to_long(code)
    return ERROR_NAMES.get(code, f"LINEERR {code & 0xFFFFFFFF:#010x}")


class TapiError(Exception):
    """A TAPI function failed.

    ``code`` is the LINEERR as a negative LONG (``None`` for failures that are
    not a LINEERR), ``name`` its constant name, ``function`` the TAPI function.
    """

    code: int | None
    name: str | None
    function: str | None

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        name: str | None = None,
        function: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.name = name
        self.function = function

    @classmethod
    def from_code(cls, code: int, function: str) -> TapiError:
        code = to_long(code)
        name = error_name(code)
        return cls(f"{function} failed: {name} ({code})", code=code, name=name,
                   function=function)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), str(self), self.code, self.name, self.function))


def _rebuild(
    cls: type[TapiError], message: str, code: int | None, name: str | None, function: str | None
) -> TapiError:
    return cls(message, code=code, name=name, function=function)


class InvalidHandleError(TapiError):
    """A handle (app, line, agent, session) is not, or no longer, valid."""


class InvalidParameterError(TapiError):
    """TAPI refused an argument: bad ID, agent, group, PIN, pointer, size..."""


class InvalidStateError(TapiError):
    """The request is not allowed in the current state (session, agent, line)."""


class ResourceUnavailableError(TapiError):
    """TAPI or the provider lacks a resource (memory, driver, service...)."""


class OperationUnavailableError(TapiError):
    """The provider does not support, or could not perform, the operation."""


class UninitializedError(TapiError):
    """TAPI is not (or no longer) initialized for this application."""


class TapiTimeoutError(TapiError, TimeoutError):
    """No LINE_REPLY arrived within the timeout (TAPI 3: TAPI_E_TIMEOUT).

    The request's memory stays referenced until its reply arrives or the app
    shuts down, so a late reply is consumed safely.
    """


class TapiProtocolError(TapiError):
    """The provider returned a malformed structure or an impossible value."""


class TapiClosedError(TapiError):
    """The app or line was closed (by the application or by the provider)."""


_FAMILIES: dict[type[TapiError], tuple[str, ...]] = {
    InvalidHandleError: (
        "INVALAPPHANDLE", "INVALLINEHANDLE", "INVALCALLHANDLE", "INVALCONFCALLHANDLE",
        "INVALCONSULTCALLHANDLE", "INVALDEVICEHANDLE",
    ),
    InvalidParameterError: (
        "INVALPARAM", "INVALPOINTER", "INVALADDRESSID", "INVALAGENTID", "INVALAGENTGROUP",
        "INVALPASSWORD", "BADDEVICEID", "INVALAPPNAME", "INVALADDRESS", "INVALGROUPID",
        "STRUCTURETOOSMALL", "INVALMESSAGEID", "INVALTIMEOUT", "INVALDEVICECLASS",
        "INVALFEATURE", "INVALAGENTACTIVITY", "INVALADDRESSTYPE", "INVALMEDIAMODE",
        "INVALMEDIALIST", "INVALPRIVSELECT", "INVALEXTVERSION", "INVALCALLPARAMS",
        "INVALCALLPRIVILEGE", "INVALADDRESSMODE", "INVALBEARERMODE", "INVALCALLSELECT",
        "INVALCALLSTATELIST", "INVALCARD", "INVALCOMPLETIONID", "INVALCOUNTRYCODE",
        "INVALDIALPARAMS", "INVALDIGITLIST", "INVALDIGITMODE", "INVALDIGITS",
        "INVALLOCATION", "INVALPARKID", "INVALPARKMODE", "INVALRATE", "INVALREQUESTMODE",
        "INVALTERMINALID", "INVALTERMINALMODE", "INVALTONE", "INVALTONELIST",
        "INVALTONEMODE", "INVALTRANSFERMODE", "INVALCALLCOMPLMODE", "TARGETNOTFOUND",
        "TARGETSELF", "USERUSERINFOTOOBIG",
    ),
    InvalidStateError: (
        "INVALAGENTSESSIONSTATE", "INVALAGENTSTATE", "INVALLINESTATE", "INVALCALLSTATE",
        "INVALADDRESSSTATE", "ALLOCATED", "INUSE", "NOTOWNER",
    ),
    ResourceUnavailableError: (
        "RESOURCEUNAVAIL", "NOMEM", "NODRIVER", "NODEVICE", "REQUESTOVERRUN", "CALLUNAVAIL",
        "ADDRESSBLOCKED", "NOMULTIPLEINSTANCE", "CONFERENCEFULL", "LINEMAPPERFAILED",
        "INIFILECORRUPT", "DISCONNECTED", "SERVICE_NOT_RUNNING",
    ),
    OperationUnavailableError: (
        "OPERATIONUNAVAIL", "OPERATIONFAILED", "INCOMPATIBLEAPIVERSION",
        "INCOMPATIBLEEXTVERSION", "RATEUNAVAIL", "BEARERMODEUNAVAIL", "NOREQUEST",
        "NOTREGISTERED", "NOCONFERENCE", "COMPLETIONOVERRUN", "BILLINGREJECTED",
        "USERCANCELLED",
    ),
    UninitializedError: ("UNINITIALIZED", "REINIT"),
}

#: LINEERR code -> exception class (codes not listed map to TapiError).
ERROR_CLASSES: dict[int, type[TapiError]] = {}
for _cls, _names in _FAMILIES.items():
    for _short in _names:
        _value = getattr(lib, "LINEERR_" + _short, None)
        if _value is not None:
            ERROR_CLASSES[to_long(_value)] = _cls
del _cls, _names, _short, _value


def error_for(code: int, function: str) -> TapiError:
    """The exception for a LINEERR (negative LONG or unsigned DWORD) of ``function``."""
    code = to_long(code)
    return ERROR_CLASSES.get(code, TapiError).from_code(code, function)


def check(rc: int, function: str) -> int:
    """Raise the typed error for a negative TAPI return value; else return it."""
    if rc < 0:
        raise error_for(rc, function)
    return rc
