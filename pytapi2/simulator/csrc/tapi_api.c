/*
 * tapi_api.c — the exported TAPI functions (tapi_functions.h).
 *
 * Synchronous (0 or a negative LINEERR): lineInitializeExW, lineShutdown,
 * lineNegotiateAPIVersion, lineOpenW, lineClose, lineGetMessage.
 *
 * Asynchronous (all others): validated synchronously (bad/uninitialized line
 * handle -> INVALLINEHANDLE; line opened below TAPI_VERSION2_2 ->
 * INCOMPATIBLEAPIVERSION for every agent call, below TAPI_VERSION3_0 for the
 * queue calls; NULL pointers -> INVALPOINTER; dwTotalSize below the fixed
 * size -> STRUCTURETOOSMALL; bad constants -> INVALPARAM or the specific
 * code), then they return a positive request ID (per app, 1..0x7FFFFFFF,
 * wrapping). The request is processed at once under the model lock: effects
 * are applied and the result is computed into a private copy held by the
 * pending LINE_REPLY. The caller's output memory is written only when
 * lineGetMessage delivers that LINE_REPLY. Errors that only the provider can
 * know come in the reply's dwParam2:
 *   unknown HAGENT / HAGENTSESSION / queue ID -> LINEERR_INVALPARAM (the error
 *     the function pages list for a bad parameter);
 *   forbidden session transition           -> LINEERR_INVALAGENTSESSIONSTATE;
 *   unknown group GUID                     -> LINEERR_INVALAGENTGROUP;
 *   unknown agent ID                       -> LINEERR_INVALAGENTID;
 *   wrong PIN                              -> LINEERR_INVALPASSWORD;
 *   address ID >= addresses per line       -> LINEERR_INVALADDRESSID.
 * The events a request causes are queued after its LINE_REPLY.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define E(code) ((LONG)(code)) /* LINEERR_ value as the negative LONG */

#define ALL_AGENT_STATES                                                                           \
    (LINEAGENTSTATEEX_NOTREADY | LINEAGENTSTATEEX_READY | LINEAGENTSTATEEX_BUSYACD |               \
     LINEAGENTSTATEEX_BUSYINCOMING | LINEAGENTSTATEEX_BUSYOUTGOING | LINEAGENTSTATEEX_UNKNOWN |    \
     LINEAGENTSTATEEX_RELEASED)

static int valid_agent_state(DWORD s)
{
    return s != 0 && (s & (s - 1)) == 0 && (s & ALL_AGENT_STATES) == s;
}

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

static LONG line_check(HLINE h, sim_line **l, sim_app **a, DWORD minver)
{
    *l = sim_line_get(h);
    *a = *l ? sim_app_get((*l)->app) : NULL;
    if (!*l || !*a)
        return E(LINEERR_INVALLINEHANDLE);
    if ((*l)->version < minver)
        return E(LINEERR_INCOMPATIBLEAPIVERSION);
    return 0;
}

/* ---- request / reply plumbing ---------------------------------------------- */

typedef struct req {
    sim_app *app;
    HLINE line;
    DWORD_PTR cb;
    sim_hit hit;
    LONG id;
} req;

/* After synchronous validation: take a fault; ERROR returns its code at once,
 * otherwise a request ID is issued and event deferral starts. */
static int req_begin(req *r, int fn, sim_app *a, const sim_line *l)
{
    r->app = a;
    r->line = l ? l->handle : 0;
    r->cb = l ? l->cb : 0;
    r->hit = sim_fault_take(fn);
    if (r->hit.kind == TAPISIM_FAULT_ERROR) {
        r->id = (LONG)r->hit.lineerr;
        return 0;
    }
    r->id = (LONG)sim_next_request(a);
    sim_defer_begin();
    return 1;
}

static DWORD req_inflate(const req *r)
{
    return r->hit.kind == TAPISIM_FAULT_INFLATE_NEEDED ? r->hit.param : 0;
}

/* A REPLY_ERROR fault: accepted, no effect, the reply carries the error. */
static int req_faulted(const req *r)
{
    return r->hit.kind == TAPISIM_FAULT_REPLY_ERROR;
}

static LONG req_end(req *r, DWORD err, void *dest, unsigned char *data, size_t len)
{
    if (req_faulted(r))
        err = r->hit.lineerr;
    if (sim_post_reply(r->app, r->line, r->cb, (DWORD)r->id, err, &r->hit, dest, data, len) != 0) {
        sim_defer_flush();
        sim_touch();
        return leave(E(LINEERR_NOMEM));
    }
    sim_defer_flush();
    sim_touch(); /* zero-delay work the request scheduled (e.g. a call routed now) */
    return leave(r->id);
}

static unsigned char *dword_result(DWORD v, size_t *len)
{
    unsigned char *d = malloc(sizeof v);
    if (d)
        memcpy(d, &v, sizeof v);
    *len = sizeof v;
    return d;
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
    if (*lpdwAPIVersion < TAPI_VERSION2_0)
        return E(LINEERR_INCOMPATIBLEAPIVERSION);
    /* The simulator supports the event mechanism only (no hidden window, no
     * completion port off Windows). */
    if ((p->dwOptions & ~(DWORD)LINEINITIALIZEEXOPTION_CALLHUBTRACKING) != LINEINITIALIZEEXOPTION_USEEVENT)
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
    sim_app *a = sim_app_get(l->app);
    if (a)
        sim_suppress_line(a, l->handle);
    sim_table_remove(&g.lines, l->handle);
    free(l);
}

SIM_EXPORT LONG WINAPI lineShutdown(HLINEAPP hLineApp)
{
    enter();
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
    if (!sim_app_get(hLineApp))
        return leave(E(LINEERR_INVALAPPHANDLE));
    if (dwDeviceID >= g.num_lines)
        return leave(E(LINEERR_BADDEVICEID));
    if (!lpdwAPIVersion || !lpExtensionID)
        return leave(E(LINEERR_INVALPOINTER));
    if (dwAPILowVersion > dwAPIHighVersion || dwAPIHighVersion < TAPI_VERSION1_0 || dwAPILowVersion > g.max_version)
        return leave(E(LINEERR_INCOMPATIBLEAPIVERSION));
    sim_hit hit = sim_fault_take(FN_lineNegotiateAPIVersion);
    if (hit.kind == TAPISIM_FAULT_ERROR)
        return leave((LONG)hit.lineerr);
    *lpdwAPIVersion = dwAPIHighVersion < g.max_version ? dwAPIHighVersion : g.max_version;
    memset(lpExtensionID, 0, sizeof *lpExtensionID);
    return leave(0);
}

SIM_EXPORT LONG WINAPI lineOpenW(HLINEAPP hLineApp, DWORD dwDeviceID, LPHLINE lphLine, DWORD dwAPIVersion,
                                 DWORD dwExtVersion, DWORD_PTR dwCallbackInstance, DWORD dwPrivileges,
                                 DWORD dwMediaModes, LPLINECALLPARAMS lpCallParams)
{
    (void)dwMediaModes;
    (void)lpCallParams;
    const DWORD priv = LINECALLPRIVILEGE_NONE | LINECALLPRIVILEGE_MONITOR | LINECALLPRIVILEGE_OWNER;
    const DWORD opts = LINEOPENOPTION_SINGLEADDRESS | LINEOPENOPTION_PROXY;
    enter();
    sim_app *a = sim_app_get(hLineApp);
    if (!a)
        return leave(E(LINEERR_INVALAPPHANDLE));
    if (dwDeviceID >= g.num_lines)
        return leave(E(LINEERR_BADDEVICEID));
    if (!lphLine)
        return leave(E(LINEERR_INVALPOINTER));
    if (dwAPIVersion < TAPI_VERSION1_0 || dwAPIVersion > g.max_version)
        return leave(E(LINEERR_INCOMPATIBLEAPIVERSION));
    if (dwExtVersion != 0) /* the simulated provider has no extensions */
        return leave(E(LINEERR_INCOMPATIBLEEXTVERSION));
    if (!(dwPrivileges & priv) || (dwPrivileges & ~(priv | opts)))
        return leave(E(LINEERR_INVALPRIVSELECT));
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
    if (sim_table_add(&g.lines, l, &l->handle) != 0) {
        free(l);
        return leave(E(LINEERR_RESOURCEUNAVAIL));
    }
    *lphLine = l->handle;
    return leave(0);
}

SIM_EXPORT LONG WINAPI lineClose(HLINE hLine)
{
    enter();
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

/* ---- asynchronous agent functions -------------------------------------------- */

SIM_EXPORT LONG WINAPI lineCreateAgentW(HLINE hLine, LPWSTR lpszAgentID, LPWSTR lpszAgentPIN, LPHAGENT lphAgent)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION2_2);
    if (!rc && (!lpszAgentID || !lphAgent))
        rc = E(LINEERR_INVALPOINTER);
    if (rc || !req_begin(&r, FN_lineCreateAgentW, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0, idx = 0;
    if (!req_faulted(&r)) {
        sim_agent *ag = sim_agent_find(lpszAgentID, &idx);
        if (!ag)
            err = LINEERR_INVALAGENTID;
        else if (ag->pin && !sim_wcseq(lpszAgentPIN, ag->pin))
            err = LINEERR_INVALPASSWORD;
        else if (!(data = dword_result((DWORD)(idx + 1), &len)))
            err = LINEERR_NOMEM;
        else if (!ag->created) {
            ag->created = 1;
            ag->device = l->device;
            ag->reset_ms = g.model_ms;
            sim_emit_agent(idx, LINEAGENTSTATUSEX_NEWAGENT, 0);
        }
    }
    return req_end(&r, err, lphAgent, data, len);
}

SIM_EXPORT LONG WINAPI lineCreateAgentSessionW(HLINE hLine, HAGENT hAgent, LPWSTR lpszAgentPIN,
                                               DWORD dwWorkingAddressID, LPGUID lpGroupID,
                                               LPHAGENTSESSION lphAgentSession)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION2_2);
    if (!rc && (!lpGroupID || !lphAgentSession))
        rc = E(LINEERR_INVALPOINTER);
    if (rc || !req_begin(&r, FN_lineCreateAgentSessionW, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0, gidx = 0;
    if (!req_faulted(&r)) {
        sim_agent *ag = sim_agent_get(hAgent);
        HAGENTSESSION hs = 0;
        if (!ag)
            err = LINEERR_INVALPARAM;
        else if (!sim_group_find(lpGroupID, &gidx))
            err = LINEERR_INVALAGENTGROUP;
        else if (dwWorkingAddressID >= g.addresses)
            err = LINEERR_INVALADDRESSID;
        else if (lpszAgentPIN && !sim_wcseq(lpszAgentPIN, ag->pin))
            err = LINEERR_INVALPASSWORD;
        else if (sim_session_create(hAgent - 1, gidx, dwWorkingAddressID, l->device, &hs) != 0)
            err = LINEERR_NOMEM;
        else if (!(data = dword_result(hs, &len)))
            err = LINEERR_NOMEM;
    }
    return req_end(&r, err, lphAgentSession, data, len);
}

SIM_EXPORT LONG WINAPI lineGetAgentSessionList(HLINE hLine, HAGENT hAgent, LPLINEAGENTSESSIONLIST lpAgentSessionList)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION2_2);
    if (!rc && !lpAgentSessionList)
        rc = E(LINEERR_INVALPOINTER);
    if (!rc && lpAgentSessionList->dwTotalSize < sizeof(LINEAGENTSESSIONLIST))
        rc = E(LINEERR_STRUCTURETOOSMALL);
    if (rc || !req_begin(&r, FN_lineGetAgentSessionList, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        sim_agent *ag = sim_agent_get(hAgent);
        if (!ag)
            err = LINEERR_INVALPARAM;
        else if (vs_session_list(ag, lpAgentSessionList->dwTotalSize, req_inflate(&r), &data, &len))
            err = LINEERR_NOMEM;
    }
    return req_end(&r, err, lpAgentSessionList, data, len);
}

SIM_EXPORT LONG WINAPI lineGetAgentSessionInfo(HLINE hLine, HAGENTSESSION hAgentSession,
                                               LPLINEAGENTSESSIONINFO lpAgentSessionInfo)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION2_2);
    if (!rc && !lpAgentSessionInfo)
        rc = E(LINEERR_INVALPOINTER);
    if (!rc && lpAgentSessionInfo->dwTotalSize < sizeof(LINEAGENTSESSIONINFO))
        rc = E(LINEERR_STRUCTURETOOSMALL);
    if (rc || !req_begin(&r, FN_lineGetAgentSessionInfo, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        sim_session *s = sim_session_get(hAgentSession);
        if (!s)
            err = LINEERR_INVALPARAM;
        else if (vs_session_info(s, lpAgentSessionInfo->dwTotalSize, req_inflate(&r), &data, &len))
            err = LINEERR_NOMEM;
    }
    return req_end(&r, err, lpAgentSessionInfo, data, len);
}

SIM_EXPORT LONG WINAPI lineSetAgentSessionState(HLINE hLine, HAGENTSESSION hAgentSession, DWORD dwAgentSessionState,
                                                DWORD dwNextAgentSessionState)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION2_2);
    if (!rc && dwAgentSessionState != 0 && !sim_valid_session_state(dwAgentSessionState))
        rc = E(LINEERR_INVALAGENTSESSIONSTATE);
    if (!rc && dwNextAgentSessionState != 0 && !sim_valid_session_state(dwNextAgentSessionState))
        rc = E(LINEERR_INVALPARAM);
    if (rc || !req_begin(&r, FN_lineSetAgentSessionState, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    if (!req_faulted(&r)) {
        sim_session *s = sim_session_get(hAgentSession);
        if (!s)
            err = LINEERR_INVALPARAM;
        else if (sim_session_set_state(s, dwAgentSessionState, dwNextAgentSessionState) != 0)
            err = LINEERR_INVALAGENTSESSIONSTATE;
    }
    return req_end(&r, err, NULL, NULL, 0);
}

SIM_EXPORT LONG WINAPI lineGetAgentInfo(HLINE hLine, HAGENT hAgent, LPLINEAGENTINFO lpAgentInfo)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION2_2);
    if (!rc && !lpAgentInfo)
        rc = E(LINEERR_INVALPOINTER);
    if (!rc && lpAgentInfo->dwTotalSize < sizeof(LINEAGENTINFO))
        rc = E(LINEERR_STRUCTURETOOSMALL);
    if (rc || !req_begin(&r, FN_lineGetAgentInfo, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        sim_agent *ag = sim_agent_get(hAgent);
        if (!ag)
            err = LINEERR_INVALPARAM;
        else if (vs_agent_info(ag, lpAgentInfo->dwTotalSize, req_inflate(&r), &data, &len))
            err = LINEERR_NOMEM;
    }
    return req_end(&r, err, lpAgentInfo, data, len);
}

/* "Sets the measurement window and resets the cumulative counts." */
SIM_EXPORT LONG WINAPI lineSetAgentMeasurementPeriod(HLINE hLine, HAGENT hAgent, DWORD dwMeasurementPeriod)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION2_2);
    if (!rc && dwMeasurementPeriod == 0)
        rc = E(LINEERR_INVALPARAM);
    if (rc || !req_begin(&r, FN_lineSetAgentMeasurementPeriod, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    if (!req_faulted(&r)) {
        sim_agent *ag = sim_agent_get(hAgent);
        if (!ag) {
            err = LINEERR_INVALPARAM;
        } else {
            ag->period_s = dwMeasurementPeriod;
            ag->calls = 0;
            ag->talk_ms = ag->wrap_ms = 0;
            ag->reset_ms = g.model_ms;
            sim_emit_agent(hAgent - 1, LINEAGENTSTATUSEX_UPDATEINFO, 0);
        }
    }
    return req_end(&r, err, NULL, NULL, 0);
}

/* Agent state (LINEAGENTSTATEEX_) is independent of the session states; 0
 * keeps the state / clears the next state. Every accepted request sends
 * LINE_AGENTSTATUSEX(STATE, new state). */
SIM_EXPORT LONG WINAPI lineSetAgentStateEx(HLINE hLine, HAGENT hAgent, DWORD dwAgentState, DWORD dwNextAgentState)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION2_2);
    if (!rc && ((dwAgentState != 0 && !valid_agent_state(dwAgentState)) ||
                (dwNextAgentState != 0 && !valid_agent_state(dwNextAgentState))))
        rc = E(LINEERR_INVALAGENTSTATE);
    if (rc || !req_begin(&r, FN_lineSetAgentStateEx, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    if (!req_faulted(&r)) {
        sim_agent *ag = sim_agent_get(hAgent);
        if (!ag) {
            err = LINEERR_INVALPARAM;
        } else {
            if (dwAgentState)
                ag->state = dwAgentState;
            ag->next = dwNextAgentState;
            sim_emit_agent(hAgent - 1, LINEAGENTSTATUSEX_STATE, ag->state);
        }
    }
    return req_end(&r, err, NULL, NULL, 0);
}

SIM_EXPORT LONG WINAPI lineGetAgentCapsW(HLINEAPP hLineApp, DWORD dwDeviceID, DWORD dwAddressID,
                                         DWORD dwAppAPIVersion, LPLINEAGENTCAPS lpAgentCaps)
{
    req r;
    enter();
    sim_app *a = sim_app_get(hLineApp);
    LONG rc = 0;
    if (!a)
        rc = E(LINEERR_INVALAPPHANDLE);
    else if (dwDeviceID >= g.num_lines)
        rc = E(LINEERR_BADDEVICEID);
    else if (!lpAgentCaps)
        rc = E(LINEERR_INVALPOINTER);
    else if (dwAppAPIVersion < TAPI_VERSION2_2 || dwAppAPIVersion > g.max_version)
        rc = E(LINEERR_INCOMPATIBLEAPIVERSION);
    else if (lpAgentCaps->dwTotalSize < vs_caps_fixed_size(dwAppAPIVersion))
        rc = E(LINEERR_STRUCTURETOOSMALL);
    if (rc || !req_begin(&r, FN_lineGetAgentCapsW, a, NULL))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        if (dwAddressID >= g.addresses)
            err = LINEERR_INVALADDRESSID;
        else if (vs_agent_caps(dwAppAPIVersion, lpAgentCaps->dwTotalSize, req_inflate(&r), &data, &len))
            err = LINEERR_NOMEM;
    }
    return req_end(&r, err, lpAgentCaps, data, len);
}

SIM_EXPORT LONG WINAPI lineGetGroupListW(HLINE hLine, LPLINEAGENTGROUPLIST lpGroupList)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION2_2);
    if (!rc && !lpGroupList)
        rc = E(LINEERR_INVALPOINTER);
    if (!rc && lpGroupList->dwTotalSize < sizeof(LINEAGENTGROUPLIST))
        rc = E(LINEERR_STRUCTURETOOSMALL);
    if (rc || !req_begin(&r, FN_lineGetGroupListW, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r) && vs_group_list(lpGroupList->dwTotalSize, req_inflate(&r), &data, &len))
        err = LINEERR_NOMEM;
    return req_end(&r, err, lpGroupList, data, len);
}

SIM_EXPORT LONG WINAPI lineGetQueueListW(HLINE hLine, LPGUID lpGroupID, LPLINEQUEUELIST lpQueueList)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION3_0);
    if (!rc && (!lpGroupID || !lpQueueList))
        rc = E(LINEERR_INVALPOINTER);
    if (!rc && lpQueueList->dwTotalSize < sizeof(LINEQUEUELIST))
        rc = E(LINEERR_STRUCTURETOOSMALL);
    if (rc || !req_begin(&r, FN_lineGetQueueListW, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        sim_group *gr = sim_group_find(lpGroupID, NULL);
        if (!gr)
            err = LINEERR_INVALAGENTGROUP;
        else if (vs_queue_list(gr, lpQueueList->dwTotalSize, req_inflate(&r), &data, &len))
            err = LINEERR_NOMEM;
    }
    return req_end(&r, err, lpQueueList, data, len);
}

SIM_EXPORT LONG WINAPI lineGetQueueInfo(HLINE hLine, DWORD dwQueueID, LPLINEQUEUEINFO lpLineQueueInfo)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION3_0);
    if (!rc && !lpLineQueueInfo)
        rc = E(LINEERR_INVALPOINTER);
    if (!rc && lpLineQueueInfo->dwTotalSize < sizeof(LINEQUEUEINFO))
        rc = E(LINEERR_STRUCTURETOOSMALL);
    if (rc || !req_begin(&r, FN_lineGetQueueInfo, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        sim_queue *q = sim_queue_find(dwQueueID, NULL);
        if (!q)
            err = LINEERR_INVALPARAM;
        else if (vs_queue_info(q, lpLineQueueInfo->dwTotalSize, req_inflate(&r), &data, &len))
            err = LINEERR_NOMEM;
    }
    return req_end(&r, err, lpLineQueueInfo, data, len);
}

SIM_EXPORT LONG WINAPI lineSetQueueMeasurementPeriod(HLINE hLine, DWORD dwQueueID, DWORD dwMeasurementPeriod)
{
    sim_line *l;
    sim_app *a;
    req r;
    enter();
    LONG rc = line_check(hLine, &l, &a, TAPI_VERSION3_0);
    if (!rc && dwMeasurementPeriod == 0)
        rc = E(LINEERR_INVALPARAM);
    if (rc || !req_begin(&r, FN_lineSetQueueMeasurementPeriod, a, l))
        return leave(rc ? rc : r.id);
    DWORD err = 0;
    if (!req_faulted(&r)) {
        sim_queue *q = sim_queue_find(dwQueueID, NULL);
        if (!q) {
            err = LINEERR_INVALPARAM;
        } else { /* new window: cumulative counters restart (current calls stay) */
            q->period_s = dwMeasurementPeriod;
            q->total_queued = q->abandoned = 0;
            q->longest_ever_ms = q->wait_sum_ms = 0;
            q->wait_count = 0;
        }
    }
    return req_end(&r, err, NULL, NULL, 0);
}
