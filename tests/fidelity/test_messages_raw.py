"""Messages and variable-size structures, raw: line-queuestatus.md,
line-groupstatus.md, linequeuestatus--constants.md, linegroupstatus--constants.md,
memory-allocation.md, ns-tapi-lineagentgroupentry.md."""

from __future__ import annotations

import uuid

from _fidelity import G1, Acd, guid

from pytapi2._native import ffi, lib


def test_queue_status_reports_new_queues_and_statistics(acd: Acd) -> None:
    """line-queuestatus.md: dwParam1 the queue ID, dwParam2 LINEQUEUESTATUS_
    bits, dwParam3 zero; NEWQUEUE when a queue is added, UPDATEINFO when its
    statistics change."""
    acd.drain()
    assert lib.tapisim_add_queue(guid(G1), 9, "Callback") == 0
    assert [(m[0], m[2], m[3], m[4], m[5]) for m in acd.events(lib.LINE_QUEUESTATUS)] == [
        (acd.line, 0xC0FFEE, 9, lib.LINEQUEUESTATUS_NEWQUEUE, 0)]
    assert acd.reply(lib.lineSetQueueMeasurementPeriod(acd.line, 7, 60)) == 0
    assert [(m[3], m[4]) for m in acd.events(lib.LINE_QUEUESTATUS)] == [
        (7, lib.LINEQUEUESTATUS_UPDATEINFO)]
    assert acd.reply(lib.lineSetQueueMeasurementPeriod(acd.line, 7, 60)) == 0  # no change
    assert acd.events(lib.LINE_QUEUESTATUS) == []


def test_group_status_reports_new_groups(acd: Acd) -> None:
    """line-groupstatus.md: dwParam1 zero, dwParam2 LINEGROUPSTATUS_ bits: the
    application refreshes with lineGetGroupList."""
    acd.drain()
    assert lib.tapisim_add_group(guid(uuid.UUID(int=3)), "Billing") == 0
    assert [(m[0], m[3], m[4], m[5]) for m in acd.events(lib.LINE_GROUPSTATUS)] == [
        (acd.line, 0, lib.LINEGROUPSTATUS_NEWGROUP, 0)]


def test_lines_below_2_2_get_no_acd_messages(acd: Acd) -> None:
    """line-queuestatus.md / line-groupstatus.md: "Requires TAPI 2.2"."""
    line = ffi.new("HLINE *")
    assert lib.lineOpenW(acd.app, 0, line, lib.TAPI_VERSION2_1, 0, 0x21,
                         lib.LINECALLPRIVILEGE_MONITOR, 0, ffi.NULL) == 0
    acd.drain()
    assert lib.tapisim_add_group(guid(uuid.UUID(int=4)), "Legal") == 0
    assert [m[0] for m in acd.events(lib.LINE_GROUPSTATUS)] == [acd.line]


def test_variable_parts_are_contiguous(acd: Acd) -> None:
    """memory-allocation.md: the variable part is contiguous; dwNeededSize counts
    the names exactly (no padding between them)."""
    buf = ffi.new("unsigned char[]", 512)
    gl = ffi.cast("LINEAGENTGROUPLIST *", buf)
    gl.dwTotalSize = 512
    assert acd.reply(lib.lineGetGroupListW(acd.line, gl)) == 0
    entries = ffi.cast("LINEAGENTGROUPENTRY *", buf + gl.dwListOffset)
    sizes = [entries[i].dwNameSize for i in range(gl.dwNumEntries)]
    assert sizes == [len("Sales\0") * 2, len("Support\0") * 2]
    assert entries[1].dwNameOffset == entries[0].dwNameOffset + sizes[0]
    assert gl.dwNeededSize == gl.dwUsedSize == gl.dwListOffset + gl.dwListSize + sum(sizes)
