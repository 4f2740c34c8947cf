"""Lines, versions and reply codes through pytapi2: nf-tapi-lineopenw.md,
nf-tapi-linenegotiateapiversion.md, tapi-versioning.md,
nf-tapi-lineproxyresponse.md, line-reply.md."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from _fidelity import G1

import pytapi2
from pytapi2 import ApiVersion
from pytapi2._native import lib


def test_owner_with_an_unsupported_media_mode_is_refused(app: pytapi2.TapiApp) -> None:
    """nf-tapi-lineopenw.md: dwMediaModes counts with OWNER; INVALMEDIAMODE."""
    with pytest.raises(pytapi2.InvalidParameterError) as info:
        app.open_line(0, privileges=lib.LINECALLPRIVILEGE_OWNER,
                      media_modes=lib.LINEMEDIAMODE_G3FAX)
    assert (info.value.name, info.value.function) == ("LINEERR_INVALMEDIAMODE", "lineOpenW")
    with app.open_line(0, privileges=lib.LINECALLPRIVILEGE_MONITOR,
                       media_modes=lib.LINEMEDIAMODE_G3FAX) as line:  # ignored without OWNER
        assert line.api_version is ApiVersion.V3_1


def test_proxy_without_call_params_is_refused(app: pytapi2.TapiApp) -> None:
    """nf-tapi-lineopenw.md: PROXY needs LINECALLPARAMS, which open_line never
    passes: the provider refuses, as real TAPI would."""
    with pytest.raises(pytapi2.InvalidParameterError) as info:
        app.open_line(0, privileges=lib.LINECALLPRIVILEGE_OWNER | lib.LINEOPENOPTION_PROXY)
    assert info.value.name == "LINEERR_INVALPOINTER"


def test_negotiation_never_yields_a_version_that_does_not_exist(app: pytapi2.TapiApp) -> None:
    """tapi-versioning.md: 2.5 does not exist; the highest below it is 2.2."""
    assert app.negotiate_api_version(0, ApiVersion.V2_0, 0x00020005) is ApiVersion.V2_2
    with pytest.raises(pytapi2.OperationUnavailableError) as info:
        app.negotiate_api_version(0, 0x00020003, 0x00020009)
    assert info.value.name == "LINEERR_INCOMPATIBLEAPIVERSION"


@pytest.mark.parametrize("call", ["unknown-agent", "wrong-pin", "unknown-group"])
def test_provider_errors_use_the_functions_documented_codes(sim: Any, line: pytapi2.Line,
                                                            call: str) -> None:
    """nf-tapi-lineproxyresponse.md, line-reply.md: "Possible errors are the
    same as those defined by the corresponding function": INVALPARAM here."""
    with pytest.raises(pytapi2.InvalidParameterError) as info:
        if call == "unknown-agent":
            line.create_agent("nobody")
        elif call == "wrong-pin":
            line.create_agent("1001", pin="0000")
        else:
            line.create_agent("1002").create_session(UUID(int=99))
    assert info.value.name == "LINEERR_INVALPARAM"


def test_queue_window_through_the_api(sim: Any, line: pytapi2.Line) -> None:
    """ns-tapi-linequeueinfo.md: counts over the measurement period, the
    longest-ever wait kept when a new period is set."""
    sim.set_traffic(G1, calls_per_hour=120, mean_talk=60, mean_wrapup=0, patience=20, seed=3)
    sim.advance(1800)
    sim.set_traffic(G1, calls_per_hour=0, mean_talk=60, mean_wrapup=0)
    before = line.queue_info(7)
    assert before.total_calls_queued > 20
    line.set_queue_measurement_period(7, 60)
    sim.advance(120)
    after = line.queue_info(7)
    assert (after.total_calls_queued, after.total_calls_abandoned) == (0, 0)
    assert after.longest_ever_wait_time == before.longest_ever_wait_time > timedelta(0)
