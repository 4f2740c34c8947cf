"""Typed errors: the LINEERR name table, families, check()."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

import pytapi2
from pytapi2 import errors
from pytapi2._native import lib

HEADER = Path(__file__).resolve().parents[2] / "include" / "tapi_types.h"


def test_every_lineerr_of_the_header_has_a_name() -> None:
    declared = dict(re.findall(r"#define (LINEERR_\w+) (0x[0-9A-Fa-f]+)", HEADER.read_text()))
    assert declared, "no LINEERR_ constants found in tapi_types.h"
    for name, value in declared.items():
        code = int(value, 16) - 2**32
        assert errors.ERROR_NAMES[code] == name
        assert errors.error_name(code) == name
        assert errors.error_name(int(value, 16)) == name  # the unsigned DWORD form too


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("INVALAPPHANDLE", pytapi2.InvalidHandleError),
        ("INVALLINEHANDLE", pytapi2.InvalidHandleError),
        ("INVALPARAM", pytapi2.InvalidParameterError),
        ("INVALPOINTER", pytapi2.InvalidParameterError),
        ("INVALADDRESSID", pytapi2.InvalidParameterError),
        ("INVALAGENTID", pytapi2.InvalidParameterError),
        ("INVALAGENTGROUP", pytapi2.InvalidParameterError),
        ("INVALPASSWORD", pytapi2.InvalidParameterError),
        ("BADDEVICEID", pytapi2.InvalidParameterError),
        ("STRUCTURETOOSMALL", pytapi2.InvalidParameterError),
        ("INVALAGENTSESSIONSTATE", pytapi2.InvalidStateError),
        ("INVALAGENTSTATE", pytapi2.InvalidStateError),
        ("INVALLINESTATE", pytapi2.InvalidStateError),
        ("RESOURCEUNAVAIL", pytapi2.ResourceUnavailableError),
        ("NOMEM", pytapi2.ResourceUnavailableError),
        ("OPERATIONUNAVAIL", pytapi2.OperationUnavailableError),
        ("OPERATIONFAILED", pytapi2.OperationUnavailableError),
        ("INCOMPATIBLEAPIVERSION", pytapi2.OperationUnavailableError),
        ("UNINITIALIZED", pytapi2.UninitializedError),
        ("REINIT", pytapi2.UninitializedError),
        ("DIALBILLING", pytapi2.TapiError),
    ],
)
def test_families(name: str, cls: type[pytapi2.TapiError]) -> None:
    code = getattr(lib, "LINEERR_" + name)
    exc = errors.error_for(code, "lineGetAgentSessionInfo")
    assert type(exc) is cls
    assert exc.code == code - 2**32 < 0
    assert exc.name == "LINEERR_" + name
    assert exc.function == "lineGetAgentSessionInfo"
    assert "LINEERR_" + name in str(exc) and "lineGetAgentSessionInfo" in str(exc)


def test_check() -> None:
    assert errors.check(0, "lineOpenW") == 0
    assert errors.check(17, "lineGetAgentInfo") == 17
    with pytest.raises(pytapi2.InvalidStateError) as info:
        errors.check(errors.to_long(lib.LINEERR_INVALAGENTSESSIONSTATE),
                     "lineSetAgentSessionState")
    assert info.value.name == "LINEERR_INVALAGENTSESSIONSTATE"
    assert info.value.function == "lineSetAgentSessionState"


def test_unknown_code_and_to_long() -> None:
    exc = errors.error_for(0x80000FFF, "lineX")
    assert type(exc) is pytapi2.TapiError
    assert exc.code == 0x80000FFF - 2**32
    assert exc.name == "LINEERR 0x80000fff"
    assert errors.to_long(0xFFFFFFFF) == -1
    assert errors.to_long(0x1_8000_0048) == errors.to_long(0x8000_0048)


def test_hierarchy_and_pickle() -> None:
    assert issubclass(pytapi2.TapiTimeoutError, TimeoutError)
    assert issubclass(pytapi2.TapiTimeoutError, pytapi2.TapiError)
    for cls in (pytapi2.TapiProtocolError, pytapi2.TapiClosedError,
                pytapi2.InvalidHandleError, pytapi2.UninitializedError):
        assert issubclass(cls, pytapi2.TapiError)
    exc = errors.error_for(lib.LINEERR_INVALAGENTID, "lineCreateAgentW")
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is pytapi2.InvalidParameterError
    assert (clone.code, clone.name, clone.function, str(clone)) == (
        exc.code, exc.name, exc.function, str(exc))
