"""Layout conformance: include/tapi_types.h is byte-exact to the Windows SDK's tapi.h.

The oracle is mingw-w64's ``<windows.h>`` + ``<tapi.h>`` (SDK-identical layout),
compiled for x86_64 and i686 Windows; see tests/layout_probe.py for the method.
Every struct is its own test per target, so a failure names the struct, the
field, and ours vs the oracle's value. The mingw compilers are optional locally
(the tests skip) but required when ``CI`` is set (CI installs mingw-w64).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import layout_probe as lp
import pytest

DECLS = lp.parse_declarations()

#: The structures the binding declares.
EXPECTED_STRUCTS = {
    "GUID", "LINEEXTENSIONID", "LINECALLPARAMS", "LINEDIALPARAMS", "LINEINITIALIZEEXPARAMS",
    "LINEMESSAGE", "LINEAGENTCAPS",
    "LINEAGENTGROUPENTRY", "LINEAGENTGROUPLIST", "LINEAGENTINFO", "LINEAGENTSESSIONENTRY",
    "LINEAGENTSESSIONLIST", "LINEAGENTSESSIONINFO", "LINEQUEUEENTRY", "LINEQUEUELIST",
    "LINEQUEUEINFO",
    # Agent handlers (issue 12): the request and its union's TAPI 2.0 members.
    "LINEPROXYREQUEST", "LINEPROXYREQUESTLIST", "LINEAGENTSTATUS", "LINEAGENTACTIVITYLIST",
}

#: Our constants that tapi.h/windows.h may lack (pytapi2's own names). Any other
#: name missing from the oracle is most likely a misspelling, and fails.
OURS_ONLY_CONSTANT = re.compile(r"TAPI_VERSION\d_\d|INFINITE")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


#: Why a Windows run skips the compiler-based checks: they need gcc / the mingw
#: cross compilers, which a Windows install from a wheel does not have (and a
#: process under Wine cannot start Linux's). The Linux CI stage runs them.
WINDOWS_NO_COMPILER = (
    "{cc} not found on Windows: the layout is proven by the Linux CI stage "
    "(a Windows install from a wheel has no C compiler)"
)


def require_mingw(cc: str) -> None:
    """Skip without the mingw cross compiler, unless CI is set (then fail; not on Windows)."""
    if lp.have_compiler(cc):
        return
    if sys.platform == "win32":
        pytest.skip(WINDOWS_NO_COMPILER.format(cc=cc))
    if _in_ci():
        pytest.fail(f"{cc} not found, and CI is set: CI must install mingw-w64")
    pytest.skip(f"{cc} not found: install mingw-w64 (a failure, not a skip, when CI is set)")


def _report(problems: list[lp.Mismatch]) -> str:
    return "\n".join(str(p) for p in problems)


# ---------------------------------------------------------------------------
# Fixtures: one oracle + one ours compile per target, one host compile
# ---------------------------------------------------------------------------

Measure = Callable[[str], lp.TargetLayouts]


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Measure:
    """Measure a target once per module; probe errors are cached and re-raised."""
    cache: dict[str, lp.TargetLayouts | lp.ProbeError] = {}

    def get(target: str) -> lp.TargetLayouts:
        require_mingw(lp.compiler_for(target))
        if target not in cache:
            workdir = tmp_path_factory.mktemp(f"layout-{target}")
            try:
                cache[target] = lp.measure_target(target, DECLS, workdir)
            except lp.ProbeError as exc:
                cache[target] = exc
        result = cache[target]
        if isinstance(result, lp.ProbeError):
            pytest.fail(f"{target}: {result}")
        return result

    return get


@pytest.fixture(scope="module")
def host_layout(tmp_path_factory: pytest.TempPathFactory) -> lp.Layout:
    # No skip off Windows: the host compiler is what builds the cffi module there.
    # On Windows the module comes from a wheel, built where a compiler was.
    if not lp.have_compiler(lp.HOST_CC):
        if sys.platform == "win32":
            pytest.skip(WINDOWS_NO_COMPILER.format(cc=lp.HOST_CC))
        pytest.fail(f"host C compiler {lp.HOST_CC} not found (set PYTAPI2_HOST_CC)")
    try:
        return lp.measure_host(DECLS, Path(tmp_path_factory.mktemp("layout-host")))
    except lp.ProbeError as exc:
        pytest.fail(str(exc))


# ---------------------------------------------------------------------------
# Our declarations were read completely
# ---------------------------------------------------------------------------


def test_declarations_parsed() -> None:
    assert set(DECLS.structs) == EXPECTED_STRUCTS
    assert DECLS.structs["LINEAGENTGROUPENTRY"].fields[:5] == (
        "GroupID", "GroupID.dwGroupID1", "GroupID.dwGroupID2", "GroupID.dwGroupID3",
        "GroupID.dwGroupID4",
    )
    assert "Handles.hEvent" in DECLS.structs["LINEINITIALIZEEXPARAMS"].fields
    assert DECLS.constants["LINEERR_ALLOCATED"] == 0x80000001
    assert DECLS.constants["LINE_REPLY"] == 12
    assert {"DWORD", "WCHAR", "DATE", "CURRENCY", "HAGENTSESSION"} <= set(DECLS.typedefs)


def test_oracle_member_parser() -> None:
    text = """
    typedef struct x_tag { int a; } NOT_IT;
    typedef struct probe_tag {
      DWORD dwA, *pB;
      struct { DWORD d1; DWORD d2; } Inner;
      union { HANDLE h1; HANDLE h2; } Handles;
      union { DWORD u1; BYTE u2[4]; };
      BYTE Data4[8];
      void (__stdcall *pfn)(DWORD x);
      struct GUIDLIKE g;
    } PROBE_T,*LPPROBE_T;
    """
    assert lp.oracle_struct_fields(text, "PROBE_T") == (
        "dwA", "pB", "Inner", "Inner.d1", "Inner.d2", "Handles", "Handles.h1", "Handles.h2",
        "u1", "u2", "Data4", "pfn", "g",
    )
    assert lp.oracle_struct_fields(text, "LPPROBE_T") is None
    assert lp.oracle_struct_fields(text, "ABSENT") is None


# ---------------------------------------------------------------------------
# Ours vs the SDK (mingw-w64 tapi.h), per target
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("struct_name", list(DECLS.structs))
@pytest.mark.parametrize("target", lp.TARGETS)
def test_struct_matches_sdk(measured: Measure, target: str, struct_name: str) -> None:
    tl = measured(target)
    problems = lp.compare_struct(struct_name, tl.ours, tl.oracle)
    if problems:
        pytest.fail(f"{target}: {struct_name} differs from tapi.h:\n{_report(problems)}",
                    pytrace=False)


@pytest.mark.parametrize("target", lp.TARGETS)
def test_typedef_sizes_match_sdk(measured: Measure, target: str) -> None:
    tl = measured(target)
    problems = lp.compare_typedefs(tl, DECLS)
    if problems:
        pytest.fail(f"{target}:\n{_report(problems)}", pytrace=False)


@pytest.mark.parametrize("target", lp.TARGETS)
def test_constants_match_sdk(measured: Measure, target: str) -> None:
    tl = measured(target)
    problems, not_in_oracle = lp.compare_constants(tl, DECLS)
    if problems:
        pytest.fail(f"{target}:\n{_report(problems)}", pytrace=False)
    unexpected = [n for n in not_in_oracle if not OURS_ONLY_CONSTANT.fullmatch(n)]
    assert not unexpected, (
        f"{target}: not defined by <windows.h>/<tapi.h> (misspelt?): {', '.join(unexpected)}"
    )
    # Enough of them were really compared (not all silently "not in oracle").
    assert len(DECLS.constants) - len(not_in_oracle) >= 150


@pytest.mark.parametrize("target", lp.TARGETS)
def test_known_oracle_facts(measured: Measure, target: str) -> None:
    """Sanity of the oracle itself (and of reading it), then ours on the same facts."""
    tl = measured(target)
    ptr = lp.POINTER_SIZE[target]
    wrong: list[str] = []
    for side, lay in (("oracle", tl.oracle), ("ours", tl.ours)):

        def fact(what: str, actual: object, expected: object, side: str = side) -> None:
            if actual != expected:
                wrong.append(f"{side}: {what} = {actual}, expected {expected}")

        fact("sizeof(LINEAGENTSESSIONINFO)", lay.size("LINEAGENTSESSIONINFO"), 76)
        fact("offsetof(LINEAGENTSESSIONINFO, dateSessionStartTime)",
             lay.offset("LINEAGENTSESSIONINFO", "dateSessionStartTime"), 20)
        fact("offsetof(LINEAGENTSESSIONINFO, cyACDCallRate)",
             lay.offset("LINEAGENTSESSIONINFO", "cyACDCallRate"), 60)
        fact("sizeof(LINEMESSAGE)", lay.size("LINEMESSAGE"), {8: 40, 4: 24}[ptr])
        fact("sizeof(LINEMESSAGE.dwParam1)", lay.fsize("LINEMESSAGE", "dwParam1"), ptr)
        for handle in ("HLINEAPP", "HLINE", "HAGENT", "HAGENTSESSION"):
            fact(f"sizeof({handle})", lay.values[("tsize", handle)], 4)
        fact("sizeof(LINEAGENTSESSIONENTRY.hAgentSession)",
             lay.fsize("LINEAGENTSESSIONENTRY", "hAgentSession"), 4)
        # LINEINITIALIZEEXPARAMS.Handles: a union of two pointer-sized HANDLEs.
        fact("LINEINITIALIZEEXPARAMS fields[4:7]", lay.structs["LINEINITIALIZEEXPARAMS"][4:7],
             ("Handles", "Handles.hEvent", "Handles.hCompletionPort"))
        fact("LINEINITIALIZEEXPARAMS.Handles is a union",
             lay.values[("class", "LINEINITIALIZEEXPARAMS", "Handles")], 13)
        fact("sizeof(LINEINITIALIZEEXPARAMS.Handles)",
             lay.fsize("LINEINITIALIZEEXPARAMS", "Handles"), ptr)
        fact("offsetof(LINEINITIALIZEEXPARAMS, Handles.hCompletionPort)",
             lay.offset("LINEINITIALIZEEXPARAMS", "Handles.hCompletionPort"), 16)
        fact("offsetof(LINEINITIALIZEEXPARAMS, dwCompletionKey)",
             lay.offset("LINEINITIALIZEEXPARAMS", "dwCompletionKey"), 16 + ptr)
        fact("LINEERR_ALLOCATED", lay.constant("LINEERR_ALLOCATED"), 0x80000001)
        # LINEPROXYREQUEST: no pointer inside, packed: 108 bytes on both ABIs.
        fact("sizeof(LINEPROXYREQUEST)", lay.size("LINEPROXYREQUEST"), 108)
        fact("offsetof(LINEPROXYREQUEST, dwRequestType)",
             lay.offset("LINEPROXYREQUEST", "dwRequestType"), 24)
        fact("offsetof(LINEPROXYREQUEST, GetAgentSessionInfo.SessionInfo)",
             lay.offset("LINEPROXYREQUEST", "GetAgentSessionInfo.SessionInfo"), 32)
        fact("offsetof(LINEPROXYREQUEST, CreateAgentSession.GroupID)",
             lay.offset("LINEPROXYREQUEST", "CreateAgentSession.GroupID"), 44)
    if wrong:
        pytest.fail(f"{target}:\n" + "\n".join(wrong), pytrace=False)


# ---------------------------------------------------------------------------
# cffi vs the host C compiler
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cffi_modules() -> tuple[object, object]:
    try:
        from pytapi2._native import ffi, lib
    except ImportError as exc:
        pytest.fail(
            f"pytapi2._tapi is not built ({exc}): run `python setup.py build_ext --inplace`"
        )
    return ffi, lib


@pytest.mark.parametrize("struct_name", list(DECLS.structs))
def test_cffi_struct_matches_host(
    cffi_modules: tuple[object, object], host_layout: lp.Layout, struct_name: str
) -> None:
    ffi, _ = cffi_modules
    problems = lp.compare_struct(
        struct_name, lp.cffi_layout(ffi, DECLS), host_layout, align_exempt=frozenset()
    )
    if problems:
        pytest.fail(f"cffi (ours) vs host C (oracle), {struct_name}:\n{_report(problems)}"
                    "\n(if include/ changed, rebuild: python setup.py build_ext --inplace)",
                    pytrace=False)


def test_cffi_typedefs_and_constants_match_host(
    cffi_modules: tuple[object, object], host_layout: lp.Layout
) -> None:
    ffi, lib = cffi_modules
    problems = lp.compare_cffi_typedefs(ffi, host_layout, DECLS)
    problems += lp.compare_cffi_constants(lib, host_layout, DECLS)
    if problems:
        pytest.fail(f"cffi vs host C:\n{_report(problems)}", pytrace=False)
