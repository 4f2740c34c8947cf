/*
 * tapi_api.c — the exported synchronous TAPI functions (tapi_functions.h):
 * lineInitializeExW, lineShutdown, lineNegotiateAPIVersion, lineOpenW,
 * lineClose, lineGetMessage. Each returns 0 or a negative LINEERR. The
 * asynchronous ones are in tapi_async.c.
 *
 * Before any lineInitializeExW (no app registered at all) every function
 * but lineInitializeExW and lineGetMessage (whose page does not list it)
 * returns LINEERR_UNINITIALIZED.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define E(code) ((LONG)(code)) /* LINEERR_ value as the negative LONG */

/* Lock and bring the model up to date. */
static void enter(void)
{
    sim_lock();
    sim_touch();
}

static LONG leave(LONG rc)
{
    sim_unlock();
    return rc;
}

/* ---- synchronous functions ------------------------------------------------ */

SIM_EXPORT LONG WINAPI lineInitializeExW(LPHLINEAPP lphLineApp, HINSTANCE hInstance, LINECALLBACK lpfnCallback,
                                         LPCWSTR lpszFriendlyAppName, LPDWORD lpdwNumDevs, LPDWORD lpdwAPIVersion,
                                         LPLINEINITIALIZEEXPARAMS lpLineInitializeExParams)
{
    (void)hInstance;
    (void)lpfnCallback;
    (void)lpszFriendlyAppName;
    LPLINEINITIALIZEEXPARAMS p = lpLineInitializeExParams;
    if (!lphLineApp || !lpdwNumDevs || !lpdwAPIVersion || !p)
        return E(LINEERR_INVALPOINTER);
    if (p->dwTotalSize < sizeof(LINEINITIALIZEEXPARAMS))
        return E(LINEERR_STRUCTURETOOSMALL);
    /* *lpdwAPIVersion is the application's highest version, whatever it is
     * (TAPI translates for older applications): not checked, and the page
     * lists no INCOMPATIBLEAPIVERSION. Options (decision, tapisim.h): the
     * event mechanism only, on every platform; USEHIDDENWINDOW and
     * USECOMPLETIONPORT -> INVALPARAM. CALLHUBTRACKING is "exposed only to
     * applications that negotiate a TAPI version of 3.0 or higher". */
    DWORD opts = p->dwOptions & ~(DWORD)LINEINITIALIZEEXOPTION_CALLHUBTRACKING;
    if (opts != LINEINITIALIZEEXOPTION_USEEVENT ||
        ((p->dwOptions & LINEINITIALIZEEXOPTION_CALLHUBTRACKING) && *lpdwAPIVersion < TAPI_VERSION3_0))
        return E(LINEERR_INVALPARAM);
    enter();
    sim_hit hit = sim_fault_take(FN_lineInitializeExW);
    if (hit.kind == TAPISIM_FAULT_ERROR)
        return leave((LONG)hit.lineerr);
    sim_app *a;
    if (sim_app_new(&a) != 0)
        return leave(E(LINEERR_NOMEM));
    if (sim_table_add(&g.apps, a, &a->handle) != 0) {
        sim_app_free(a);
        return leave(E(LINEERR_RESOURCEUNAVAIL));
    }
    *lphLineApp = a->handle;
    *lpdwNumDevs = g.num_lines;
    *lpdwAPIVersion = TAPI_VERSION3_1;
    p->dwNeededSize = p->dwUsedSize = sizeof(LINEINITIALIZEEXPARAMS);
    p->Handles.hEvent = plat_signal_handle(&a->sig); /* Windows: the event; POSIX: the fd */
    return leave(0);
}

static void close_line(sim_line *l)
{
    sim_proxy_status(l, LINEPROXYSTATUS_CLOSE);
    sim_proxy_line_closed(l, 0);
    sim_app *a = sim_app_get(l->app);
    if (a)
        sim_suppress_line(a, l->handle);
    sim_table_remove(&g.lines, l->handle);
    free(l);
}

SIM_EXPORT LONG WINAPI lineShutdown(HLINEAPP hLineApp)
{
    enter();
    if (!sim_any_app())
        return leave(E(LINEERR_UNINITIALIZED));
    sim_app *a = sim_app_get(hLineApp);
    if (!a)
        return leave(E(LINEERR_INVALAPPHANDLE));
    sim_hit hit = sim_fault_take(FN_lineShutdown);
    if (hit.kind == TAPISIM_FAULT_ERROR)
        return leave((LONG)hit.lineerr);
    for (size_t i = 0; i < g.lines.cap; i++) {
        sim_line *l = g.lines.slots[i];
        if (l && l->app == hLineApp)
            close_line(l);
    }
    sim_proxy_app_gone(hLineApp); /* requests kept alive after a LINE_CLOSE */
    sim_table_remove(&g.apps, hLineApp);
    sim_app_free(a); /* cancels pending requests: outputs never written */
    sim_wake_waiters(); /* waiters return INVALAPPHANDLE */
    return leave(0);
}

SIM_EXPORT LONG WINAPI lineNegotiateAPIVersion(HLINEAPP hLineApp, DWORD dwDeviceID, DWORD dwAPILowVersion,
                                               DWORD dwAPIHighVersion, LPDWORD lpdwAPIVersion,
                                               LPLINEEXTENSIONID lpExtensionID)
{
    enter();
    if (!sim_any_app())
        return leave(E(LINEERR_UNINITIALIZED));
    if (!sim_app_get(hLineApp))
        return leave(E(LINEERR_INVALAPPHANDLE));
    if (dwDeviceID >= g.num_lines)
        return leave(E(LINEERR_BADDEVICEID));
    if (!lpdwAPIVersion || !lpExtensionID)
        return leave(E(LINEERR_INVALPOINTER));
    /* The result is a version that exists (tapi-versioning.md): the highest
     * known one in [low, min(high, provider maximum)]. */
    DWORD top = dwAPIHighVersion < g.max_version ? dwAPIHighVersion : g.max_version;
    DWORD best = sim_highest_known_version(dwAPILowVersion, top);
    if (!best)
        return leave(E(LINEERR_INCOMPATIBLEAPIVERSION));
    sim_hit hit = sim_fault_take(FN_lineNegotiateAPIVersion);
    if (hit.kind == TAPISIM_FAULT_ERROR)
        return leave((LONG)hit.lineerr);
    *lpdwAPIVersion = best;
    memset(lpExtensionID, 0, sizeof *lpExtensionID);
    return leave(0);
}

/* A variable part of LINECALLPARAMS inside its dwTotalSize. */
static int in_params(const LINECALLPARAMS *cp, DWORD size, DWORD offset)
{
    return offset >= sizeof *cp && (uint64_t)offset + size <= cp->dwTotalSize;
}

/* lpCallParams, read for LINEMAPPER, LINEOPENOPTION_PROXY and
 * LINEOPENOPTION_SINGLEADDRESS only (nf-tapi-lineopenw.md; else ignored).
 * Decisions (tapisim.h): NULL -> INVALPOINTER, except SINGLEADDRESS whose
 * page says INVALADDRESSID for invalid call parameters; dwTotalSize below
 * the fixed part -> STRUCTURETOOSMALL; a PROXY DevSpecific area that is
 * empty, not whole DWORDs or outside the structure -> INVALPOINTER; a
 * request type outside LINEPROXYREQUEST_ -> OPERATIONUNAVAIL; one another
 * line of the device serves -> NOTREGISTERED. An application handler takes
 * over a type from the simulated ACD (proxy.c). */
static LONG check_call_params(DWORD device, DWORD privileges, const LINECALLPARAMS *cp, DWORD *proxy_mask)
{
    int single = (privileges & LINEOPENOPTION_SINGLEADDRESS) != 0;
    if (!cp)
        return single ? E(LINEERR_INVALADDRESSID) : E(LINEERR_INVALPOINTER);
    if (cp->dwTotalSize < sizeof *cp)
        return single ? E(LINEERR_INVALADDRESSID) : E(LINEERR_STRUCTURETOOSMALL);
    if (single && (cp->dwAddressMode != LINEADDRESSMODE_ADDRESSID || cp->dwAddressID >= g.addresses))
        return E(LINEERR_INVALADDRESSID);
    if (device == LINEMAPPER && cp->dwMediaMode && (cp->dwMediaMode & ~SIM_MEDIA_MODES))
        return E(LINEERR_LINEMAPPERFAILED);
    if (privileges & LINEOPENOPTION_PROXY) {
        DWORD n = cp->dwDevSpecificSize;
        if (n == 0 || n % sizeof(DWORD) || !in_params(cp, n, cp->dwDevSpecificOffset))
            return E(LINEERR_INVALPOINTER);
        const unsigned char *list = (const unsigned char *)cp + cp->dwDevSpecificOffset;
        for (DWORD i = 0; i < n; i += sizeof(DWORD)) {
            DWORD type;
            memcpy(&type, list + i, sizeof type);
            if (type < LINEPROXYREQUEST_SETAGENTGROUP || type > LINEPROXYREQUEST_SETAGENTSTATEEX)
                return E(LINEERR_OPERATIONUNAVAIL);
            *proxy_mask |= 1u << type;
        }
        DWORD dev = device == LINEMAPPER ? 0 : device;
        for (size_t i = 0; i < g.lines.cap; i++) { /* ... or another application serves */
            const sim_line *o = g.lines.slots[i];
            if (o && o->device == dev && (o->proxy_mask & *proxy_mask))
                return E(LINEERR_NOTREGISTERED);
        }
    }
    return 0;
}

SIM_EXPORT LONG WINAPI lineOpenW(HLINEAPP hLineApp, DWORD dwDeviceID, LPHLINE lphLine, DWORD dwAPIVersion,
                                 DWORD dwExtVersion, DWORD_PTR dwCallbackInstance, DWORD dwPrivileges,
                                 DWORD dwMediaModes, LPLINECALLPARAMS lpCallParams)
{
    const DWORD priv = LINECALLPRIVILEGE_NONE | LINECALLPRIVILEGE_MONITOR | LINECALLPRIVILEGE_OWNER;
    const DWORD opts = LINEOPENOPTION_SINGLEADDRESS | LINEOPENOPTION_PROXY;
    enter();
    if (!sim_any_app())
        return leave(E(LINEERR_UNINITIALIZED));
    sim_app *a = sim_app_get(hLineApp);
    if (!a)
        return leave(E(LINEERR_INVALAPPHANDLE));
    if (dwDeviceID >= g.num_lines && dwDeviceID != LINEMAPPER)
        return leave(E(LINEERR_BADDEVICEID));
    if (!lphLine)
        return leave(E(LINEERR_INVALPOINTER));
    if (!sim_known_version(dwAPIVersion) || dwAPIVersion > g.max_version)
        return leave(E(LINEERR_INCOMPATIBLEAPIVERSION));
    if (dwExtVersion != 0) /* the simulated provider has no extensions */
        return leave(E(LINEERR_INCOMPATIBLEEXTVERSION));
    if (!(dwPrivileges & priv) || (dwPrivileges & ~(priv | opts)))
        return leave(E(LINEERR_INVALPRIVSELECT));
    /* LINEOPENOPTION_ values: "For applications using TAPI version 2.0 or later" */
    if ((dwPrivileges & opts) && dwAPIVersion < TAPI_VERSION2_0)
        return leave(E(LINEERR_INVALPRIVSELECT));
    /* dwMediaModes "is meaningful only if LINECALLPRIVILEGE_OWNER is set". */
    if ((dwPrivileges & LINECALLPRIVILEGE_OWNER) && (dwMediaModes == 0 || (dwMediaModes & ~SIM_MEDIA_MODES)))
        return leave(E(LINEERR_INVALMEDIAMODE));
    DWORD proxy_mask = 0;
    if (dwDeviceID == LINEMAPPER || (dwPrivileges & opts)) {
        LONG rc = check_call_params(dwDeviceID, dwPrivileges, lpCallParams, &proxy_mask);
        if (rc)
            return leave(rc);
    }
    if (dwDeviceID == LINEMAPPER)
        dwDeviceID = 0; /* every simulated line supports every accepted call parameter */
    sim_hit hit = sim_fault_take(FN_lineOpenW);
    if (hit.kind == TAPISIM_FAULT_ERROR)
        return leave((LONG)hit.lineerr);
    sim_line *l = calloc(1, sizeof *l);
    if (!l)
        return leave(E(LINEERR_NOMEM));
    l->app = hLineApp;
    l->device = dwDeviceID;
    l->version = dwAPIVersion;
    l->privileges = dwPrivileges;
    l->cb = dwCallbackInstance;
    l->proxy_mask = proxy_mask;
    if (sim_table_add(&g.lines, l, &l->handle) != 0) {
        free(l);
        return leave(E(LINEERR_RESOURCEUNAVAIL));
    }
    *lphLine = l->handle;
    sim_proxy_status(l, LINEPROXYSTATUS_OPEN);
    return leave(0);
}

SIM_EXPORT LONG WINAPI lineClose(HLINE hLine)
{
    enter();
    if (!sim_any_app())
        return leave(E(LINEERR_UNINITIALIZED));
    sim_line *l = sim_line_get(hLine);
    if (!l)
        return leave(E(LINEERR_INVALLINEHANDLE));
    sim_hit hit = sim_fault_take(FN_lineClose);
    if (hit.kind == TAPISIM_FAULT_ERROR)
        return leave((LONG)hit.lineerr);
    close_line(l);
    return leave(0);
}

SIM_EXPORT LONG WINAPI lineGetMessage(HLINEAPP hLineApp, LPLINEMESSAGE lpMessage, DWORD dwTimeout)
{
    enter();
    sim_app *a = sim_app_get(hLineApp);
    if (!a)
        return leave(E(LINEERR_INVALAPPHANDLE));
    if (!lpMessage)
        return leave(E(LINEERR_INVALPOINTER));
    sim_hit hit = sim_fault_take(FN_lineGetMessage);
    if (hit.kind == TAPISIM_FAULT_ERROR)
        return leave((LONG)hit.lineerr);
    int64_t start = sim_mono_ns();
    int64_t deadline = dwTimeout == INFINITE ? -1 : start + (int64_t)dwTimeout * 1000000;
    for (;;) {
        int64_t now = sim_mono_ns();
        sim_item *it = sim_take_deliverable(a, now);
        if (it) {
            sim_deliver(a, it, lpMessage);
            return leave(0);
        }
        if (deadline >= 0 && now >= deadline)
            return leave(E(LINEERR_OPERATIONFAILED));
        int64_t wake = deadline;
        int64_t d = sim_app_next_due(a, now);
        if (d >= 0 && (wake < 0 || d < wake))
            wake = d;
        d = sim_next_event_mono_ns();
        if (d >= 0 && (wake < 0 || d < wake))
            wake = d;
        sim_wait_msg(wake); /* wake < 0: no timeout; the loop re-checks either way */
        /* The app may have been shut down (or the simulator reset) meanwhile. */
        a = sim_app_get(hLineApp);
        if (!a)
            return leave(E(LINEERR_INVALAPPHANDLE));
        sim_touch();
    }
}
