/*
 * C tests of the TAPI simulator, compiled together with its sources under
 * ASan + UBSan + LSan by tests/c/run.sh, and for Windows (x64 and x86, run
 * under Wine) by tests/c/run_windows.sh. OS-neutral: threads, locks and
 * sleeps go through the simulator's platform layer, the message signal
 * (Handles.hEvent: a pollable fd on POSIX, an event on Windows) through
 * test_os.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "test_os.h"
#include "check.h"

static const GUID G1 = {0x11111111, 0x2222, 0x3333, {1, 2, 3, 4, 5, 6, 7, 8}};
static const GUID G2 = {0x99999999, 0x8888, 0x7777, {8, 7, 6, 5, 4, 3, 2, 1}};
static const GUID GX = {0xDEADBEEF, 0, 0, {0}};

typedef struct ctx {
    HLINEAPP app;
    HLINE line;
    DWORD ndev;
    void *hev; /* Handles.hEvent */
} ctx;

/* every non-reply message seen by wait_reply / drain */
static LINEMESSAGE evlog[8192];
static size_t nev;

static void log_msg(const LINEMESSAGE *m)
{
    if (nev < sizeof evlog / sizeof evlog[0])
        evlog[nev++] = *m;
}

static size_t count_ev(DWORD msgid, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3)
{
    size_t n = 0;
    for (size_t i = 0; i < nev; i++)
        if (evlog[i].dwMessageID == msgid && evlog[i].dwParam1 == p1 && evlog[i].dwParam2 == p2 &&
            evlog[i].dwParam3 == p3)
            n++;
    return n;
}

static void init_app(ctx *c)
{
    LINEINITIALIZEEXPARAMS p;
    memset(&p, 0, sizeof p);
    p.dwTotalSize = sizeof p;
    p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
    DWORD ver = TAPI_VERSION3_1;
    EQ(lineInitializeExW(&c->app, NULL, NULL, u"test", &c->ndev, &ver, &p), 0);
    c->hev = p.Handles.hEvent;
}

static void open_ctx(ctx *c, DWORD version)
{
    init_app(c);
    EQ(lineOpenW(c->app, 0, &c->line, version, 0, 0xCB, LINECALLPRIVILEGE_OWNER, LINEMEDIAMODE_INTERACTIVEVOICE,
                 NULL),
       0);
}

/* Pump messages until the LINE_REPLY of `id`; returns its dwParam2 (or -1). */
static long long wait_reply(HLINEAPP app, LONG id)
{
    LINEMESSAGE m;
    for (int i = 0; i < 100000; i++) {
        if (lineGetMessage(app, &m, 5000) != 0)
            return -1;
        if (m.dwMessageID == LINE_REPLY && m.dwParam1 == (DWORD_PTR)id)
            return (long long)m.dwParam2;
        log_msg(&m);
    }
    return -1;
}

static void drain(HLINEAPP app)
{
    LINEMESSAGE m;
    while (lineGetMessage(app, &m, 0) == 0)
        log_msg(&m);
}

static HAGENT create_agent(ctx *c, LPWSTR id, LPWSTR pin)
{
    HAGENT h = 0;
    LONG r = lineCreateAgentW(c->line, id, pin, &h);
    CHECK(r > 0);
    EQ(wait_reply(c->app, r), 0);
    return h;
}

static HAGENTSESSION create_session(ctx *c, HAGENT a, const GUID *grp)
{
    HAGENTSESSION h = 0;
    GUID gg = *grp;
    LONG r = lineCreateAgentSessionW(c->line, a, NULL, 0, &gg, &h);
    CHECK(r > 0);
    EQ(wait_reply(c->app, r), 0);
    return h;
}

static LINEAGENTSESSIONINFO info(ctx *c, HAGENTSESSION s)
{
    LINEAGENTSESSIONINFO i;
    memset(&i, 0, sizeof i);
    i.dwTotalSize = sizeof i;
    LONG r = lineGetAgentSessionInfo(c->line, s, &i);
    CHECK(r > 0);
    EQ(wait_reply(c->app, r), 0);
    return i;
}

static long long set_state(ctx *c, HAGENTSESSION s, DWORD st, DWORD next)
{
    LONG r = lineSetAgentSessionState(c->line, s, st, next);
    CHECK(r > 0);
    return wait_reply(c->app, r);
}

/* Sleep through the platform layer: a timed wait on a condition nobody
 * signals (it never ends before its deadline). Only where the test needs real
 * time to pass (the real-time model clock), never to let threads "settle". */
static plat_once sleep_once = PLAT_ONCE_INIT;
static plat_mutex sleep_mu;
static plat_cond sleep_cv;

static void sleep_init(void)
{
    plat_mutex_init(&sleep_mu);
    plat_cond_init(&sleep_cv);
}

static void sleep_ms(int ms)
{
    plat_call_once(&sleep_once, sleep_init);
    int64_t deadline = plat_mono_ns() + (int64_t)ms * 1000000;
    plat_mutex_lock(&sleep_mu);
    while (plat_cond_wait_until(&sleep_cv, &sleep_mu, deadline) == 0) {
    }
    plat_mutex_unlock(&sleep_mu);
}

static void fresh(void)
{
    EQ(tapisim_reset(), 0);
    nev = 0;
}

static void base_model(void)
{
    EQ(tapisim_add_agent(u"1001", u"1234"), 0);
    EQ(tapisim_add_agent(u"1002", NULL), 0);
    EQ(tapisim_add_group(&G1, u"Sales"), 0);
    EQ(tapisim_add_group(&G2, u"Support desk"), 0);
    EQ(tapisim_add_queue(&G1, 7, u"Q7"), 0);
    EQ(tapisim_add_queue(&G1, 8, u"Overflow"), 0);
}

/* ---------------------------------------------------------------------------- */

static void test_init_shutdown(void)
{
    fresh();
    LINEINITIALIZEEXPARAMS p;
    memset(&p, 0, sizeof p);
    p.dwTotalSize = sizeof p;
    p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
    HLINEAPP app = 0;
    DWORD n = 0, ver = TAPI_VERSION2_2;
    EQ(lineInitializeExW(NULL, NULL, NULL, NULL, &n, &ver, &p), LE(LINEERR_INVALPOINTER));
    EQ(lineInitializeExW(&app, NULL, NULL, NULL, NULL, &ver, &p), LE(LINEERR_INVALPOINTER));
    EQ(lineInitializeExW(&app, NULL, NULL, NULL, &n, NULL, &p), LE(LINEERR_INVALPOINTER));
    EQ(lineInitializeExW(&app, NULL, NULL, NULL, &n, &ver, NULL), LE(LINEERR_INVALPOINTER));
    p.dwTotalSize = sizeof p - 1;
    EQ(lineInitializeExW(&app, NULL, NULL, NULL, &n, &ver, &p), LE(LINEERR_STRUCTURETOOSMALL));
    p.dwTotalSize = sizeof p;
    ver = TAPI_VERSION2_0; /* CALLHUBTRACKING: only for applications of TAPI 3.0 or later */
    p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT | LINEINITIALIZEEXOPTION_CALLHUBTRACKING;
    EQ(lineInitializeExW(&app, NULL, NULL, NULL, &n, &ver, &p), LE(LINEERR_INVALPARAM));
    p.dwOptions = LINEINITIALIZEEXOPTION_USEHIDDENWINDOW;
    EQ(lineInitializeExW(&app, NULL, NULL, NULL, &n, &ver, &p), LE(LINEERR_INVALPARAM));
    p.dwOptions = LINEINITIALIZEEXOPTION_USECOMPLETIONPORT;
    EQ(lineInitializeExW(&app, NULL, NULL, NULL, &n, &ver, &p), LE(LINEERR_INVALPARAM));
    p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT | LINEINITIALIZEEXOPTION_CALLHUBTRACKING;
    ver = TAPI_VERSION3_0;
    EQ(tapisim_configure_lines(3, 2, TAPI_VERSION3_0), 0);
    EQ(lineInitializeExW(&app, NULL, NULL, NULL, &n, &ver, &p), 0);
    EQ(ver, TAPI_VERSION3_1);
    EQ(n, 3);
    EQ(p.dwUsedSize, sizeof p);
    EQ(p.dwNeededSize, sizeof p);
    int fd = -1;
#ifdef _WIN32
    EQ(tapisim_message_fd(app, &fd), TAPISIM_E_STATE); /* no fd: Handles.hEvent is an event */
    CHECK(p.Handles.hEvent != NULL);
#else
    EQ(tapisim_message_fd(app, &fd), 0);
    EQ(fd, (int)(intptr_t)p.Handles.hEvent);
#endif
    EQ(tapisim_configure_lines(1, 1, TAPI_VERSION3_1), TAPISIM_E_STATE);
    EQ(tapisim_configure_lines(0, 1, TAPI_VERSION3_1), TAPISIM_E_INVAL);

    /* a second app at the same time */
    ctx c2;
    init_app(&c2);
    CHECK(c2.app != app);

    /* negotiate */
    DWORD v = 0;
    LINEEXTENSIONID ext;
    memset(&ext, 0xAB, sizeof ext);
    EQ(lineNegotiateAPIVersion(app + 1, 0, TAPI_VERSION1_0, TAPI_VERSION3_1, &v, &ext), LE(LINEERR_INVALAPPHANDLE));
    EQ(lineNegotiateAPIVersion(app, 3, TAPI_VERSION1_0, TAPI_VERSION3_1, &v, &ext), LE(LINEERR_BADDEVICEID));
    EQ(lineNegotiateAPIVersion(app, 0, TAPI_VERSION1_0, TAPI_VERSION3_1, NULL, &ext), LE(LINEERR_INVALPOINTER));
    EQ(lineNegotiateAPIVersion(app, 0, TAPI_VERSION1_0, TAPI_VERSION3_1, &v, NULL), LE(LINEERR_INVALPOINTER));
    EQ(lineNegotiateAPIVersion(app, 0, TAPI_VERSION2_2, TAPI_VERSION2_0, &v, &ext),
       LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineNegotiateAPIVersion(app, 0, TAPI_VERSION3_1, TAPI_VERSION3_1, &v, &ext),
       LE(LINEERR_INCOMPATIBLEAPIVERSION)); /* device max is 3.0 */
    EQ(lineNegotiateAPIVersion(app, 0, 0x10000, 0x10002, &v, &ext), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineNegotiateAPIVersion(app, 0, TAPI_VERSION1_0, TAPI_VERSION3_1, &v, &ext), 0);
    EQ(v, TAPI_VERSION3_0);
    EQ(ext.dwExtensionID0 | ext.dwExtensionID1 | ext.dwExtensionID2 | ext.dwExtensionID3, 0);
    EQ(lineNegotiateAPIVersion(app, 2, TAPI_VERSION2_0, TAPI_VERSION2_2, &v, &ext), 0);
    EQ(v, TAPI_VERSION2_2);

    /* open */
    HLINE l1 = 0, l2 = 0;
    EQ(lineOpenW(0, 0, &l1, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_NONE, 0, NULL), LE(LINEERR_INVALAPPHANDLE));
    EQ(lineOpenW(app, 3, &l1, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_NONE, 0, NULL), LE(LINEERR_BADDEVICEID));
    EQ(lineOpenW(app, 0, NULL, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_NONE, 0, NULL), LE(LINEERR_INVALPOINTER));
    EQ(lineOpenW(app, 0, &l1, TAPI_VERSION3_1, 0, 0, LINECALLPRIVILEGE_NONE, 0, NULL),
       LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineOpenW(app, 0, &l1, 0x10002, 0, 0, LINECALLPRIVILEGE_NONE, 0, NULL), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineOpenW(app, 0, &l1, TAPI_VERSION2_2, 0, 0, 0, 0, NULL), LE(LINEERR_INVALPRIVSELECT));
    EQ(lineOpenW(app, 0, &l1, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_OWNER | 0x100, 0, NULL),
       LE(LINEERR_INVALPRIVSELECT));
    EQ(lineOpenW(app, 0, &l1, TAPI_VERSION2_2, 1, 0, LINECALLPRIVILEGE_OWNER, LINEMEDIAMODE_INTERACTIVEVOICE, NULL),
       LE(LINEERR_INCOMPATIBLEEXTVERSION));
    EQ(lineOpenW(app, 0, &l1, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_OWNER | LINEOPENOPTION_PROXY,
                 LINEMEDIAMODE_INTERACTIVEVOICE, NULL),
       LE(LINEERR_INVALPOINTER)); /* PROXY needs LINECALLPARAMS listing the request types */
    EQ(lineOpenW(app, 0, &l1, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_OWNER, LINEMEDIAMODE_INTERACTIVEVOICE, NULL), 0);
    EQ(lineOpenW(app, 0, &l2, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_MONITOR, 0, NULL), 0);
    CHECK(l1 != l2 && l1 != 0);
    EQ(lineClose(l1), 0);
    EQ(lineClose(l1), LE(LINEERR_INVALLINEHANDLE));
    EQ(lineClose(0), LE(LINEERR_INVALLINEHANDLE));

    /* lineGetMessage */
    LINEMESSAGE m;
    EQ(lineGetMessage(app, NULL, 0), LE(LINEERR_INVALPOINTER));
    EQ(lineGetMessage(0, &m, 0), LE(LINEERR_INVALAPPHANDLE));
    EQ(lineGetMessage(app, &m, 0), LE(LINEERR_OPERATIONFAILED));
    EQ(lineGetMessage(app, &m, 20), LE(LINEERR_OPERATIONFAILED));

    /* shutdown */
    EQ(lineShutdown(0x12345), LE(LINEERR_INVALAPPHANDLE));
    EQ(lineShutdown(app), 0);
    EQ(lineShutdown(app), LE(LINEERR_INVALAPPHANDLE));
    EQ(lineClose(l2), LE(LINEERR_INVALLINEHANDLE)); /* shutdown closed it */
    EQ(lineGetMessage(app, &m, 0), LE(LINEERR_INVALAPPHANDLE));
    EQ(tapisim_message_fd(app, &fd), TAPISIM_E_NOTFOUND);
    EQ(lineShutdown(c2.app), 0);
    EQ(tapisim_configure_lines(1, 1, TAPI_VERSION3_1), 0);
}

static void test_async_functions(void)
{
    fresh();
    EQ(tapisim_configure_lines(1, 2, TAPI_VERSION3_1), 0);
    base_model();
    ctx c;
    open_ctx(&c, TAPI_VERSION3_1);

    /* lineCreateAgentW */
    HAGENT ha = 0xFEEDu;
    EQ(lineCreateAgentW(0, u"1001", u"1234", &ha), LE(LINEERR_INVALLINEHANDLE));
    EQ(lineCreateAgentW(c.line, u"1001", u"1234", NULL), LE(LINEERR_INVALPOINTER));
    LONG r1 = lineCreateAgentW(c.line, u"1001", u"9999", &ha);
    LONG r2 = lineCreateAgentW(c.line, u"nobody", NULL, &ha);
    LONG r3 = lineCreateAgentW(c.line, u"1001", u"1234", &ha);
    CHECK(r1 > 0 && r2 == r1 + 1 && r3 == r2 + 1);
    EQ(ha, 0xFEEDu); /* written only on delivery */
    /* wrong PIN, unknown ID: INVALPARAM, the code the page lists (tapisim.h) */
    EQ(wait_reply(c.app, r1), LINEERR_INVALPARAM);
    EQ(wait_reply(c.app, r2), LINEERR_INVALPARAM);
    EQ(ha, 0xFEEDu);
    EQ(wait_reply(c.app, r3), 0);
    EQ(ha, 1);
    drain(c.app);
    EQ(count_ev(LINE_AGENTSTATUSEX, ha, LINEAGENTSTATUSEX_NEWAGENT, 0), 1);
    EQ(create_agent(&c, u"1001", u"1234"), ha); /* same ID -> same handle, no new NEWAGENT */
    drain(c.app);
    EQ(count_ev(LINE_AGENTSTATUSEX, ha, LINEAGENTSTATUSEX_NEWAGENT, 0), 1);
    HAGENT hb = create_agent(&c, u"1002", NULL);
    EQ(hb, 2);

    /* lineCreateAgentSessionW */
    HAGENTSESSION hs = 0;
    GUID grp = G1, bad = GX;
    EQ(lineCreateAgentSessionW(c.line, ha, NULL, 0, NULL, &hs), LE(LINEERR_INVALPOINTER));
    EQ(lineCreateAgentSessionW(c.line, ha, NULL, 0, &grp, NULL), LE(LINEERR_INVALPOINTER));
    EQ(wait_reply(c.app, lineCreateAgentSessionW(c.line, 77, NULL, 0, &grp, &hs)), LINEERR_INVALPARAM);
    EQ(wait_reply(c.app, lineCreateAgentSessionW(c.line, ha, NULL, 0, &bad, &hs)), LINEERR_INVALPARAM);
    EQ(wait_reply(c.app, lineCreateAgentSessionW(c.line, ha, NULL, 2, &grp, &hs)), LINEERR_INVALPARAM);
    EQ(wait_reply(c.app, lineCreateAgentSessionW(c.line, ha, u"0000", 0, &grp, &hs)), LINEERR_INVALPARAM);
    EQ(hs, 0);
    LONG r = lineCreateAgentSessionW(c.line, ha, u"1234", 1, &grp, &hs);
    EQ(hs, 0);
    EQ(wait_reply(c.app, r), 0);
    EQ(hs, 1);
    drain(c.app);
    EQ(count_ev(LINE_AGENTSESSIONSTATUS, hs, LINEAGENTSESSIONSTATUS_NEWSESSION, 0), 1);
    for (size_t i = 0; i < nev; i++)
        if (evlog[i].dwMessageID == LINE_AGENTSESSIONSTATUS) {
            EQ(evlog[i].hDevice, c.line);
            EQ(evlog[i].dwCallbackInstance, 0xCB);
        }

    /* lineGetAgentSessionInfo */
    LINEAGENTSESSIONINFO si;
    memset(&si, 0, sizeof si);
    EQ(sizeof si, 76);
    si.dwTotalSize = sizeof si - 1;
    EQ(lineGetAgentSessionInfo(c.line, hs, &si), LE(LINEERR_STRUCTURETOOSMALL));
    EQ(lineGetAgentSessionInfo(c.line, hs, NULL), LE(LINEERR_INVALPOINTER));
    si.dwTotalSize = sizeof si;
    EQ(wait_reply(c.app, lineGetAgentSessionInfo(c.line, 999, &si)), LINEERR_INVALPARAM);
    si = info(&c, hs);
    EQ(si.dwNeededSize, 76);
    EQ(si.dwUsedSize, 76);
    EQ(si.dwAgentSessionState, LINEAGENTSESSIONSTATE_NOTREADY);
    EQ(si.dwNextAgentSessionState, LINEAGENTSESSIONSTATE_READY);
    CHECK(si.dateSessionStartTime == sim_date_from_ms(TAPISIM_DEFAULT_TIME_MS));
    EQ(si.dwSessionDuration, 0);

    /* lineSetAgentSessionState */
    EQ(lineSetAgentSessionState(c.line, hs, 3, 0), LE(LINEERR_INVALAGENTSTATE));
    EQ(lineSetAgentSessionState(c.line, hs, 0x40, 0), LE(LINEERR_INVALAGENTSTATE));
    EQ(lineSetAgentSessionState(c.line, hs, 0, 0x40), LE(LINEERR_INVALAGENTSTATE));
    EQ(set_state(&c, 999, LINEAGENTSESSIONSTATE_READY, 0), LINEERR_INVALPARAM);
    EQ(set_state(&c, hs, LINEAGENTSESSIONSTATE_BUSYONCALL, 0), LINEERR_INVALAGENTSTATE);
    EQ(set_state(&c, hs, LINEAGENTSESSIONSTATE_BUSYWRAPUP, 0), LINEERR_INVALAGENTSTATE);
    EQ(set_state(&c, hs, LINEAGENTSESSIONSTATE_NOTREADY, 0), 0); /* same state: no-op */
    EQ(set_state(&c, hs, 0, LINEAGENTSESSIONSTATE_NOTREADY), 0);
    si = info(&c, hs);
    EQ(si.dwAgentSessionState, LINEAGENTSESSIONSTATE_NOTREADY);
    EQ(si.dwNextAgentSessionState, LINEAGENTSESSIONSTATE_NOTREADY);
    nev = 0;
    EQ(set_state(&c, hs, LINEAGENTSESSIONSTATE_READY, 0), 0);
    drain(c.app);
    EQ(count_ev(LINE_AGENTSESSIONSTATUS, hs, LINEAGENTSESSIONSTATUS_STATE, LINEAGENTSESSIONSTATE_READY), 1);
    EQ(set_state(&c, hs, LINEAGENTSESSIONSTATE_ENDED, 0), 0);
    EQ(set_state(&c, hs, LINEAGENTSESSIONSTATE_READY, 0), LINEERR_INVALAGENTSTATE);
    EQ(set_state(&c, hs, LINEAGENTSESSIONSTATE_RELEASED, 0), 0);
    EQ(set_state(&c, hs, LINEAGENTSESSIONSTATE_ENDED, 0), LINEERR_INVALAGENTSTATE);

    /* lineGetAgentInfo / measurement period / state */
    LINEAGENTINFO ai;
    memset(&ai, 0x5A, sizeof ai);
    ai.dwTotalSize = sizeof ai - 1;
    EQ(lineGetAgentInfo(c.line, ha, &ai), LE(LINEERR_STRUCTURETOOSMALL));
    ai.dwTotalSize = sizeof ai;
    EQ(wait_reply(c.app, lineGetAgentInfo(c.line, 55, &ai)), LINEERR_INVALPARAM);
    EQ(wait_reply(c.app, lineGetAgentInfo(c.line, ha, &ai)), 0);
    EQ(ai.dwUsedSize, sizeof ai);
    EQ(ai.dwAgentState, LINEAGENTSTATEEX_READY);
    EQ(ai.dwNextAgentState, 0);
    EQ(ai.dwMeasurementPeriod, 1800);
    EQ(ai.dwNumberOfACDCalls, 0);
    EQ(lineSetAgentMeasurementPeriod(c.line, ha, 0), LE(LINEERR_INVALPARAM));
    EQ(wait_reply(c.app, lineSetAgentMeasurementPeriod(c.line, 55, 60)), LINEERR_INVALPARAM);
    nev = 0;
    EQ(wait_reply(c.app, lineSetAgentMeasurementPeriod(c.line, ha, 60)), 0);
    drain(c.app);
    EQ(count_ev(LINE_AGENTSTATUSEX, ha, LINEAGENTSTATUSEX_UPDATEINFO, 0), 1);
    EQ(lineSetAgentStateEx(c.line, ha, 3, 0), LE(LINEERR_INVALAGENTSTATE));
    EQ(lineSetAgentStateEx(c.line, ha, 0x80, 0), LE(LINEERR_INVALAGENTSTATE));
    EQ(lineSetAgentStateEx(c.line, ha, 0, 5), LE(LINEERR_INVALAGENTSTATE));
    EQ(wait_reply(c.app, lineSetAgentStateEx(c.line, ha, LINEAGENTSTATEEX_BUSYACD, LINEAGENTSTATEEX_READY)), 0);
    drain(c.app);
    EQ(count_ev(LINE_AGENTSTATUSEX, ha, LINEAGENTSTATUSEX_STATE, LINEAGENTSTATEEX_BUSYACD), 1);
    EQ(wait_reply(c.app, lineGetAgentInfo(c.line, ha, &ai)), 0);
    EQ(ai.dwAgentState, LINEAGENTSTATEEX_BUSYACD);
    EQ(ai.dwNextAgentState, LINEAGENTSTATEEX_READY);
    EQ(ai.dwMeasurementPeriod, 60);

    /* lineGetAgentCapsW */
    unsigned char capsbuf[256];
    LINEAGENTCAPS *caps = (LINEAGENTCAPS *)capsbuf;
    memset(capsbuf, 0xEE, sizeof capsbuf);
    caps->dwTotalSize = sizeof capsbuf;
    EQ(lineGetAgentCapsW(0, 0, 0, TAPI_VERSION2_2, caps), LE(LINEERR_INVALAPPHANDLE));
    EQ(lineGetAgentCapsW(c.app, 1, 0, TAPI_VERSION2_2, caps), LE(LINEERR_BADDEVICEID));
    EQ(lineGetAgentCapsW(c.app, 0, 0, TAPI_VERSION2_2, NULL), LE(LINEERR_INVALPOINTER));
    EQ(lineGetAgentCapsW(c.app, 0, 0, TAPI_VERSION1_4, caps), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineGetAgentCapsW(c.app, 0, 0, 0x00020005, caps), LE(LINEERR_INCOMPATIBLEAPIVERSION)); /* no such version */
    caps->dwTotalSize = sizeof(LINEAGENTCAPS) - 1;
    EQ(lineGetAgentCapsW(c.app, 0, 0, TAPI_VERSION2_2, caps), LE(LINEERR_STRUCTURETOOSMALL));
    caps->dwTotalSize = sizeof capsbuf;
    EQ(wait_reply(c.app, lineGetAgentCapsW(c.app, 0, 5, TAPI_VERSION2_2, caps)), LINEERR_INVALADDRESSID);
    EQ(wait_reply(c.app, lineGetAgentCapsW(c.app, 0, 1, TAPI_VERSION3_0, caps)), 0);
    EQ(caps->dwCapsVersion, TAPI_VERSION3_0);
    EQ(caps->dwUsedSize, caps->dwNeededSize);
    EQ(caps->dwAgentHandlerInfoSize, sizeof(u"pytapi2 simulator"));
    EQ(caps->dwAgentHandlerInfoOffset % 4, 0);
    CHECK(memcmp(capsbuf + caps->dwAgentHandlerInfoOffset, u"pytapi2 simulator", sizeof(u"pytapi2 simulator")) == 0);
    CHECK(caps->ProxyGUID.Data1 != 0);
    EQ(capsbuf[caps->dwUsedSize], 0xEE); /* beyond dwUsedSize untouched */

    /* group / queue lists */
    unsigned char lbuf[512];
    LINEAGENTGROUPLIST *gl = (LINEAGENTGROUPLIST *)lbuf;
    memset(lbuf, 0xEE, sizeof lbuf);
    gl->dwTotalSize = sizeof(LINEAGENTGROUPLIST) - 1;
    EQ(lineGetGroupListW(c.line, gl), LE(LINEERR_STRUCTURETOOSMALL));
    gl->dwTotalSize = sizeof(LINEAGENTGROUPLIST);
    EQ(wait_reply(c.app, lineGetGroupListW(c.line, gl)), 0);
    EQ(gl->dwNumEntries, 0);
    EQ(gl->dwUsedSize, sizeof(LINEAGENTGROUPLIST));
    DWORD need = gl->dwNeededSize;
    EQ(need, 24 + 2 * 24 + 12 + 26); /* "Sales\0"=12, "Support desk\0"=26, contiguous */
    gl->dwTotalSize = need;
    EQ(wait_reply(c.app, lineGetGroupListW(c.line, gl)), 0);
    EQ(gl->dwNumEntries, 2);
    EQ(gl->dwListSize, 48);
    EQ(gl->dwListOffset, 24);
    LINEAGENTGROUPENTRY ge;
    memcpy(&ge, lbuf + 24 + 24, sizeof ge);
    CHECK(memcmp(&ge.GroupID, &G2, 16) == 0);
    EQ(ge.dwNameSize, 26);
    EQ(ge.dwNameOffset % 4, 0);
    CHECK(memcmp(lbuf + ge.dwNameOffset, u"Support desk", 26) == 0);

    LINEQUEUELIST *ql = (LINEQUEUELIST *)lbuf;
    memset(lbuf, 0, sizeof lbuf);
    ql->dwTotalSize = sizeof lbuf;
    EQ(lineGetQueueListW(c.line, &grp, NULL), LE(LINEERR_INVALPOINTER));
    EQ(wait_reply(c.app, lineGetQueueListW(c.line, &bad, ql)), LINEERR_INVALPARAM);
    EQ(wait_reply(c.app, lineGetQueueListW(c.line, &grp, ql)), 0);
    EQ(ql->dwNumEntries, 2);
    LINEQUEUEENTRY qe;
    memcpy(&qe, lbuf + ql->dwListOffset + sizeof qe, sizeof qe);
    EQ(qe.dwQueueID, 8);
    CHECK(memcmp(lbuf + qe.dwNameOffset, u"Overflow", 18) == 0);

    LINEQUEUEINFO qi;
    memset(&qi, 0, sizeof qi);
    qi.dwTotalSize = sizeof qi;
    EQ(wait_reply(c.app, lineGetQueueInfo(c.line, 99, &qi)), LINEERR_INVALPARAM);
    EQ(wait_reply(c.app, lineGetQueueInfo(c.line, 7, &qi)), 0);
    EQ(qi.dwMeasurementPeriod, 1800);
    EQ(lineSetQueueMeasurementPeriod(c.line, 7, 0), LE(LINEERR_INVALPARAM));
    EQ(wait_reply(c.app, lineSetQueueMeasurementPeriod(c.line, 99, 60)), LINEERR_INVALPARAM);
    EQ(wait_reply(c.app, lineSetQueueMeasurementPeriod(c.line, 7, 60)), 0);
    EQ(wait_reply(c.app, lineGetQueueInfo(c.line, 7, &qi)), 0);
    EQ(qi.dwMeasurementPeriod, 60);

    /* API version refusal */
    HLINE l21, l22;
    EQ(lineOpenW(c.app, 0, &l21, TAPI_VERSION2_1, 0, 0, LINECALLPRIVILEGE_OWNER, LINEMEDIAMODE_INTERACTIVEVOICE, NULL), 0);
    EQ(lineOpenW(c.app, 0, &l22, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_OWNER, LINEMEDIAMODE_INTERACTIVEVOICE, NULL), 0);
    EQ(lineCreateAgentW(l21, u"1001", NULL, &ha), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineGetAgentSessionInfo(l21, hs, &si), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineSetAgentSessionState(l21, hs, 0, 0), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineGetGroupListW(l21, gl), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineGetQueueListW(l22, &grp, ql), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineGetQueueInfo(l22, 7, &qi), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineSetQueueMeasurementPeriod(l22, 7, 5), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineShutdown(c.app), 0);
}

static void test_varsize_list(void)
{
    fresh();
    base_model();
    ctx c;
    open_ctx(&c, TAPI_VERSION2_2);
    HAGENT ha = create_agent(&c, u"1002", NULL);
    for (int i = 0; i < 600; i++)
        create_session(&c, ha, i % 2 ? &G1 : &G2);
    DWORD n = 0;
    EQ(tapisim_session_count(&n), 0);
    EQ(n, 600);
    size_t full = sizeof(LINEAGENTSESSIONLIST) + 600 * sizeof(LINEAGENTSESSIONENTRY);
    unsigned char *buf = malloc(full + 64);
    memset(buf, 0xCC, full + 64);
    LINEAGENTSESSIONLIST *l = (LINEAGENTSESSIONLIST *)buf;
    l->dwTotalSize = 100;
    EQ(wait_reply(c.app, lineGetAgentSessionList(c.line, ha, l)), 0);
    EQ(l->dwTotalSize, 100);
    EQ(l->dwNeededSize, full);
    EQ(l->dwUsedSize, sizeof *l);
    EQ(l->dwNumEntries, 0);
    EQ(l->dwListSize, 0);
    EQ(l->dwListOffset, 0);
    EQ(buf[sizeof *l], 0xCC);
    l->dwTotalSize = l->dwNeededSize;
    EQ(wait_reply(c.app, lineGetAgentSessionList(c.line, ha, l)), 0);
    EQ(l->dwUsedSize, full);
    EQ(l->dwNumEntries, 600);
    EQ(l->dwListSize, 600 * 28);
    EQ(l->dwListOffset, 24);
    LINEAGENTSESSIONENTRY e;
    memcpy(&e, buf + 24 + 599 * 28, sizeof e);
    EQ(e.hAgentSession, 600);
    EQ(e.hAgent, ha);
    CHECK(memcmp(&e.GroupID, &G1, 16) == 0);
    EQ(buf[full], 0xCC);
    free(buf);
    EQ(lineShutdown(c.app), 0);
}

static void test_call_life(void)
{
    fresh();
    base_model();
    EQ(tapisim_set_initial_session_state(LINEAGENTSESSIONSTATE_READY, 0), 0);
    EQ(tapisim_set_initial_session_state(LINEAGENTSESSIONSTATE_BUSYONCALL, 0), TAPISIM_E_INVAL);
    ctx c;
    open_ctx(&c, TAPI_VERSION2_2);
    HAGENT ha = create_agent(&c, u"1002", NULL);
    HAGENTSESSION s = create_session(&c, ha, &G1);
    EQ(tapisim_offer_call(999, 0, 0, 0), TAPISIM_E_NOTFOUND);
    EQ(tapisim_offer_call(s, 5000, 60000, 10000), 0);
    EQ(tapisim_offer_call(s, 5000, 60000, 10000), TAPISIM_E_STATE); /* reserved */
    EQ(info(&c, s).dwAgentSessionState, LINEAGENTSESSIONSTATE_READY);
    nev = 0;
    EQ(tapisim_advance(4999), 0);
    EQ(info(&c, s).dwAgentSessionState, LINEAGENTSESSIONSTATE_READY);
    EQ(tapisim_advance(1), 0);
    EQ(info(&c, s).dwAgentSessionState, LINEAGENTSESSIONSTATE_BUSYONCALL);
    EQ(tapisim_advance(60000), 0);
    LINEAGENTSESSIONINFO i = info(&c, s);
    EQ(i.dwAgentSessionState, LINEAGENTSESSIONSTATE_BUSYWRAPUP);
    EQ(i.dwNumberOfCalls, 1); /* a call counts from its answer */
    EQ(i.dwTotalTalkTime, 60);
    EQ(i.dwTotalWrapUpTime, 0);
    EQ(tapisim_advance(10000), 0);
    i = info(&c, s);
    EQ(i.dwAgentSessionState, LINEAGENTSESSIONSTATE_READY);
    EQ(i.dwSessionDuration, 75);
    EQ(i.dwNumberOfCalls, 1);
    EQ(i.dwTotalTalkTime, 60);
    EQ(i.dwAverageTalkTime, 60);
    EQ(i.dwTotalWrapUpTime, 10);
    EQ(i.dwAverageWrapUpTime, 10);
    EQ(i.dwTotalCallTime, 70);
    EQ(i.dwAverageCallTime, 70);
    EQ(i.cyACDCallRate, 480000); /* 1 call in 75 s = 48 calls/hour */
    EQ(i.dwLongestTimeToAnswer, 5);
    EQ(i.dwAverageTimeToAnswer, 5);
    drain(c.app);
    /* events in order */
    DWORD_PTR expect[][3] = {
        {LINE_AGENTSESSIONSTATUS, LINEAGENTSESSIONSTATUS_STATE, LINEAGENTSESSIONSTATE_BUSYONCALL},
        {LINE_AGENTSESSIONSTATUS, LINEAGENTSESSIONSTATUS_STATE, LINEAGENTSESSIONSTATE_BUSYWRAPUP},
        {LINE_AGENTSESSIONSTATUS, LINEAGENTSESSIONSTATUS_UPDATEINFO, 0},
        {LINE_AGENTSTATUSEX, LINEAGENTSTATUSEX_UPDATEINFO, 0},
        {LINE_AGENTSESSIONSTATUS, LINEAGENTSESSIONSTATUS_STATE, LINEAGENTSESSIONSTATE_READY},
    };
    EQ(nev, 5);
    for (size_t k = 0; k < 5 && k < nev; k++) {
        EQ(evlog[k].dwMessageID, expect[k][0]);
        EQ(evlog[k].dwParam2, expect[k][1]);
        EQ(evlog[k].dwParam3, expect[k][2]);
    }
    LINEAGENTINFO ai;
    memset(&ai, 0, sizeof ai);
    ai.dwTotalSize = sizeof ai;
    EQ(wait_reply(c.app, lineGetAgentInfo(c.line, ha, &ai)), 0);
    EQ(ai.dwNumberOfACDCalls, 1);
    EQ(ai.dwTotalACDTalkTime, 60);
    EQ(ai.dwTotalACDWrapUpTime, 10);
    EQ(ai.dwTotalACDCallTime, 70);
    EQ(ai.cyOverallCallRate, 480000);

    /* forced off a call: talk so far, no wrap-up */
    EQ(tapisim_offer_call(s, 1000, 60000, 10000), 0);
    EQ(tapisim_advance(21000), 0);
    EQ(set_state(&c, s, LINEAGENTSESSIONSTATE_NOTREADY, 0), 0);
    i = info(&c, s);
    EQ(i.dwAgentSessionState, LINEAGENTSESSIONSTATE_NOTREADY);
    EQ(i.dwNumberOfCalls, 2);
    EQ(i.dwTotalTalkTime, 80);
    EQ(i.dwTotalWrapUpTime, 10);
    EQ(i.dwAverageTimeToAnswer, 3);
    EQ(tapisim_advance(100000), 0); /* the stale phase events do nothing */
    EQ(info(&c, s).dwNumberOfCalls, 2);

    /* lost call: leaves READY while ringing */
    EQ(set_state(&c, s, LINEAGENTSESSIONSTATE_READY, LINEAGENTSESSIONSTATE_NOTREADY), 0);
    EQ(tapisim_offer_call(s, 5000, 1000, 1000), 0);
    EQ(tapisim_advance(1000), 0);
    EQ(tapisim_set_session_state(s, LINEAGENTSESSIONSTATE_NOTREADY, LINEAGENTSESSIONSTATE_NOTREADY), 0);
    EQ(tapisim_advance(10000), 0);
    i = info(&c, s);
    EQ(i.dwNumberOfCalls, 2);
    EQ(i.dwAgentSessionState, LINEAGENTSESSIONSTATE_NOTREADY);
    EQ(tapisim_set_session_state(s, LINEAGENTSESSIONSTATE_BUSYONCALL, 0), TAPISIM_E_STATE);

    /* next state applied at completion; early wrap-up exit */
    EQ(tapisim_set_session_state(s, LINEAGENTSESSIONSTATE_READY, LINEAGENTSESSIONSTATE_NOTREADY), 0);
    EQ(tapisim_offer_call(s, 0, 2000, 5000), 0);
    EQ(info(&c, s).dwAgentSessionState, LINEAGENTSESSIONSTATE_BUSYONCALL);
    EQ(tapisim_advance(7000), 0);
    EQ(info(&c, s).dwAgentSessionState, LINEAGENTSESSIONSTATE_NOTREADY);
    EQ(tapisim_set_session_state(s, LINEAGENTSESSIONSTATE_READY, 0), 0);
    EQ(tapisim_offer_call(s, 0, 2000, 5000), 0);
    EQ(tapisim_advance(3500), 0);
    EQ(set_state(&c, s, LINEAGENTSESSIONSTATE_READY, 0), 0); /* wrap-up cut at 1.5 s */
    i = info(&c, s);
    EQ(i.dwNumberOfCalls, 4);
    EQ(i.dwTotalTalkTime, 84);
    EQ(i.dwTotalWrapUpTime, 16); /* 10 + 5 + 1.5 = 16.5 -> 16 */

    /* scheduled change, ENDED freezes the duration, RELEASED */
    int64_t now;
    EQ(tapisim_get_time(&now), 0);
    EQ(tapisim_schedule_session_state(s, now - 1, LINEAGENTSESSIONSTATE_ENDED, 0), TAPISIM_E_INVAL);
    EQ(tapisim_schedule_session_state(s, now + 1000, LINEAGENTSESSIONSTATE_ENDED, 0), 0);
    EQ(tapisim_advance(999), 0);
    EQ(info(&c, s).dwAgentSessionState, LINEAGENTSESSIONSTATE_READY);
    EQ(tapisim_advance(1), 0);
    i = info(&c, s);
    EQ(i.dwAgentSessionState, LINEAGENTSESSIONSTATE_ENDED);
    DWORD dur = i.dwSessionDuration;
    EQ(tapisim_advance(3600000), 0);
    EQ(info(&c, s).dwSessionDuration, dur);
    EQ(tapisim_set_session_state(s, LINEAGENTSESSIONSTATE_RELEASED, 0), 0);
    EQ(tapisim_advance(3600000), 0);
    EQ(info(&c, s).dwSessionDuration, dur);
    EQ(tapisim_set_session_state(s, LINEAGENTSESSIONSTATE_READY, 0), TAPISIM_E_STATE);
    EQ(tapisim_set_session_state(s, 3, 0), TAPISIM_E_INVAL);
    EQ(lineShutdown(c.app), 0);
}

static void test_date_and_clock(void)
{
    fresh();
    CHECK(sim_date_from_ms(-2209161600000LL) == 0.0);                          /* 1899-12-30 */
    CHECK(sim_date_from_ms(-2209161600000LL + 2 * 86400000LL + 43200000) == 2.5); /* 1900-01-01 12:00 */
    CHECK(sim_date_from_ms(-2209161600000LL - 18 * 3600000LL) == -1.25);       /* 1899-12-29 06:00 */
    CHECK(sim_date_from_ms(0) == 25569.0);
    int64_t t;
    EQ(tapisim_set_time(-2209161600000LL), 0);
    EQ(tapisim_get_time(&t), 0);
    EQ(t, -2209161600000LL);
    EQ(tapisim_advance(-1), TAPISIM_E_INVAL);
    EQ(tapisim_set_clock(7, 1.0), TAPISIM_E_INVAL);
    EQ(tapisim_set_clock(TAPISIM_CLOCK_REAL, 0.0), TAPISIM_E_INVAL);
    EQ(tapisim_set_clock(TAPISIM_CLOCK_REAL, 1000.0), 0);
    EQ(tapisim_set_time(0), TAPISIM_E_STATE);
    sleep_ms(20);
    EQ(tapisim_get_time(&t), 0);
    CHECK(t > -2209161600000LL); /* moved by itself */
    EQ(tapisim_set_clock(TAPISIM_CLOCK_VIRTUAL, 0), 0);
    int64_t t2;
    EQ(tapisim_get_time(&t2), 0);
    sleep_ms(20);
    EQ(tapisim_get_time(&t), 0);
    EQ(t, t2);
}

static LONG session_info_req(ctx *c, HAGENTSESSION s, LINEAGENTSESSIONINFO *i)
{
    memset(i, 0x77, sizeof *i);
    i->dwTotalSize = sizeof *i;
    return lineGetAgentSessionInfo(c->line, s, i);
}

static void test_faults(void)
{
    fresh();
    base_model();
    ctx c;
    open_ctx(&c, TAPI_VERSION3_0);
    HAGENT ha = create_agent(&c, u"1002", NULL);
    HAGENTSESSION s = create_session(&c, ha, &G1);
    LINEAGENTSESSIONINFO i, j;
    DWORD pend;
    LINEMESSAGE m;

    EQ(tapisim_inject_fault("lineNope", TAPISIM_FAULT_ERROR, 1, LINEERR_NOMEM, 0), TAPISIM_E_NOTFOUND);
    EQ(tapisim_inject_fault("lineSetAgentSessionState", TAPISIM_FAULT_INFLATE_NEEDED, 1, 0, 8), TAPISIM_E_INVAL);
    EQ(tapisim_inject_fault("lineOpenW", TAPISIM_FAULT_DROP_REPLY, 1, 0, 0), TAPISIM_E_INVAL);
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", 9, 1, 0, 0), TAPISIM_E_INVAL);

    /* ERROR: sync return, applies only after validation passes */
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_ERROR, 2, LINEERR_RESOURCEUNAVAIL, 0), 0);
    EQ(lineGetAgentSessionInfo(c.line, s, NULL), LE(LINEERR_INVALPOINTER)); /* not consumed */
    EQ(session_info_req(&c, s, &i), LE(LINEERR_RESOURCEUNAVAIL));
    EQ(session_info_req(&c, s, &i), LE(LINEERR_RESOURCEUNAVAIL));
    CHECK(session_info_req(&c, s, &i) > 0);
    drain(c.app);
    EQ(tapisim_inject_fault("lineOpenW", TAPISIM_FAULT_ERROR, 1, LINEERR_NODRIVER, 0), 0);
    HLINE lx;
    EQ(lineOpenW(c.app, 0, &lx, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_NONE, 0, NULL), LE(LINEERR_NODRIVER));

    /* REPLY_ERROR: no effect, output untouched */
    EQ(tapisim_inject_fault("lineSetAgentSessionState", TAPISIM_FAULT_REPLY_ERROR, 1, LINEERR_OPERATIONFAILED, 0), 0);
    EQ(set_state(&c, s, LINEAGENTSESSIONSTATE_READY, 0), LINEERR_OPERATIONFAILED);
    EQ(info(&c, s).dwAgentSessionState, LINEAGENTSESSIONSTATE_NOTREADY);
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_REPLY_ERROR, 1, LINEERR_OPERATIONFAILED, 0), 0);
    LONG r = session_info_req(&c, s, &i);
    EQ(wait_reply(c.app, r), LINEERR_OPERATIONFAILED);
    EQ(i.dwNeededSize, 0x77777777);

    /* DELAY */
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_DELAY_REPLY, 1, 0, 60), 0);
    r = session_info_req(&c, s, &i);
    EQ(lineGetMessage(c.app, &m, 0), LE(LINEERR_OPERATIONFAILED));
    EQ(tapisim_pending_replies(c.app, &pend), 0);
    EQ(pend, 1);
    EQ(test_signal_wait(c.hev, 0), 0);
    EQ(test_signal_wait(c.hev, 5000), 1); /* the timer thread signals it */
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, r);
    EQ(i.dwUsedSize, 76);
    EQ(test_signal_wait(c.hev, 0), 0);

    /* DROP: effect happens, no reply, output untouched, not pending */
    EQ(tapisim_inject_fault("lineSetAgentSessionState", TAPISIM_FAULT_DROP_REPLY, 1, 0, 0), 0);
    CHECK(lineSetAgentSessionState(c.line, s, LINEAGENTSESSIONSTATE_READY, 0) > 0);
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_DROP_REPLY, 1, 0, 0), 0);
    CHECK(session_info_req(&c, s, &i) > 0);
    EQ(tapisim_pending_replies(c.app, &pend), 0);
    EQ(pend, 0);
    nev = 0;
    drain(c.app);
    EQ(nev, 1); /* just the STATE event */
    EQ(count_ev(LINE_AGENTSESSIONSTATUS, s, LINEAGENTSESSIONSTATUS_STATE, LINEAGENTSESSIONSTATE_READY), 1);
    EQ(i.dwTotalSize, 76);
    EQ(i.dwNeededSize, 0x77777777);

    /* REORDER */
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_REORDER_REPLY, 1, 0, 0), 0);
    LONG ra = session_info_req(&c, s, &i);
    LONG rb = session_info_req(&c, s, &j);
    EQ(lineGetMessage(c.app, &m, 1000), 0);
    EQ(m.dwParam1, rb);
    EQ(lineGetMessage(c.app, &m, 1000), 0);
    EQ(m.dwParam1, ra);
    EQ(i.dwUsedSize, 76);
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_REORDER_REPLY, 1, 0, 0), 0);
    ra = session_info_req(&c, s, &i); /* alone: delivered after the fallback delay */
    EQ(lineGetMessage(c.app, &m, 0), LE(LINEERR_OPERATIONFAILED));
    EQ(lineGetMessage(c.app, &m, 5000), 0);
    EQ(m.dwParam1, ra);

    /* INFLATE_NEEDED */
    unsigned char buf[256];
    LINEAGENTSESSIONLIST *l = (LINEAGENTSESSIONLIST *)buf;
    memset(buf, 0, sizeof buf);
    l->dwTotalSize = 24 + 28;
    EQ(tapisim_inject_fault("lineGetAgentSessionList", TAPISIM_FAULT_INFLATE_NEEDED, 1, 0, 100), 0);
    EQ(wait_reply(c.app, lineGetAgentSessionList(c.line, ha, l)), 0);
    EQ(l->dwNeededSize, 24 + 28 + 100);
    EQ(l->dwUsedSize, 24);
    EQ(l->dwNumEntries, 0);
    l->dwTotalSize = l->dwNeededSize;
    EQ(wait_reply(c.app, lineGetAgentSessionList(c.line, ha, l)), 0);
    EQ(l->dwNeededSize, 24 + 28);
    EQ(l->dwUsedSize, 24 + 28);
    EQ(l->dwNumEntries, 1);
    EQ(tapisim_clear_faults(), 0);

    /* lineClose suppresses outstanding replies */
    EQ(tapisim_set_reply_latency(30000), 0);
    HLINE l2;
    EQ(lineOpenW(c.app, 0, &l2, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_OWNER, LINEMEDIAMODE_INTERACTIVEVOICE, NULL), 0);
    memset(&i, 0x77, sizeof i);
    i.dwTotalSize = sizeof i;
    CHECK(lineGetAgentSessionInfo(l2, s, &i) > 0);
    EQ(tapisim_pending_replies(c.app, &pend), 0);
    EQ(pend, 1);
    EQ(lineClose(l2), 0);
    EQ(tapisim_pending_replies(c.app, &pend), 0);
    EQ(pend, 0);
    EQ(lineGetMessage(c.app, &m, 100), LE(LINEERR_OPERATIONFAILED));
    EQ(i.dwNeededSize, 0x77777777);

    /* pipelined latency */
    LINEAGENTSESSIONINFO many[20];
    LONG ids[20];
    for (int k = 0; k < 20; k++)
        ids[k] = session_info_req(&c, s, &many[k]);
    for (int k = 0; k < 20; k++) {
        EQ(lineGetMessage(c.app, &m, 5000), 0);
        EQ(m.dwParam1, ids[k]);
        EQ(many[k].dwUsedSize, 76);
    }
    EQ(tapisim_set_reply_latency(0), 0);

    /* post_message, LINE_CLOSE */
    EQ(tapisim_post_message(c.app, 5, LINE_REPLY, 0x7777, 0, 0), 0);
    EQ(tapisim_post_message(0, 5, LINE_REPLY, 0x7777, 0, 0), TAPISIM_E_NOTFOUND);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwMessageID, LINE_REPLY);
    EQ(m.dwParam1, 0x7777);
    EQ(tapisim_set_reply_latency(50000), 0);
    CHECK(session_info_req(&c, s, &i) > 0);
    EQ(tapisim_close_line(1), TAPISIM_E_NOTFOUND);
    EQ(tapisim_close_line(0), 0);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwMessageID, LINE_CLOSE);
    EQ(m.hDevice, c.line);
    EQ(m.dwCallbackInstance, 0xCB);
    EQ(tapisim_pending_replies(c.app, &pend), 0);
    EQ(pend, 0);
    EQ(lineClose(c.line), LE(LINEERR_INVALLINEHANDLE));
    EQ(lineOpenW(c.app, 0, &c.line, TAPI_VERSION2_2, 0, 0, LINECALLPRIVILEGE_OWNER, LINEMEDIAMODE_INTERACTIVEVOICE, NULL), 0);
    EQ(lineShutdown(c.app), 0);
}

/* The held list: a delivered reply releases exactly the held replies requested
 * before it; held replies leave the list when taken after the fallback delay or
 * suppressed by lineClose; draining many queued replies stays correct. */
static void test_held_list(void)
{
    fresh();
    base_model();
    ctx c;
    open_ctx(&c, TAPI_VERSION3_0);
    HAGENT ha = create_agent(&c, u"1002", NULL);
    HAGENTSESSION s = create_session(&c, ha, &G1);
    static LINEAGENTSESSIONINFO b[4];
    LINEMESSAGE m;
    DWORD pend;
    drain(c.app);

    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_REORDER_REPLY, 2, 0, 0), 0);
    LONG ra = session_info_req(&c, s, &b[0]); /* held */
    LONG rb = session_info_req(&c, s, &b[1]); /* held */
    LONG rc = session_info_req(&c, s, &b[2]);
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_REORDER_REPLY, 1, 0, 0), 0);
    LONG rd = session_info_req(&c, s, &b[3]); /* held, requested after rc */
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, rc);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, ra);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, rb);
    EQ(b[1].dwUsedSize, 76);
    EQ(lineGetMessage(c.app, &m, 0), LE(LINEERR_OPERATIONFAILED)); /* rd still held */
    EQ(lineGetMessage(c.app, &m, 5000), 0);                        /* fallback */
    EQ(m.dwParam1, rd);
    EQ(tapisim_pending_replies(c.app, &pend), 0);
    EQ(pend, 0);

    /* a reply delivered after the fallback does not release a later-held one */
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_REORDER_REPLY, 1, 0, 0), 0);
    ra = session_info_req(&c, s, &b[0]);
    EQ(lineGetMessage(c.app, &m, 5000), 0);
    EQ(m.dwParam1, ra);
    rb = session_info_req(&c, s, &b[1]);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, rb);

    /* held replies suppressed by the line closing leave the held list */
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_REORDER_REPLY, 2, 0, 0), 0);
    CHECK(session_info_req(&c, s, &b[0]) > 0);
    CHECK(session_info_req(&c, s, &b[1]) > 0);
    EQ(lineClose(c.line), 0);
    EQ(tapisim_pending_replies(c.app, &pend), 0);
    EQ(pend, 0);
    EQ(lineOpenW(c.app, 0, &c.line, TAPI_VERSION3_0, 0, 0xCB, LINECALLPRIVILEGE_OWNER,
                 LINEMEDIAMODE_INTERACTIVEVOICE, NULL),
       0);
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_REORDER_REPLY, 1, 0, 0), 0);
    ra = session_info_req(&c, s, &b[0]);
    rb = session_info_req(&c, s, &b[1]);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, rb);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, ra);

    /* many queued replies, every fourth held: all delivered, each once */
    enum { N = 4000 };
    static LINEAGENTSESSIONINFO many[N];
    static LONG ids[N];
    for (int k = 0; k < N; k++) {
        if (k % 4 == 0)
            EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_REORDER_REPLY, 1, 0, 0), 0);
        ids[k] = session_info_req(&c, s, &many[k]);
    }
    int got = 0;
    while (got < N && lineGetMessage(c.app, &m, 5000) == 0) {
        if (m.dwMessageID != LINE_REPLY)
            continue;
        int k = 0;
        while (k < N && ids[k] != (LONG)m.dwParam1)
            k++;
        CHECK(k < N);
        if (k < N) {
            EQ(many[k].dwUsedSize, 76);
            ids[k] = 0;
        }
        got++;
    }
    EQ(got, N);
    EQ(tapisim_pending_replies(c.app, &pend), 0);
    EQ(pend, 0);
    EQ(lineShutdown(c.app), 0);
}

/* ---- threads ----------------------------------------------------------------- */

typedef struct blocked {
    HLINEAPP app;
    LONG rc;
} blocked;

static void blocked_get(void *arg)
{
    blocked *b = arg;
    LINEMESSAGE m;
    b->rc = lineGetMessage(b->app, &m, INFINITE);
}

static void test_shutdown_wakes(void)
{
    fresh();
    ctx c;
    init_app(&c);
    blocked b = {c.app, 12345};
    plat_thread t;
    EQ(plat_thread_start(&t, blocked_get, &b), 0);
    sleep_ms(50);
    EQ(lineShutdown(c.app), 0);
    plat_thread_join(&t);
    EQ(b.rc, LE(LINEERR_INVALAPPHANDLE));
}

#define READERS 4
#define PER_READER 300

static ctx cc;
static HAGENTSESSION cs;
static LINEAGENTSESSIONINFO cbufs[READERS][PER_READER];
static volatile int readers_done;
static plat_mutex cmu;

static void reader(void *arg)
{
    int t = (int)(intptr_t)arg;
    for (int k = 0; k < PER_READER; k++) {
        cbufs[t][k].dwTotalSize = sizeof cbufs[t][k];
        LONG r = lineGetAgentSessionInfo(cc.line, cs, &cbufs[t][k]);
        CHECK(r > 0);
    }
    plat_mutex_lock(&cmu);
    readers_done++;
    plat_mutex_unlock(&cmu);
}

static void clocker(void *arg)
{
    (void)arg;
    for (int k = 0; k < 400; k++) {
        (void)tapisim_offer_call(cs, 1000, 3000, 2000);
        tapisim_advance(1000);
    }
}

static void test_concurrency(void)
{
    fresh();
    base_model();
    EQ(tapisim_set_initial_session_state(LINEAGENTSESSIONSTATE_READY, 0), 0);
    open_ctx(&cc, TAPI_VERSION2_2);
    HAGENT ha = create_agent(&cc, u"1002", NULL);
    cs = create_session(&cc, ha, &G1);
    readers_done = 0;
    plat_mutex_init(&cmu);
    plat_thread th[READERS + 1];
    for (int t = 0; t < READERS; t++)
        EQ(plat_thread_start(&th[t], reader, (void *)(intptr_t)t), 0);
    EQ(plat_thread_start(&th[READERS], clocker, NULL), 0);
    int replies = 0;
    LINEMESSAGE m;
    while (replies < READERS * PER_READER) {
        LONG rc = lineGetMessage(cc.app, &m, 5000);
        if (rc != 0)
            break;
        if (m.dwMessageID == LINE_REPLY) {
            EQ(m.dwParam2, 0);
            replies++;
        }
    }
    EQ(replies, READERS * PER_READER);
    for (int t = 0; t <= READERS; t++)
        plat_thread_join(&th[t]);
    for (int t = 0; t < READERS; t++)
        for (int k = 0; k < PER_READER; k++) {
            LINEAGENTSESSIONINFO *i = &cbufs[t][k];
            /* a call counts from its answer: the one in progress has 0..3 s of talk */
            DWORD n = i->dwNumberOfCalls;
            if (i->dwUsedSize != 76 || i->dwTotalCallTime != i->dwTotalTalkTime + i->dwTotalWrapUpTime ||
                i->dwTotalTalkTime > 3 * n || (n && i->dwTotalTalkTime < 3 * (n - 1))) {
                CHECK(!"inconsistent snapshot");
                t = READERS;
                break;
            }
        }
    EQ(lineShutdown(cc.app), 0);
}

/* ---- traffic ------------------------------------------------------------------ */

static void traffic_run(DWORD out[6])
{
    fresh();
    base_model();
    EQ(tapisim_set_initial_session_state(LINEAGENTSESSIONSTATE_READY, 0), 0);
    ctx c;
    open_ctx(&c, TAPI_VERSION3_0);
    HAGENT ha = create_agent(&c, u"1002", NULL);
    HAGENTSESSION s1 = create_session(&c, ha, &G1);
    HAGENTSESSION s2 = create_session(&c, ha, &G1);
    tapisim_traffic t = {120.0, 60.0, 10.0, 5.0, 90.0, 42};
    EQ(wait_reply(c.app, lineSetQueueMeasurementPeriod(c.line, 7, 7200)), 0); /* the whole run */
    EQ(tapisim_set_group_traffic(&GX, &t), TAPISIM_E_NOTFOUND);
    tapisim_traffic badt = t;
    badt.calls_per_hour = -1;
    EQ(tapisim_set_group_traffic(&G1, &badt), TAPISIM_E_INVAL);
    EQ(tapisim_set_group_traffic(&G1, &t), 0);
    for (int k = 0; k < 36; k++) {
        EQ(tapisim_advance(100000), 0);
        drain(c.app);
    }
    LINEQUEUEINFO q;
    memset(&q, 0, sizeof q);
    q.dwTotalSize = sizeof q;
    EQ(wait_reply(c.app, lineGetQueueInfo(c.line, 7, &q)), 0);
    LINEAGENTSESSIONINFO a = info(&c, s1), b = info(&c, s2);
    out[0] = q.dwTotalCallsQueued;
    out[1] = q.dwTotalCallsAbandoned;
    out[2] = a.dwNumberOfCalls + b.dwNumberOfCalls;
    out[3] = a.dwTotalTalkTime + b.dwTotalTalkTime;
    out[4] = q.dwLongestEverWaitTime;
    out[5] = q.dwCurrentCallsQueued;
    CHECK(q.dwTotalCallsQueued > 50 && q.dwTotalCallsQueued < 200); /* ~120/hour over an hour */
    CHECK(out[2] > 0);
    CHECK(out[2] + q.dwTotalCallsAbandoned <= q.dwTotalCallsQueued);
    EQ(lineShutdown(c.app), 0);
}

static void test_traffic(void)
{
    DWORD a[6], b[6];
    traffic_run(a);
    traffic_run(b);
    for (int k = 0; k < 6; k++)
        EQ(a[k], b[k]);
}

static void test_real_clock_timer(void)
{
    fresh();
    base_model();
    EQ(tapisim_set_initial_session_state(LINEAGENTSESSIONSTATE_READY, 0), 0);
    ctx c;
    open_ctx(&c, TAPI_VERSION2_2);
    HAGENT ha = create_agent(&c, u"1002", NULL);
    HAGENTSESSION s = create_session(&c, ha, &G1);
    drain(c.app);
    EQ(tapisim_set_clock(TAPISIM_CLOCK_REAL, 100.0), 0);
    EQ(tapisim_offer_call(s, 1000, 1000, 0), 0); /* ~20 ms of real time */
    EQ(test_signal_wait(c.hev, 5000), 1); /* nobody called in: the timer thread did it */
    nev = 0;
    LINEMESSAGE m;
    while (count_ev(LINE_AGENTSESSIONSTATUS, s, LINEAGENTSESSIONSTATUS_UPDATEINFO, 0) == 0 &&
           lineGetMessage(c.app, &m, 5000) == 0)
        log_msg(&m);
    EQ(count_ev(LINE_AGENTSESSIONSTATUS, s, LINEAGENTSESSIONSTATUS_UPDATEINFO, 0), 1);
    EQ(lineShutdown(c.app), 0);
}

static void test_reset(void)
{
    fresh();
    base_model();
    ctx c;
    open_ctx(&c, TAPI_VERSION2_2);
    HAGENT ha = create_agent(&c, u"1002", NULL);
    create_session(&c, ha, &G1);
    EQ(tapisim_set_reply_latency(1000000), 0);
    LINEAGENTSESSIONINFO i;
    i.dwTotalSize = sizeof i;
    CHECK(lineGetAgentSessionInfo(c.line, 1, &i) > 0);
    EQ(tapisim_inject_fault("lineClose", TAPISIM_FAULT_ERROR, 5, LINEERR_NOMEM, 0), 0);
    EQ(tapisim_set_clock(TAPISIM_CLOCK_REAL, 2.0), 0);
    EQ(tapisim_reset(), 0);
    DWORD n = 99;
    EQ(tapisim_session_count(&n), 0);
    EQ(n, 0);
    LINEMESSAGE m;
    EQ(lineGetMessage(c.app, &m, 0), LE(LINEERR_INVALAPPHANDLE));
    EQ(lineClose(c.line), LE(LINEERR_UNINITIALIZED)); /* no app registered any more */
    int64_t t;
    EQ(tapisim_get_time(&t), 0);
    EQ(t, TAPISIM_DEFAULT_TIME_MS);
    EQ(tapisim_add_agent(u"1002", NULL), 0); /* the old one is gone */
    EQ(tapisim_abi_version(), TAPISIM_ABI_VERSION);
    ctx c2;
    open_ctx(&c2, TAPI_VERSION2_2);
    CHECK(c2.app != c.app); /* handles from before the reset stay invalid */
    EQ(lineClose(c2.line), 0);
    EQ(tapisim_reset(), 0);
}

/* ---- the platform layer ------------------------------------------------------ */

static plat_mutex pmu;
static plat_cond pcv;
static int pflag;
static plat_once once1 = PLAT_ONCE_INIT;
static atomic_int once_runs;

static void waker(void *arg)
{
    (void)arg;
    plat_mutex_lock(&pmu);
    pflag = 1;
    plat_cond_broadcast(&pcv);
    plat_mutex_unlock(&pmu);
}

static void once_fn(void)
{
    once_runs++;
}

static void once_thread(void *arg)
{
    (void)arg;
    plat_call_once(&once1, once_fn);
}

static void test_platform(void)
{
    plat_mutex_init(&pmu);
    plat_cond_init(&pcv);
    int64_t t0 = plat_mono_ns();
    CHECK(plat_mono_ns() >= t0);
    CHECK(plat_wall_ms() > INT64_C(1577836800000)); /* after 2020-01-01: a Unix-epoch wall clock */

    plat_mutex_lock(&pmu);
    /* A timed wait that nobody signals ends with "timed out" (1), and never
     * before its deadline by the monotonic clock (0 = woken: spurious here). */
    for (int k = 1; k <= 4; k++) {
        int64_t deadline = plat_mono_ns() + (int64_t)k * 7000000; /* 7..28 ms */
        int rc;
        while ((rc = plat_cond_wait_until(&pcv, &pmu, deadline)) == 0) {
        }
        EQ(rc, 1);
        CHECK(plat_mono_ns() >= deadline);
    }
    /* a deadline already passed: at once */
    EQ(plat_cond_wait_until(&pcv, &pmu, plat_mono_ns() - 1), 1);
    EQ(plat_cond_wait_until(&pcv, &pmu, 0), 1);
    /* a broadcast ends an untimed wait (deadline < 0) */
    pflag = 0;
    plat_thread th;
    EQ(plat_thread_start(&th, waker, NULL), 0);
    while (!pflag)
        EQ(plat_cond_wait_until(&pcv, &pmu, -1), 0);
    /* ... and a timed one, long before its deadline */
    pflag = 0;
    plat_thread th2;
    EQ(plat_thread_start(&th2, waker, NULL), 0);
    int64_t far = plat_mono_ns() + INT64_C(60000000000); /* 60 s */
    while (!pflag)
        EQ(plat_cond_wait_until(&pcv, &pmu, far), 0);
    plat_mutex_unlock(&pmu);
    plat_thread_join(&th);
    plat_thread_join(&th2);

    /* once: exactly one run, whatever thread comes first */
    plat_thread ot[4];
    for (int k = 0; k < 4; k++)
        EQ(plat_thread_start(&ot[k], once_thread, NULL), 0);
    plat_call_once(&once1, once_fn);
    for (int k = 0; k < 4; k++)
        plat_thread_join(&ot[k]);
    plat_call_once(&once1, once_fn);
    EQ(atomic_load(&once_runs), 1);
}

/* ---- the message signal (Handles.hEvent) ---------------------------------------- */

typedef struct poster {
    HLINEAPP app;
    int rc;
} poster;

static void post_later(void *arg)
{
    poster *p = arg;
    p->rc = tapisim_post_message(p->app, 1, LINE_AGENTSTATUSEX, 5, 6, 7);
}

static void test_message_signal(void)
{
    fresh();
    base_model();
    ctx c;
    open_ctx(&c, TAPI_VERSION3_1);
    LINEMESSAGE m;
    drain(c.app);
    /* set exactly while a message waits */
    EQ(test_signal_wait(c.hev, 0), 0);
    EQ(tapisim_post_message(c.app, 1, LINE_AGENTSTATUSEX, 1, 2, 3), 0);
    EQ(test_signal_wait(c.hev, 0), 1);
    EQ(test_signal_wait(c.hev, 0), 1); /* waiting does not reset it (a manual-reset event on Windows) */
    EQ(tapisim_post_message(c.app, 1, LINE_AGENTSTATUSEX, 4, 5, 6), 0);
    EQ(test_signal_wait(c.hev, 0), 1);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, 1);
    EQ(test_signal_wait(c.hev, 0), 1); /* one still waits */
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, 4);
    EQ(test_signal_wait(c.hev, 0), 0); /* drained: reset */
    EQ(lineGetMessage(c.app, &m, 0), LE(LINEERR_OPERATIONFAILED));
    EQ(test_signal_wait(c.hev, 0), 0);

    /* a reply that is not yet due does not set it; the timer thread does, when due */
    EQ(tapisim_set_reply_latency(300000), 0);
    LINEAGENTGROUPLIST gl;
    memset(&gl, 0, sizeof gl);
    gl.dwTotalSize = sizeof gl;
    LONG r = lineGetGroupListW(c.line, &gl); /* a request that causes no event */
    CHECK(r > 0);
    EQ(lineGetMessage(c.app, &m, 0), LE(LINEERR_OPERATIONFAILED));
    EQ(test_signal_wait(c.hev, 0), 0);
    EQ(test_signal_wait(c.hev, 10000), 1);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwMessageID, LINE_REPLY);
    EQ(m.dwParam1, r);
    EQ(test_signal_wait(c.hev, 0), 0);
    EQ(tapisim_set_reply_latency(0), 0);

    /* a message posted by another thread wakes a waiter on the signal */
    poster p = {c.app, 99};
    plat_thread th;
    EQ(plat_thread_start(&th, post_later, &p), 0);
    EQ(test_signal_wait(c.hev, 10000), 1);
    plat_thread_join(&th);
    EQ(p.rc, 0);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(test_signal_wait(c.hev, 0), 0);

    /* switched off: never set, messages still delivered; on again: up to date at once */
    EQ(tapisim_set_message_signal(c.app, 2), TAPISIM_E_INVAL);
    EQ(tapisim_set_message_signal(c.app + 1, 0), TAPISIM_E_NOTFOUND);
    EQ(tapisim_post_message(c.app, 1, LINE_AGENTSTATUSEX, 8, 0, 0), 0);
    EQ(test_signal_wait(c.hev, 0), 1);
    EQ(tapisim_set_message_signal(c.app, 0), 0);
    EQ(test_signal_wait(c.hev, 0), 0); /* reset when switched off */
    EQ(tapisim_post_message(c.app, 1, LINE_AGENTSTATUSEX, 9, 0, 0), 0);
    EQ(test_signal_wait(c.hev, 0), 0);
    EQ(tapisim_set_message_signal(c.app, 1), 0);
    EQ(test_signal_wait(c.hev, 0), 1);
    EQ(tapisim_set_message_signal(c.app, 0), 0);
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, 8);
    EQ(test_signal_wait(c.hev, 0), 0);
    EQ(tapisim_set_message_signal(c.app, 1), 0);
    EQ(test_signal_wait(c.hev, 0), 1); /* message 9 still waits */
#ifndef _WIN32
    int fd = -1;
    EQ(tapisim_set_message_signal(c.app, 0), 0);
    EQ(tapisim_message_fd(c.app, &fd), 0); /* asking for the fd switches it on */
    EQ(test_signal_wait(c.hev, 0), 1);
#endif
    EQ(lineGetMessage(c.app, &m, 0), 0);
    EQ(m.dwParam1, 9);
    EQ(test_signal_wait(c.hev, 0), 0);

    /* lineShutdown closes it (no other thread opens fds / handles meanwhile) */
    EQ(tapisim_post_message(c.app, 1, LINE_AGENTSTATUSEX, 10, 0, 0), 0);
    EQ(lineShutdown(c.app), 0);
    EQ(test_signal_wait(c.hev, 0), -1);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    test_platform();
    test_init_shutdown();
    test_async_functions();
    test_varsize_list();
    test_call_life();
    test_date_and_clock();
    test_faults();
    test_held_list();
    test_shutdown_wakes();
    test_concurrency();
    test_traffic();
    test_real_clock_timer();
    test_message_signal();
    test_reset();
    printf("%d checks, %d failures\n", atomic_load(&checks), atomic_load(&failures));
    return failures ? 1 : 0;
}
