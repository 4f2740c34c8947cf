/*
 * tapi_async.c — the 13 asynchronous TAPI functions (tapi_functions.h).
 *
 * Every one has the same shape:
 *
 *   req r;
 *   LONG rc = req_line(&r, hLine, minimum version);   (or req_app)
 *   if (!rc) rc = <the function's own synchronous checks>;
 *   if (!req_start(&r, FN_x, rc))
 *       return r.id;                   (an error, returned at once)
 *   ... compute the result under the model lock ...
 *   return req_end(&r, err, output pointer, result bytes, length);
 *
 * Synchronous checks, in this order: no app initialized -> UNINITIALIZED;
 * bad line handle -> INVALLINEHANDLE; line opened below TAPI_VERSION2_2 (agent
 * calls) or TAPI_VERSION3_0 (queue calls) -> INCOMPATIBLEAPIVERSION; NULL
 * pointer -> INVALPOINTER; dwTotalSize below the fixed size ->
 * STRUCTURETOOSMALL; a constant outside its family -> INVALAGENTSTATE for
 * the state functions (their pages' code), else INVALPARAM.
 *
 * Then a request ID (per app, 1..0x7FFFFFFF, wrapping) is returned. The
 * request is processed at once under the model lock: effects are applied and
 * the result is computed into a private copy held by the pending LINE_REPLY.
 * The caller's output memory is written only when lineGetMessage delivers
 * that LINE_REPLY. The reply's dwParam2 is 0 or one of the errors the
 * function's page lists (nf-tapi-lineproxyresponse.md: "zero or one of the
 * negative error values defined for the called function"); what only the
 * provider can know therefore comes back as LINEERR_INVALPARAM (unknown
 * HAGENT / HAGENTSESSION / agent ID / group / queue / address, wrong PIN)
 * or, for a forbidden state change, LINEERR_INVALAGENTSTATE. The events a
 * request causes are queued after its LINE_REPLY.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define E(code) ((LONG)(code)) /* LINEERR_ value as the negative LONG */

/* ---- request / reply plumbing ---------------------------------------------- */

typedef struct req {
    sim_app *app;
    const sim_line *line;
    sim_hit hit;
    LONG id;
    DWORD device;           /* the line device the request is for */
} req;

/* Lock, bring the model up to date, check the line. The lock stays held:
 * req_start releases it when the call ends at once. */
static LONG req_line(req *r, HLINE h, DWORD minver)
{
    sim_lock();
    sim_touch();
    memset(r, 0, sizeof *r);
    if (!sim_any_app())
        return E(LINEERR_UNINITIALIZED);
    sim_line *l = sim_line_get(h);
    sim_app *a = l ? sim_app_get(l->app) : NULL;
    if (!l || !a)
        return E(LINEERR_INVALLINEHANDLE);
    if (l->version < minver)
        return E(LINEERR_INCOMPATIBLEAPIVERSION);
    r->app = a;
    r->line = l;
    r->device = l->device;
    return 0;
}

/* The same for a function called on the app (lineGetAgentCapsW). */
static LONG req_app(req *r, HLINEAPP h)
{
    sim_lock();
    sim_touch();
    memset(r, 0, sizeof *r);
    if (!sim_any_app())
        return E(LINEERR_UNINITIALIZED);
    r->app = sim_app_get(h);
    return r->app ? 0 : E(LINEERR_INVALAPPHANDLE);
}

/* A variable-size output: present, and at least its fixed part. */
static LONG out_struct(const void *p, DWORD fixed)
{
    if (!p)
        return E(LINEERR_INVALPOINTER);
    DWORD total;
    memcpy(&total, p, sizeof total); /* dwTotalSize, the first member of each */
    return total < fixed ? E(LINEERR_STRUCTURETOOSMALL) : 0;
}

/* After the synchronous checks (`rc`): 0 when the call ends now (r->id is
 * what it returns, the lock is released), 1 when a request ID was issued and
 * the request is to be processed. An ERROR fault ends the call with its code. */
static int req_start(req *r, int fn, LONG rc)
{
    if (rc == 0) /* no agent handler at all: proxy.c */
        rc = sim_proxy_check(r->device, fn);
    if (rc == 0) {
        r->hit = sim_fault_take(fn);
        if (r->hit.kind == TAPISIM_FAULT_ERROR)
            rc = (LONG)r->hit.lineerr;
    }
    if (rc != 0) {
        r->id = rc;
        sim_unlock();
        return 0;
    }
    r->id = (LONG)sim_next_request(r->app);
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

/* Post the LINE_REPLY (owning `data`), then the events the request caused. */
static LONG req_end(req *r, DWORD err, void *dest, unsigned char *data, size_t len)
{
    if (req_faulted(r))
        err = r->hit.lineerr;
    LONG rc = r->id;
    HLINE line = r->line ? r->line->handle : 0;
    DWORD_PTR cb = r->line ? r->line->cb : 0;
    if (sim_post_reply(r->app, line, cb, (DWORD)r->id, err, &r->hit, dest, data, len) != 0)
        rc = E(LINEERR_NOMEM);
    sim_defer_flush();
    sim_touch(); /* zero-delay work the request scheduled (e.g. a call routed now) */
    sim_unlock();
    return rc;
}

/* An application's agent handler serves the request (proxy.c): it gets
 * LINE_PROXYREQUEST and the client's LINE_REPLY comes with its
 * lineProxyResponse. 1: done, return r->id; 0: the simulated ACD answers.
 * A REPLY_ERROR fault is the simulated provider's, so it is not routed. */
static int req_proxy(req *r, sim_proxy_call c)
{
    if (req_faulted(r))
        return 0;
    DWORD err;
    c.version = r->line ? r->line->version : c.version;
    if (!sim_proxy_route(r->app, r->line, r->device, (DWORD)r->id, &r->hit, &c, &err))
        return 0;
    if (err) {
        r->id = req_end(r, err, NULL, NULL, 0);
    } else {
        sim_defer_flush();
        sim_unlock();
    }
    return 1;
}

/* A writer's result (0 or TAPISIM_E_NOMEM) as the reply's error. */
static DWORD written(int rc)
{
    return rc ? LINEERR_NOMEM : 0;
}

static unsigned char *dword_result(DWORD v, size_t *len)
{
    unsigned char *d = malloc(sizeof v);
    if (d)
        memcpy(d, &v, sizeof v);
    *len = sizeof v;
    return d;
}

#define ALL_AGENT_STATES                                                                           \
    (LINEAGENTSTATEEX_NOTREADY | LINEAGENTSTATEEX_READY | LINEAGENTSTATEEX_BUSYACD |               \
     LINEAGENTSTATEEX_BUSYINCOMING | LINEAGENTSTATEEX_BUSYOUTGOING | LINEAGENTSTATEEX_UNKNOWN |    \
     LINEAGENTSTATEEX_RELEASED)

static int valid_agent_state(DWORD s)
{
    return s != 0 && (s & (s - 1)) == 0 && (s & ALL_AGENT_STATES) == s;
}

/* ---- agents and sessions ------------------------------------------------------ */

/* PIN model (pages silent; tapisim.h): an agent added without a PIN belongs
 * to an ACD authenticating by the OS login and ignores PINs. An agent with a
 * PIN accepts a NULL PIN here (the agent object only), checks a given one,
 * and is "authenticated" once the right one was given. NULL agent ID: the
 * logged-on user's agent, which the simulator takes to be the first agent
 * added; the OS login authenticates it. */
SIM_EXPORT LONG WINAPI lineCreateAgentW(HLINE hLine, LPWSTR lpszAgentID, LPWSTR lpszAgentPIN, LPHAGENT lphAgent)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION2_2);
    if (!rc && !lphAgent)
        rc = E(LINEERR_INVALPOINTER);
    if (!req_start(&r, FN_lineCreateAgentW, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineCreateAgentW, .id = lpszAgentID, .pin = lpszAgentPIN, .out = lphAgent}))
        return r.id;
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0, idx = 0;
    if (!req_faulted(&r)) {
        sim_agent *ag = NULL;
        if (lpszAgentID)
            ag = sim_agent_find(lpszAgentID, &idx);
        else if (g.nagents)
            ag = g.agents[idx = 0];
        if (!ag || (ag->pin && lpszAgentPIN && !sim_wcseq(lpszAgentPIN, ag->pin)))
            err = LINEERR_INVALPARAM;
        else if (!(data = dword_result(sim_agent_handle(idx), &len)))
            err = LINEERR_NOMEM;
        else {
            if (!lpszAgentID || (ag->pin && lpszAgentPIN))
                ag->authenticated = 1;
            if (!ag->created) {
                ag->created = 1;
                ag->device = r.line->device;
                sim_emit_agent(idx, LINEAGENTSTATUSEX_NEWAGENT, 0);
            }
        }
    }
    return req_end(&r, err, lphAgent, data, len);
}

/* PIN: ignored for an agent without one; otherwise a given PIN must match,
 * and a NULL one is accepted only for an authenticated agent (see above). */
SIM_EXPORT LONG WINAPI lineCreateAgentSessionW(HLINE hLine, HAGENT hAgent, LPWSTR lpszAgentPIN,
                                               DWORD dwWorkingAddressID, LPGUID lpGroupID,
                                               LPHAGENTSESSION lphAgentSession)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION2_2);
    if (!rc && (!lpGroupID || !lphAgentSession))
        rc = E(LINEERR_INVALPOINTER);
    if (!req_start(&r, FN_lineCreateAgentSessionW, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineCreateAgentSessionW, .p = {hAgent, dwWorkingAddressID}, .np = 2, .group = lpGroupID, .pin = lpszAgentPIN, .out = lphAgentSession}))
        return r.id;
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0, gidx = 0, aidx = 0;
    if (!req_faulted(&r)) {
        sim_agent *ag = sim_agent_get(hAgent, &aidx);
        HAGENTSESSION hs = 0;
        int pin_ok = ag && (!ag->pin || (lpszAgentPIN ? sim_wcseq(lpszAgentPIN, ag->pin) : ag->authenticated));
        if (!ag || !sim_group_find(lpGroupID, &gidx) || dwWorkingAddressID >= g.addresses || !pin_ok)
            err = LINEERR_INVALPARAM;
        else if (sim_session_create(aidx, gidx, dwWorkingAddressID, r.line->device, &hs) != 0)
            err = LINEERR_NOMEM;
        else if (!(data = dword_result(hs, &len)))
            err = LINEERR_NOMEM;
    }
    return req_end(&r, err, lphAgentSession, data, len);
}

SIM_EXPORT LONG WINAPI lineGetAgentSessionList(HLINE hLine, HAGENT hAgent, LPLINEAGENTSESSIONLIST lpAgentSessionList)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION2_2);
    if (!rc)
        rc = out_struct(lpAgentSessionList, sizeof(LINEAGENTSESSIONLIST));
    if (!req_start(&r, FN_lineGetAgentSessionList, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineGetAgentSessionList, .p = {hAgent}, .np = 1, .out = lpAgentSessionList}))
        return r.id;
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        sim_agent *ag = sim_agent_get(hAgent, NULL);
        err = !ag ? LINEERR_INVALPARAM
                  : written(vs_session_list(ag, lpAgentSessionList->dwTotalSize, req_inflate(&r), &data, &len));
    }
    return req_end(&r, err, lpAgentSessionList, data, len);
}

SIM_EXPORT LONG WINAPI lineGetAgentSessionInfo(HLINE hLine, HAGENTSESSION hAgentSession,
                                               LPLINEAGENTSESSIONINFO lpAgentSessionInfo)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION2_2);
    if (!rc)
        rc = out_struct(lpAgentSessionInfo, sizeof(LINEAGENTSESSIONINFO));
    if (!req_start(&r, FN_lineGetAgentSessionInfo, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineGetAgentSessionInfo, .p = {hAgentSession}, .np = 1, .out = lpAgentSessionInfo}))
        return r.id;
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        sim_session *s = sim_session_get(hAgentSession);
        err = !s ? LINEERR_INVALPARAM
                 : written(vs_session_info(s, lpAgentSessionInfo->dwTotalSize, req_inflate(&r), &data, &len));
    }
    return req_end(&r, err, lpAgentSessionInfo, data, len);
}

/* Codes (decision, tapisim.h): the page lists LINEERR_INVALAGENTSTATE, not
 * INVALAGENTSESSIONSTATE, so a state or next state outside the
 * LINEAGENTSESSIONSTATE_ family (synchronously) and a forbidden transition
 * (in the reply) give INVALAGENTSTATE. 0 leaves the state, or the next
 * state, unchanged. */
SIM_EXPORT LONG WINAPI lineSetAgentSessionState(HLINE hLine, HAGENTSESSION hAgentSession, DWORD dwAgentSessionState,
                                                DWORD dwNextAgentSessionState)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION2_2);
    if (!rc && ((dwAgentSessionState != 0 && !sim_valid_session_state(dwAgentSessionState)) ||
                (dwNextAgentSessionState != 0 && !sim_valid_session_state(dwNextAgentSessionState))))
        rc = E(LINEERR_INVALAGENTSTATE);
    if (!req_start(&r, FN_lineSetAgentSessionState, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineSetAgentSessionState, .p = {hAgentSession, dwAgentSessionState, dwNextAgentSessionState}, .np = 3}))
        return r.id;
    DWORD err = 0;
    if (!req_faulted(&r)) {
        sim_session *s = sim_session_get(hAgentSession);
        if (!s)
            err = LINEERR_INVALPARAM;
        else if (sim_session_set_state(s, dwAgentSessionState, dwNextAgentSessionState) != 0)
            err = LINEERR_INVALAGENTSTATE;
    }
    return req_end(&r, err, NULL, NULL, 0);
}

SIM_EXPORT LONG WINAPI lineGetAgentInfo(HLINE hLine, HAGENT hAgent, LPLINEAGENTINFO lpAgentInfo)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION2_2);
    if (!rc)
        rc = out_struct(lpAgentInfo, sizeof(LINEAGENTINFO));
    if (!req_start(&r, FN_lineGetAgentInfo, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineGetAgentInfo, .p = {hAgent}, .np = 1, .out = lpAgentInfo}))
        return r.id;
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        size_t idx;
        err = !sim_agent_get(hAgent, &idx)
                  ? LINEERR_INVALPARAM
                  : written(vs_agent_info(idx, lpAgentInfo->dwTotalSize, req_inflate(&r), &data, &len));
    }
    return req_end(&r, err, lpAgentInfo, data, len);
}

/* The window over which LINEAGENTINFO's counts are kept (ns-tapi-lineagentinfo.md:
 * "calls handled in the last hour, day, or month"): a new period changes the
 * window, nothing is reset. */
SIM_EXPORT LONG WINAPI lineSetAgentMeasurementPeriod(HLINE hLine, HAGENT hAgent, DWORD dwMeasurementPeriod)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION2_2);
    if (!rc && dwMeasurementPeriod == 0)
        rc = E(LINEERR_INVALPARAM);
    if (!req_start(&r, FN_lineSetAgentMeasurementPeriod, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineSetAgentMeasurementPeriod, .p = {hAgent, dwMeasurementPeriod}, .np = 2}))
        return r.id;
    DWORD err = 0;
    if (!req_faulted(&r)) {
        size_t idx;
        sim_agent *ag = sim_agent_get(hAgent, &idx);
        if (!ag) {
            err = LINEERR_INVALPARAM;
        } else if (ag->period_s != dwMeasurementPeriod) {
            ag->period_s = dwMeasurementPeriod;
            sim_emit_agent(idx, LINEAGENTSTATUSEX_UPDATEINFO, 0);
        }
    }
    return req_end(&r, err, NULL, NULL, 0);
}

/* Agent state (LINEAGENTSTATEEX_) is independent of the session states; 0
 * keeps the state / the next state. LINE_AGENTSTATUSEX(STATE) only when the
 * state changes, UPDATEINFO when only the next state does. */
SIM_EXPORT LONG WINAPI lineSetAgentStateEx(HLINE hLine, HAGENT hAgent, DWORD dwAgentState, DWORD dwNextAgentState)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION2_2);
    if (!rc && ((dwAgentState != 0 && !valid_agent_state(dwAgentState)) ||
                (dwNextAgentState != 0 && !valid_agent_state(dwNextAgentState))))
        rc = E(LINEERR_INVALAGENTSTATE);
    if (!req_start(&r, FN_lineSetAgentStateEx, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineSetAgentStateEx, .p = {hAgent, dwAgentState, dwNextAgentState}, .np = 3}))
        return r.id;
    DWORD err = 0;
    if (!req_faulted(&r)) {
        size_t idx;
        sim_agent *ag = sim_agent_get(hAgent, &idx);
        if (!ag) {
            err = LINEERR_INVALPARAM;
        } else {
            DWORD state = dwAgentState ? dwAgentState : ag->state;
            DWORD next = dwNextAgentState ? dwNextAgentState : ag->next;
            int state_changed = state != ag->state, next_changed = next != ag->next;
            ag->state = state;
            ag->next = next;
            if (state_changed)
                sim_emit_agent(idx, LINEAGENTSTATUSEX_STATE, ag->state);
            else if (next_changed)
                sim_emit_agent(idx, LINEAGENTSTATUSEX_UPDATEINFO, 0);
        }
    }
    return req_end(&r, err, NULL, NULL, 0);
}

/* dwAppAPIVersion is the application's highest version, not a negotiated
 * one (nf-tapi-linegetagentcapsw.md): any known version from TAPI 2.0 (the
 * function's own) is accepted and the structure is written at the lower of
 * it and the provider's maximum (dwCapsVersion). */
SIM_EXPORT LONG WINAPI lineGetAgentCapsW(HLINEAPP hLineApp, DWORD dwDeviceID, DWORD dwAddressID,
                                         DWORD dwAppAPIVersion, LPLINEAGENTCAPS lpAgentCaps)
{
    req r;
    LONG rc = req_app(&r, hLineApp);
    r.device = dwDeviceID;
    DWORD version = dwAppAPIVersion < g.max_version ? dwAppAPIVersion : g.max_version;
    if (!rc && dwDeviceID >= g.num_lines)
        rc = E(LINEERR_BADDEVICEID);
    if (!rc && !lpAgentCaps)
        rc = E(LINEERR_INVALPOINTER);
    if (!rc && (!sim_known_version(dwAppAPIVersion) || dwAppAPIVersion < TAPI_VERSION2_0))
        rc = E(LINEERR_INCOMPATIBLEAPIVERSION);
    if (!rc)
        rc = out_struct(lpAgentCaps, vs_caps_fixed_size(version));
    if (!req_start(&r, FN_lineGetAgentCapsW, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineGetAgentCapsW, .version = version, .p = {dwAddressID}, .np = 1, .out = lpAgentCaps}))
        return r.id;
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r))
        err = dwAddressID >= g.addresses
                  ? LINEERR_INVALADDRESSID
                  : written(vs_agent_caps(version, lpAgentCaps->dwTotalSize, req_inflate(&r), &data, &len));
    return req_end(&r, err, lpAgentCaps, data, len);
}

/* ---- groups and queues ------------------------------------------------------- */

SIM_EXPORT LONG WINAPI lineGetGroupListW(HLINE hLine, LPLINEAGENTGROUPLIST lpGroupList)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION2_2);
    if (!rc)
        rc = out_struct(lpGroupList, sizeof(LINEAGENTGROUPLIST));
    if (!req_start(&r, FN_lineGetGroupListW, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineGetGroupListW, .out = lpGroupList}))
        return r.id;
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r))
        err = written(vs_group_list(lpGroupList->dwTotalSize, req_inflate(&r), &data, &len));
    return req_end(&r, err, lpGroupList, data, len);
}

SIM_EXPORT LONG WINAPI lineGetQueueListW(HLINE hLine, LPGUID lpGroupID, LPLINEQUEUELIST lpQueueList)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION3_0);
    if (!rc && !lpGroupID)
        rc = E(LINEERR_INVALPOINTER);
    if (!rc)
        rc = out_struct(lpQueueList, sizeof(LINEQUEUELIST));
    if (!req_start(&r, FN_lineGetQueueListW, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineGetQueueListW, .group = lpGroupID, .out = lpQueueList}))
        return r.id;
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        sim_group *gr = sim_group_find(lpGroupID, NULL);
        err = !gr ? LINEERR_INVALPARAM
                  : written(vs_queue_list(gr, lpQueueList->dwTotalSize, req_inflate(&r), &data, &len));
    }
    return req_end(&r, err, lpQueueList, data, len);
}

SIM_EXPORT LONG WINAPI lineGetQueueInfo(HLINE hLine, DWORD dwQueueID, LPLINEQUEUEINFO lpLineQueueInfo)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION3_0);
    if (!rc)
        rc = out_struct(lpLineQueueInfo, sizeof(LINEQUEUEINFO));
    if (!req_start(&r, FN_lineGetQueueInfo, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineGetQueueInfo, .p = {dwQueueID}, .np = 1, .out = lpLineQueueInfo}))
        return r.id;
    DWORD err = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!req_faulted(&r)) {
        sim_queue *q = sim_queue_find(dwQueueID, NULL);
        err = !q ? LINEERR_INVALPARAM
                 : written(vs_queue_info(q, lpLineQueueInfo->dwTotalSize, req_inflate(&r), &data, &len));
    }
    return req_end(&r, err, lpLineQueueInfo, data, len);
}

/* The window of LINEQUEUEINFO's counts (ns-tapi-linequeueinfo.md); nothing
 * is reset, dwLongestEverWaitTime least of all. */
SIM_EXPORT LONG WINAPI lineSetQueueMeasurementPeriod(HLINE hLine, DWORD dwQueueID, DWORD dwMeasurementPeriod)
{
    req r;
    LONG rc = req_line(&r, hLine, TAPI_VERSION3_0);
    if (!rc && dwMeasurementPeriod == 0)
        rc = E(LINEERR_INVALPARAM);
    if (!req_start(&r, FN_lineSetQueueMeasurementPeriod, rc))
        return r.id;
    if (req_proxy(&r, (sim_proxy_call){.fn = FN_lineSetQueueMeasurementPeriod, .p = {dwQueueID, dwMeasurementPeriod}, .np = 2}))
        return r.id;
    DWORD err = 0;
    if (!req_faulted(&r)) {
        sim_queue *q = sim_queue_find(dwQueueID, NULL);
        if (!q) {
            err = LINEERR_INVALPARAM;
        } else if (q->period_s != dwMeasurementPeriod) {
            q->period_s = dwMeasurementPeriod;
            sim_emit_queue(q, LINEQUEUESTATUS_UPDATEINFO);
        }
    }
    return req_end(&r, err, NULL, NULL, 0);
}
