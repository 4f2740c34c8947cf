/*
 * C tests of agent handlers (ACD proxies) in the simulator (proxy.c):
 * routing of agent requests to the first registered handler, the client's
 * LINE_REPLY at lineProxyResponse, lifetime (TAPI frees the request in
 * lineProxyResponse; a closing handler fails its outstanding requests),
 * lineProxyMessage, lineGetProxyStatus, the built-in handler switch, and the
 * refusal of bad handler behaviour without harm to the client. Built with the
 * simulator sources under ASan + UBSan + LSan by tests/c/run.sh, so a use of a
 * freed request or a leaked one fails too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "check.h"

static const GUID G1 = {0x11111111, 0x2222, 0x3333, {1, 2, 3, 4, 5, 6, 7, 8}};

static HLINEAPP init_app(void)
{
    LINEINITIALIZEEXPARAMS p;
    memset(&p, 0, sizeof p);
    p.dwTotalSize = sizeof p;
    p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
    DWORD ver = TAPI_VERSION3_1, ndev = 0;
    HLINEAPP app = 0;
    EQ(lineInitializeExW(&app, NULL, NULL, u"test", &ndev, &ver, &p), 0);
    return app;
}

static HLINE open_client(HLINEAPP app, DWORD device)
{
    HLINE l = 0;
    EQ(lineOpenW(app, device, &l, TAPI_VERSION3_1, 0, 0xC1, LINECALLPRIVILEGE_NONE, 0, NULL), 0);
    return l;
}

/* lineOpenW with LINEOPENOPTION_PROXY for `n` request types. */
static LONG open_proxy(HLINEAPP app, DWORD device, const DWORD *types, DWORD n, HLINE *out)
{
    unsigned char buf[sizeof(LINECALLPARAMS) + 32 * sizeof(DWORD)];
    LINECALLPARAMS *cp = (LINECALLPARAMS *)buf;
    memset(buf, 0, sizeof buf);
    cp->dwTotalSize = (DWORD)sizeof buf;
    cp->dwDevSpecificSize = n * (DWORD)sizeof(DWORD);
    cp->dwDevSpecificOffset = (DWORD)sizeof *cp;
    memcpy(buf + sizeof *cp, types, n * sizeof(DWORD));
    return lineOpenW(app, device, out, TAPI_VERSION3_1, 0, 0xF1, LINECALLPRIVILEGE_NONE | LINEOPENOPTION_PROXY, 0,
                     cp);
}

/* The next message of `app` within 2 s, skipping LINE_PROXYSTATUS; 0: none. */
static int next_msg(HLINEAPP app, LINEMESSAGE *m, DWORD timeout_ms)
{
    for (;;) {
        if (lineGetMessage(app, m, timeout_ms) != 0)
            return 0;
        if (m->dwMessageID != LINE_PROXYSTATUS)
            return 1;
    }
}

static LINEPROXYREQUEST *take_request(HLINEAPP proxy, HLINE pline)
{
    LINEMESSAGE m;
    if (!next_msg(proxy, &m, 2000))
        return NULL;
    EQ(m.dwMessageID, LINE_PROXYREQUEST);
    EQ(m.hDevice, pline);
    EQ(m.dwCallbackInstance, 0xF1);
    return m.dwMessageID == LINE_PROXYREQUEST ? (LINEPROXYREQUEST *)m.dwParam1 : NULL;
}

static long long reply_of(HLINEAPP app, LONG id, DWORD timeout_ms)
{
    LINEMESSAGE m;
    while (next_msg(app, &m, timeout_ms))
        if (m.dwMessageID == LINE_REPLY && m.dwParam1 == (DWORD_PTR)id)
            return (long long)m.dwParam2;
    return -1;
}

static void setup(void)
{
    EQ(tapisim_reset(), 0);
    EQ(tapisim_configure_lines(2, 2, TAPI_VERSION3_1), 0);
}

static void test_registration_and_status(void)
{
    setup();
    HLINEAPP p1 = init_app(), p2 = init_app(), c = init_app();
    HLINE cl = open_client(c, 0);
    DWORD t1[] = {LINEPROXYREQUEST_GETAGENTSESSIONINFO, LINEPROXYREQUEST_CREATEAGENTSESSION};
    DWORD t2[] = {LINEPROXYREQUEST_GETQUEUEINFO, LINEPROXYREQUEST_GETAGENTSESSIONINFO};
    HLINE a = 0, b = 0, d = 0;
    /* A type the simulated ACD serves can be taken over by an application. */
    EQ(open_proxy(p1, 0, t1, 2, &a), 0);
    /* The first handler of a type keeps it: a second is refused. */
    EQ(open_proxy(p2, 0, t2, 2, &b), LE(LINEERR_NOTREGISTERED));
    /* ... on that device only. */
    EQ(open_proxy(p2, 1, t2, 2, &d), 0);
    unsigned char buf[sizeof(LINEPROXYREQUESTLIST) + 8];
    LINEPROXYREQUESTLIST *pl = (LINEPROXYREQUESTLIST *)buf;
    memset(buf, 0xAB, sizeof buf);
    pl->dwTotalSize = sizeof(LINEPROXYREQUESTLIST) + 4; /* room for one of two */
    EQ(lineGetProxyStatus(c, 0, TAPI_VERSION2_2, pl), 0);
    EQ(pl->dwNeededSize, sizeof(LINEPROXYREQUESTLIST) + 8);
    EQ(pl->dwUsedSize, sizeof(LINEPROXYREQUESTLIST));
    EQ(pl->dwNumEntries, 0);
    pl->dwTotalSize = sizeof buf;
    EQ(lineGetProxyStatus(c, 0, TAPI_VERSION2_2, pl), 0);
    EQ(pl->dwNumEntries, 2);
    EQ(pl->dwListSize, 8);
    DWORD got[2];
    memcpy(got, buf + pl->dwListOffset, sizeof got);
    EQ(got[0], LINEPROXYREQUEST_CREATEAGENTSESSION); /* ascending type order */
    EQ(got[1], LINEPROXYREQUEST_GETAGENTSESSIONINFO);
    EQ(lineGetProxyStatus(c, 5, TAPI_VERSION2_2, pl), LE(LINEERR_BADDEVICEID));
    EQ(lineGetProxyStatus(c, 0, TAPI_VERSION2_0, pl), LE(LINEERR_INCOMPATIBLEAPIVERSION));
    EQ(lineGetProxyStatus(c, 0, TAPI_VERSION2_2, NULL), LE(LINEERR_INVALPOINTER));
    pl->dwTotalSize = 8;
    EQ(lineGetProxyStatus(c, 0, TAPI_VERSION2_2, pl), LE(LINEERR_STRUCTURETOOSMALL));
    /* Closing the handler frees its types: another application takes them. */
    EQ(lineClose(a), 0);
    pl->dwTotalSize = sizeof buf;
    EQ(lineGetProxyStatus(c, 0, TAPI_VERSION2_2, pl), 0);
    EQ(pl->dwNumEntries, 0);
    EQ(open_proxy(p2, 0, t2, 2, &b), 0);
    (void)cl;
    EQ(lineShutdown(p1), 0);
    EQ(lineShutdown(p2), 0);
    EQ(lineShutdown(c), 0);
}

static void fill_info(LINEPROXYREQUEST *r, DWORD state)
{
    LINEAGENTSESSIONINFO *si = &r->GetAgentSessionInfo.SessionInfo;
    si->dwNeededSize = si->dwUsedSize = sizeof *si;
    si->dwAgentSessionState = state;
    si->dwNumberOfCalls = 7;
}

static void test_routing_and_response(void)
{
    setup();
    HLINEAPP p = init_app(), c = init_app();
    HLINE cl = open_client(c, 0), pl = 0;
    DWORD types[] = {LINEPROXYREQUEST_GETAGENTSESSIONINFO, LINEPROXYREQUEST_CREATEAGENTSESSION,
                     LINEPROXYREQUEST_GETAGENTSESSIONLIST};
    EQ(open_proxy(p, 0, types, 3, &pl), 0);

    /* GetAgentSessionInfo: the request carries the session and an empty output. */
    unsigned char out[200];
    memset(out, 0xEE, sizeof out);
    LINEAGENTSESSIONINFO *info = (LINEAGENTSESSIONINFO *)out;
    info->dwTotalSize = sizeof out;
    LONG id = lineGetAgentSessionInfo(cl, 0x77, info);
    CHECK(id > 0);
    LINEPROXYREQUEST *r = take_request(p, pl);
    CHECK(r != NULL);
    if (!r)
        return;
    EQ(r->dwRequestType, LINEPROXYREQUEST_GETAGENTSESSIONINFO);
    EQ(r->dwClientAppAPIVersion, TAPI_VERSION3_1);
    EQ(r->GetAgentSessionInfo.hAgentSession, 0x77);
    EQ(r->GetAgentSessionInfo.SessionInfo.dwTotalSize, sizeof out);
    EQ(r->GetAgentSessionInfo.SessionInfo.dwUsedSize, 0);
    CHECK(r->dwSize >= offsetof(LINEPROXYREQUEST, GetAgentSessionInfo.SessionInfo) + sizeof out);
    CHECK(r->dwClientMachineNameSize > 2 && r->dwClientMachineNameOffset + r->dwClientMachineNameSize <= r->dwSize);
    /* No LINE_REPLY before the handler answers. */
    EQ(reply_of(c, id, 0), -1);
    EQ(info->dwUsedSize, 0xEEEEEEEE);

    /* Bad answers are refused and leave the request pending, the client untouched. */
    EQ(lineProxyResponse(pl, r, LINEERR_INVALAGENTSTATE), LE(LINEERR_INVALPARAM)); /* not on its page */
    EQ(lineProxyResponse(pl, r, 12345), LE(LINEERR_INVALPARAM));
    r->GetAgentSessionInfo.SessionInfo.dwUsedSize = sizeof out + 4; /* used > total */
    r->GetAgentSessionInfo.SessionInfo.dwNeededSize = sizeof out + 4;
    EQ(lineProxyResponse(pl, r, 0), LE(LINEERR_INVALPARAM));
    r->GetAgentSessionInfo.SessionInfo.dwUsedSize = 8; /* below the fixed part */
    EQ(lineProxyResponse(pl, r, 0), LE(LINEERR_INVALPARAM));
    fill_info(r, LINEAGENTSESSIONSTATE_READY);
    r->GetAgentSessionInfo.SessionInfo.dwTotalSize = 1000; /* changed dwTotalSize */
    EQ(lineProxyResponse(pl, r, 0), LE(LINEERR_INVALPARAM));
    r->GetAgentSessionInfo.SessionInfo.dwTotalSize = sizeof out;
    EQ(lineProxyResponse(cl, r, 0), LE(LINEERR_NOTREGISTERED)); /* a client line */
    EQ(lineProxyResponse(pl, NULL, 0), LE(LINEERR_INVALPOINTER));
    EQ(reply_of(c, id, 0), -1);

    /* The answer: the client's reply, its output written when it takes it. */
    EQ(lineProxyResponse(pl, r, 0), 0);
    EQ(reply_of(c, id, 2000), 0);
    EQ(info->dwTotalSize, sizeof out);
    EQ(info->dwUsedSize, sizeof *info);
    EQ(info->dwAgentSessionState, LINEAGENTSESSIONSTATE_READY);
    EQ(info->dwNumberOfCalls, 7);
    EQ(out[sizeof *info], 0xEE); /* past dwUsedSize: untouched */
    /* A second answer to the same (freed) request: only compared, refused. */
    EQ(lineProxyResponse(pl, r, 0), LE(LINEERR_INVALPARAM));

    /* A dwTotalSize the client cannot have allocated: no request the handler
     * could overrun (NOMEM in the reply), on 32-bit size_t too. */
    LINEAGENTSESSIONINFO lie;
    memset(&lie, 0, sizeof lie);
    lie.dwTotalSize = 0xFFFFFFF0u;
    id = lineGetAgentSessionInfo(cl, 0x79, &lie);
    EQ(reply_of(c, id, 2000), LINEERR_NOMEM);
    LINEMESSAGE none;
    EQ(lineGetMessage(p, &none, 0), LE(LINEERR_OPERATIONFAILED));

    /* An error answer: the client's reply carries it, its output stays. */
    memset(out, 0xEE, sizeof out);
    info->dwTotalSize = sizeof out;
    id = lineGetAgentSessionInfo(cl, 0x78, info);
    r = take_request(p, pl);
    CHECK(r != NULL);
    EQ(lineProxyResponse(pl, r, LINEERR_INVALPARAM), 0);
    EQ(reply_of(c, id, 2000), LINEERR_INVALPARAM);
    EQ(info->dwUsedSize, 0xEEEEEEEE);

    /* Too small: the handler says how much it needs; the client grows. */
    LINEAGENTSESSIONLIST small;
    memset(&small, 0, sizeof small);
    small.dwTotalSize = sizeof small;
    id = lineGetAgentSessionList(cl, 5, &small);
    r = take_request(p, pl);
    CHECK(r != NULL);
    EQ(r->GetAgentSessionList.hAgent, 5);
    LINEAGENTSESSIONLIST *sl = &r->GetAgentSessionList.SessionList;
    sl->dwNeededSize = sizeof *sl + 2 * sizeof(LINEAGENTSESSIONENTRY);
    sl->dwUsedSize = sizeof *sl;
    EQ(lineProxyResponse(pl, r, 0), 0);
    EQ(reply_of(c, id, 2000), 0);
    EQ(small.dwNeededSize, sizeof small + 2 * sizeof(LINEAGENTSESSIONENTRY));
    EQ(small.dwNumEntries, 0);
    /* A list outside dwUsedSize is a lie. */
    unsigned char big[sizeof(LINEAGENTSESSIONLIST) + 2 * sizeof(LINEAGENTSESSIONENTRY)];
    LINEAGENTSESSIONLIST *bl = (LINEAGENTSESSIONLIST *)big;
    memset(big, 0, sizeof big);
    bl->dwTotalSize = sizeof big;
    id = lineGetAgentSessionList(cl, 5, bl);
    r = take_request(p, pl);
    CHECK(r != NULL);
    sl = &r->GetAgentSessionList.SessionList;
    sl->dwNeededSize = sl->dwUsedSize = sizeof big;
    sl->dwNumEntries = 2;
    sl->dwListSize = 2 * sizeof(LINEAGENTSESSIONENTRY);
    sl->dwListOffset = sizeof *sl + 4; /* runs 4 bytes past dwUsedSize */
    EQ(lineProxyResponse(pl, r, 0), LE(LINEERR_INVALPARAM));
    sl->dwListOffset = sizeof *sl;
    LINEAGENTSESSIONENTRY e[2];
    memset(e, 0, sizeof e);
    e[0].hAgentSession = 41;
    e[1].hAgentSession = 42;
    /* The list runs past the declared LINEAGENTSESSIONLIST, inside the
     * request: address it from the request's start (no member bounds). */
    unsigned char *list_base = (unsigned char *)r + offsetof(LINEPROXYREQUEST, GetAgentSessionList.SessionList);
    memcpy(list_base + sl->dwListOffset, e, sizeof e);
    EQ(lineProxyResponse(pl, r, 0), 0);
    EQ(reply_of(c, id, 2000), 0);
    EQ(bl->dwNumEntries, 2);
    memcpy(e, big + bl->dwListOffset, sizeof e);
    EQ(e[1].hAgentSession, 42);

    /* CreateAgentSession: PIN, agent, group and address in; the handle out. */
    GUID grp = G1;
    HAGENTSESSION hs = 0;
    id = lineCreateAgentSessionW(cl, 9, (LPWSTR)u"1234", 1, &grp, &hs);
    r = take_request(p, pl);
    CHECK(r != NULL);
    EQ(r->dwRequestType, LINEPROXYREQUEST_CREATEAGENTSESSION);
    EQ(r->CreateAgentSession.hAgent, 9);
    EQ(r->CreateAgentSession.dwWorkingAddressID, 1);
    CHECK(memcmp(&r->CreateAgentSession.GroupID, &G1, sizeof(GUID)) == 0);
    EQ(r->CreateAgentSession.dwAgentPINSize, 10);
    CHECK(memcmp((unsigned char *)r + r->CreateAgentSession.dwAgentPINOffset, u"1234", 10) == 0);
    r->CreateAgentSession.hAgentSession = 0x5150;
    EQ(lineProxyResponse(pl, r, 0), 0);
    EQ(reply_of(c, id, 2000), 0);
    EQ(hs, 0x5150);

    /* A type nobody registered: the simulated ACD answers (no such agent). */
    id = lineSetAgentStateEx(cl, 12345, LINEAGENTSTATEEX_READY, 0);
    EQ(reply_of(c, id, 2000), LINEERR_INVALPARAM);
    LINEMESSAGE m;
    EQ(lineGetMessage(p, &m, 0), LE(LINEERR_OPERATIONFAILED)); /* the handler saw nothing */

    EQ(lineShutdown(p), 0);
    EQ(lineShutdown(c), 0);
}

static void test_lifetime(void)
{
    setup();
    HLINEAPP p = init_app(), c = init_app();
    HLINE cl = open_client(c, 0), pl = 0;
    DWORD types[] = {LINEPROXYREQUEST_GETAGENTINFO, LINEPROXYREQUEST_SETAGENTMEASUREMENTPERIOD};
    EQ(open_proxy(p, 0, types, 2, &pl), 0);
    LINEAGENTINFO ai;
    memset(&ai, 0, sizeof ai);
    ai.dwTotalSize = sizeof ai;
    /* One request taken by the handler, one still queued for it. */
    LONG id1 = lineGetAgentInfo(cl, 1, &ai);
    CHECK(take_request(p, pl) != NULL);
    LONG id2 = lineSetAgentMeasurementPeriod(cl, 1, 60);
    /* The handler closes: both fail for the client; nothing leaks (LSan). */
    EQ(lineClose(pl), 0);
    EQ(reply_of(c, id1, 2000), LINEERR_OPERATIONFAILED);
    EQ(reply_of(c, id2, 2000), LINEERR_OPERATIONFAILED);
    EQ(ai.dwUsedSize, 0);
    LINEMESSAGE m;
    EQ(lineGetMessage(p, &m, 0), LE(LINEERR_OPERATIONFAILED)); /* withdrawn */

    /* The same through lineShutdown of the handler's app. */
    EQ(open_proxy(p, 0, types, 2, &pl), 0);
    id1 = lineSetAgentMeasurementPeriod(cl, 1, 60);
    EQ(lineShutdown(p), 0);
    EQ(reply_of(c, id1, 2000), LINEERR_OPERATIONFAILED);

    /* ... and through LINE_CLOSE of the device (tapisim_close_line): the
     * client's line on that device is closed too, so no reply reaches it. */
    p = init_app();
    EQ(open_proxy(p, 0, types, 2, &pl), 0);
    id1 = lineSetAgentMeasurementPeriod(cl, 1, 60);
    LINEAGENTINFO ai2;
    memset(&ai2, 0, sizeof ai2);
    ai2.dwTotalSize = sizeof ai2;
    LONG id3 = lineGetAgentInfo(cl, 1, &ai2);
    LINEPROXYREQUEST *taken = take_request(p, pl);
    CHECK(taken != NULL);
    EQ(tapisim_close_line(0), 0);
    EQ(reply_of(c, id1, 0), -1);
    EQ(reply_of(c, id3, 0), -1);
    EQ(lineGetMessage(p, &m, 0), 0);
    EQ(m.dwMessageID, LINE_CLOSE);
    EQ(m.hDevice, pl);
    /* The handler may still be writing its answer: the memory stays valid
     * (ASan) until its lineShutdown; the answer itself is refused. */
    if (taken) {
        taken->GetAgentInfo.AgentInfo.dwUsedSize = sizeof(LINEAGENTINFO);
        EQ(lineProxyResponse(pl, taken, 0), LE(LINEERR_INVALLINEHANDLE));
    }
    EQ(lineShutdown(p), 0);
    p = init_app();

    /* A client gone before the answer: the answer is accepted, nothing written. */
    cl = open_client(c, 0);
    EQ(open_proxy(p, 0, types, 2, &pl), 0);
    LINEAGENTINFO *heap = calloc(1, sizeof *heap);
    heap->dwTotalSize = sizeof *heap;
    id1 = lineGetAgentInfo(cl, 1, heap);
    LINEPROXYREQUEST *r = take_request(p, pl);
    CHECK(r != NULL);
    EQ(lineClose(cl), 0);
    free(heap); /* ASan: a write into it would be reported */
    if (r) {
        r->GetAgentInfo.AgentInfo.dwNeededSize = r->GetAgentInfo.AgentInfo.dwUsedSize = sizeof(LINEAGENTINFO);
        EQ(lineProxyResponse(pl, r, 0), 0);
    }
    EQ(reply_of(c, id1, 0), -1);

    /* Outstanding requests at tapisim_reset are freed (LSan). */
    cl = open_client(c, 0);
    id1 = lineSetAgentMeasurementPeriod(cl, 1, 60);
    CHECK(id1 > 0);
    EQ(tapisim_reset(), 0);
}

static void test_builtin_switch_and_messages(void)
{
    setup();
    HLINEAPP p = init_app(), c = init_app(), c2 = init_app();
    HLINE cl = open_client(c, 0), other = open_client(c2, 1), pl = 0;
    EQ(tapisim_set_builtin_handler(0), 0);
    LINEAGENTINFO ai;
    memset(&ai, 0, sizeof ai);
    ai.dwTotalSize = sizeof ai;
    EQ(lineGetAgentInfo(cl, 1, &ai), LE(LINEERR_OPERATIONUNAVAIL));
    DWORD types[] = {LINEPROXYREQUEST_GETAGENTINFO};
    EQ(open_proxy(p, 0, types, 1, &pl), 0);
    LONG id = lineGetAgentInfo(cl, 1, &ai);
    CHECK(id > 0);
    LINEPROXYREQUEST *r = take_request(p, pl);
    CHECK(r != NULL);
    EQ(lineProxyResponse(pl, r, LINEERR_OPERATIONFAILED), 0);
    EQ(reply_of(c, id, 2000), LINEERR_OPERATIONFAILED);
    EQ(lineSetAgentStateEx(cl, 1, LINEAGENTSTATEEX_READY, 0), LE(LINEERR_OPERATIONUNAVAIL));
    EQ(lineGetAgentInfo(other, 1, &ai), LE(LINEERR_OPERATIONUNAVAIL)); /* device 1: nobody */

    /* lineProxyMessage: to the device's other lines, not to the handler's. */
    EQ(lineProxyMessage(pl, 0, LINE_AGENTSESSIONSTATUS, 0x51, LINEAGENTSESSIONSTATUS_STATE,
                        LINEAGENTSESSIONSTATE_READY), 0);
    LINEMESSAGE m;
    CHECK(next_msg(c, &m, 2000));
    EQ(m.dwMessageID, LINE_AGENTSESSIONSTATUS);
    EQ(m.hDevice, cl);
    EQ(m.dwCallbackInstance, 0xC1);
    EQ(m.dwParam1, 0x51);
    EQ(m.dwParam2, LINEAGENTSESSIONSTATUS_STATE);
    EQ(m.dwParam3, LINEAGENTSESSIONSTATE_READY);
    EQ(lineGetMessage(p, &m, 0), LE(LINEERR_OPERATIONFAILED));
    EQ(lineGetMessage(c2, &m, 0), LE(LINEERR_OPERATIONFAILED)); /* another device */
    EQ(lineProxyMessage(pl, 0, LINE_REPLY, 1, 0, 0), LE(LINEERR_INVALPARAM));
    EQ(lineProxyMessage(pl, 7, LINE_AGENTSTATUSEX, 1, 0, 0), LE(LINEERR_INVALCALLHANDLE));
    EQ(lineProxyMessage(cl, 0, LINE_AGENTSTATUSEX, 1, 0, 0), LE(LINEERR_NOTREGISTERED));
    EQ(lineProxyMessage(0x12345, 0, LINE_AGENTSTATUSEX, 1, 0, 0), LE(LINEERR_INVALLINEHANDLE));
    EQ(tapisim_reset(), 0);
    /* reset restores the built-in handler */
    EQ(tapisim_configure_lines(1, 1, TAPI_VERSION3_1), 0);
    c = init_app();
    cl = open_client(c, 0);
    id = lineGetAgentInfo(cl, 1, &ai);
    EQ(reply_of(c, id, 2000), LINEERR_INVALPARAM);
    EQ(tapisim_reset(), 0);
}

/* Random lies in a list answer's header (xorshift, fixed seed): the simulator
 * either refuses them (INVALPARAM, request kept) or delivers at most the
 * client's dwTotalSize; the canary after the client's buffer never changes
 * and ASan sees no access outside the request. */
static void test_size_lies_fuzz(void)
{
    setup();
    HLINEAPP p = init_app(), c = init_app();
    HLINE cl = open_client(c, 0), pl = 0;
    DWORD types[] = {LINEPROXYREQUEST_GETAGENTSESSIONLIST};
    EQ(open_proxy(p, 0, types, 1, &pl), 0);
    uint32_t x = 2463534242u;
    int accepted = 0, refused = 0;
    for (int i = 0; i < 500; i++) {
        unsigned char client[64 + 16];
        memset(client, 0xC5, sizeof client);
        LINEAGENTSESSIONLIST *out = (LINEAGENTSESSIONLIST *)client;
        memset(out, 0, 64);
        out->dwTotalSize = 64;
        LONG id = lineGetAgentSessionList(cl, 1, out);
        LINEPROXYREQUEST *r = take_request(p, pl);
        CHECK(r != NULL);
        if (!r)
            return;
        LINEAGENTSESSIONLIST *sl = &r->GetAgentSessionList.SessionList;
        DWORD v[6];
        for (int k = 0; k < 6; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            /* small values mostly, so that some answers are consistent */
            v[k] = (x & 0x80000000u) ? x : (x % 96);
        }
        if (i % 2 == 0) { /* near the truth: used in the plausible range */
            v[2] = 16 + v[2] % 56;
            v[1] = v[2] + v[1] % 16;
            v[4] = 4 * (v[4] % 12);
            v[5] = 16 + v[5] % 48;
        }
        memcpy(&sl->dwNeededSize, v + 1, 5 * sizeof(DWORD)); /* dwTotalSize kept */
        if (v[0] & 1 && i % 2)
            sl->dwTotalSize = v[0];
        LONG rc = lineProxyResponse(pl, r, 0);
        if (rc == 0) {
            accepted++;
            EQ(reply_of(c, id, 2000), 0);
            CHECK(out->dwUsedSize <= 64);
        } else {
            refused++;
            EQ(rc, LE(LINEERR_INVALPARAM));
            EQ(lineProxyResponse(pl, r, LINEERR_OPERATIONFAILED), 0); /* still pending */
            EQ(reply_of(c, id, 2000), LINEERR_OPERATIONFAILED);
        }
        for (size_t k = 64; k < sizeof client; k++)
            EQ(client[k], 0xC5);
    }
    CHECK(accepted > 0 && refused > 0);
    EQ(lineShutdown(p), 0);
    EQ(lineShutdown(c), 0);
}

int main(void)
{
    test_registration_and_status();
    test_routing_and_response();
    test_lifetime();
    test_builtin_switch_and_messages();
    test_size_lies_fuzz();
    printf("proxy: %d checks, %d failures\n", atomic_load(&checks), atomic_load(&failures));
    return failures ? 1 : 0;
}
