/*
 * proxy.c — agent handlers (ACD proxies) served as TAPI serves them.
 *
 * An application opens a line with LINEOPENOPTION_PROXY and a LINECALLPARAMS
 * whose DevSpecific area lists the LINEPROXYREQUEST_ types it handles
 * (tapi_api.c checks and records them as sim_line.proxy_mask). From then on
 * an agent request a client makes on that device (tapi_async.c, through
 * req_proxy) is not answered by the simulated ACD: it becomes a
 * LINEPROXYREQUEST, owned here, and the handler receives LINE_PROXYREQUEST
 * with dwParam1 = its address (line-proxyrequest.md). The client already
 * has its request ID; its LINE_REPLY is posted when the handler calls
 * lineProxyResponse, with the output the handler wrote into the request, and
 * the request is freed there (nf-tapi-lineproxyresponse.md).
 *
 * Rules (decisions where the pages are silent are also listed in tapisim.h):
 *   - The first line registered for a type on a device serves it; a second
 *     registration is refused (NOTREGISTERED, tapi_api.c).
 *   - An application handler takes precedence over the simulated ACD (the
 *     provider); with tapisim_set_builtin_handler(0) a request no handler
 *     serves fails at once with LINEERR_OPERATIONUNAVAIL.
 *   - A handler line that closes (lineClose, lineShutdown, LINE_CLOSE) fails
 *     its outstanding requests: each client gets LINE_REPLY with
 *     LINEERR_OPERATIONFAILED, and LINE_PROXYREQUESTs it had not yet taken
 *     from its queue are withdrawn. Their memory is freed then, except after
 *     LINE_CLOSE (the provider closed the line, the handler cannot know yet):
 *     then at the handler's lineShutdown.
 *   - lineProxyResponse refuses, leaving the request pending and the client
 *     untouched: a request not outstanding on that line, i.e. unknown or
 *     already answered (INVALPARAM; the pointer is compared, never read); a
 *     result that is neither 0 nor a code the client function's page lists
 *     (INVALPARAM); an output structure whose sizes lie: dwTotalSize changed,
 *     dwUsedSize below the fixed part or above dwTotalSize, dwNeededSize below
 *     dwUsedSize, or a list outside dwUsedSize (INVALPARAM).
 *   - The client's output is written when it takes that LINE_REPLY (as for
 *     every reply): dwUsedSize bytes of the structure, or the new handle. A
 *     client that closed its line or shut down meanwhile gets nothing.
 *   - lineProxyMessage sends LINE_AGENTSTATUS, LINE_AGENTSTATUSEX,
 *     LINE_AGENTSESSIONSTATUS, LINE_QUEUESTATUS, LINE_GROUPSTATUS and
 *     LINE_AGENTSPECIFIC to every other open line of the handler's device at
 *     TAPI_VERSION2_2 or later (the handler's own line is skipped, as the
 *     page says); hCall must be 0 (no calls on proxy lines: INVALCALLHANDLE).
 *   - lineGetProxyStatus lists the types application handlers serve on the
 *     device (the simulated ACD is the provider, not a proxy).
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define E(code) ((LONG)(code))

typedef struct sim_preq {
    struct sim_preq *prev, *next;
    LINEPROXYREQUEST *buf;  /* handed to the handler; freed in lineProxyResponse */
    HLINE proxy_line;
    HLINEAPP client_app;
    HLINE client_line;      /* 0: an app-level request (lineGetAgentCapsW) */
    DWORD_PTR client_cb;
    DWORD request_id;
    sim_hit hit;            /* the client call's reply fault, applied to its reply */
    void *dest;             /* client output: structure or handle */
    size_t out_offset;      /* embedded output structure in buf; 0: handle or none */
    DWORD out_total;        /* its dwTotalSize, as the client gave it */
    DWORD out_fixed;        /* its fixed size at the client's version */
    HLINEAPP owner;         /* zombies: the handler's app */
} sim_preq;

/* Outstanding requests, oldest first: a handler answering in order finds
 * its request at the head, and a closing one fails them in request order. */
static sim_preq *pending, *pending_tail;
static int builtin_off;     /* tapisim_set_builtin_handler(0) */
/* Requests of a handler line the provider closed (LINE_CLOSE): failed for
 * their clients, but their memory stays valid until the handler's app shuts
 * down, since the handler may be writing an answer while LINE_CLOSE is still
 * on its way to it (linked through `next`). */
static sim_preq *zombies;

static const WCHAR machine_name[] = u"localhost";
static const WCHAR user_name[] = u"tapisim";

int sim_proxy_type_of(int fn)
{
    switch (fn) {
    case FN_lineCreateAgentW: return LINEPROXYREQUEST_CREATEAGENT;
    case FN_lineCreateAgentSessionW: return LINEPROXYREQUEST_CREATEAGENTSESSION;
    case FN_lineGetAgentSessionList: return LINEPROXYREQUEST_GETAGENTSESSIONLIST;
    case FN_lineGetAgentSessionInfo: return LINEPROXYREQUEST_GETAGENTSESSIONINFO;
    case FN_lineSetAgentSessionState: return LINEPROXYREQUEST_SETAGENTSESSIONSTATE;
    case FN_lineGetAgentInfo: return LINEPROXYREQUEST_GETAGENTINFO;
    case FN_lineSetAgentMeasurementPeriod: return LINEPROXYREQUEST_SETAGENTMEASUREMENTPERIOD;
    case FN_lineSetAgentStateEx: return LINEPROXYREQUEST_SETAGENTSTATEEX;
    case FN_lineGetAgentCapsW: return LINEPROXYREQUEST_GETAGENTCAPS;
    case FN_lineGetGroupListW: return LINEPROXYREQUEST_GETGROUPLIST;
    case FN_lineGetQueueListW: return LINEPROXYREQUEST_GETQUEUELIST;
    case FN_lineGetQueueInfo: return LINEPROXYREQUEST_GETQUEUEINFO;
    case FN_lineSetQueueMeasurementPeriod: return LINEPROXYREQUEST_SETQUEUEMEASUREMENTPERIOD;
    default: return 0;
    }
}

/* The line serving `type` on `device`, or NULL. */
static sim_line *handler_of(DWORD device, DWORD type)
{
    for (size_t i = 0; i < g.lines.cap; i++) {
        sim_line *l = g.lines.slots[i];
        if (l && l->device == device && (l->proxy_mask & (1u << type)))
            return l;
    }
    return NULL;
}

LONG sim_proxy_check(DWORD device, int fn)
{
    DWORD type = (DWORD)sim_proxy_type_of(fn);
    if (builtin_off && type && !handler_of(device, type))
        return E(LINEERR_OPERATIONUNAVAIL);
    return 0;
}

/* Where a request type's output structure sits in the request. */
static size_t out_offset_of(DWORD type)
{
    switch (type) {
    case LINEPROXYREQUEST_GETAGENTSESSIONLIST: return offsetof(LINEPROXYREQUEST, GetAgentSessionList.SessionList);
    case LINEPROXYREQUEST_GETAGENTSESSIONINFO: return offsetof(LINEPROXYREQUEST, GetAgentSessionInfo.SessionInfo);
    case LINEPROXYREQUEST_GETAGENTINFO: return offsetof(LINEPROXYREQUEST, GetAgentInfo.AgentInfo);
    case LINEPROXYREQUEST_GETAGENTCAPS: return offsetof(LINEPROXYREQUEST, GetAgentCaps.AgentCaps);
    case LINEPROXYREQUEST_GETGROUPLIST: return offsetof(LINEPROXYREQUEST, GetGroupList.GroupList);
    case LINEPROXYREQUEST_GETQUEUELIST: return offsetof(LINEPROXYREQUEST, GetQueueList.QueueList);
    case LINEPROXYREQUEST_GETQUEUEINFO: return offsetof(LINEPROXYREQUEST, GetQueueInfo.QueueInfo);
    default: return 0;
    }
}

static DWORD fixed_size_of(DWORD type, DWORD version)
{
    switch (type) {
    case LINEPROXYREQUEST_GETAGENTSESSIONLIST: return sizeof(LINEAGENTSESSIONLIST);
    case LINEPROXYREQUEST_GETAGENTSESSIONINFO: return sizeof(LINEAGENTSESSIONINFO);
    case LINEPROXYREQUEST_GETAGENTINFO: return sizeof(LINEAGENTINFO);
    case LINEPROXYREQUEST_GETAGENTCAPS: return vs_caps_fixed_size(version);
    case LINEPROXYREQUEST_GETGROUPLIST: return sizeof(LINEAGENTGROUPLIST);
    case LINEPROXYREQUEST_GETQUEUELIST: return sizeof(LINEQUEUELIST);
    case LINEPROXYREQUEST_GETQUEUEINFO: return sizeof(LINEQUEUEINFO);
    default: return 0;
    }
}

static size_t align4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* Copy a NUL-terminated string into the request at *at; its size/offset. */
static void put_string(unsigned char *base, size_t *at, LPCWSTR s, DWORD *size, DWORD *offset)
{
    if (!s) {
        *size = *offset = 0;
        return;
    }
    size_t bytes = (sim_wcslen(s) + 1) * sizeof(WCHAR);
    memcpy(base + *at, s, bytes);
    *size = (DWORD)bytes;
    *offset = (DWORD)*at;
    *at = align4(*at + bytes);
}

static size_t string_bytes(LPCWSTR s)
{
    return s ? align4((sim_wcslen(s) + 1) * sizeof(WCHAR)) : 0;
}

int sim_proxy_route(sim_app *client, const sim_line *line, DWORD device, DWORD request_id,
                    const sim_hit *hit, const sim_proxy_call *c, DWORD *err)
{
    *err = 0;
    DWORD type = (DWORD)sim_proxy_type_of(c->fn);
    sim_line *h = type ? handler_of(device, type) : NULL;
    sim_app *ha = h ? sim_app_get(h->app) : NULL;
    if (!ha)
        return 0;
    size_t out_off = out_offset_of(type);
    DWORD out_total = 0;
    if (out_off)
        memcpy(&out_total, c->out, sizeof out_total);
    /* In 64 bits: the client's dwTotalSize may be anything, and size_t is 32
     * bits on x86; a request TAPI could not describe (dwSize) is NOMEM. */
    uint64_t fixed = sizeof(LINEPROXYREQUEST);
    if (out_off && (uint64_t)out_off + out_total > fixed)
        fixed = (uint64_t)out_off + out_total;
    uint64_t size64 = ((fixed + 3) & ~(uint64_t)3) + string_bytes(machine_name) + string_bytes(user_name) +
                      string_bytes(c->id) + string_bytes(c->pin);
    size_t size = size64 <= 0x7FFFFFFFu ? (size_t)size64 : 0;
    sim_preq *p = calloc(1, sizeof *p);
    unsigned char *b = size ? calloc(1, size) : NULL;
    if (!p || !b) {
        free(p);
        free(b);
        *err = LINEERR_NOMEM;
        return 1;
    }
    LINEPROXYREQUEST *r = (LINEPROXYREQUEST *)b;
    size_t at = align4((size_t)fixed);
    r->dwSize = (DWORD)size;
    put_string(b, &at, machine_name, &r->dwClientMachineNameSize, &r->dwClientMachineNameOffset);
    put_string(b, &at, user_name, &r->dwClientUserNameSize, &r->dwClientUserNameOffset);
    r->dwClientAppAPIVersion = c->version;
    r->dwRequestType = type;
    switch (type) {
    case LINEPROXYREQUEST_CREATEAGENT:
        put_string(b, &at, c->id, &r->CreateAgent.dwAgentIDSize, &r->CreateAgent.dwAgentIDOffset);
        put_string(b, &at, c->pin, &r->CreateAgent.dwAgentPINSize, &r->CreateAgent.dwAgentPINOffset);
        break;
    case LINEPROXYREQUEST_CREATEAGENTSESSION:
        put_string(b, &at, c->pin, &r->CreateAgentSession.dwAgentPINSize, &r->CreateAgentSession.dwAgentPINOffset);
        r->CreateAgentSession.hAgent = c->p[0];
        memcpy(&r->CreateAgentSession.GroupID, c->group, sizeof(GUID));
        r->CreateAgentSession.dwWorkingAddressID = c->p[1];
        break;
    case LINEPROXYREQUEST_GETQUEUELIST:
        memcpy(&r->GetQueueList.GroupID, c->group, sizeof(GUID));
        break;
    case LINEPROXYREQUEST_GETGROUPLIST:
        break;
    default: {
        /* Every other body starts with its DWORD parameters (handle or
         * address/queue ID, then states or a period), in call order. */
        unsigned char *body = b + offsetof(LINEPROXYREQUEST, SetAgentState);
        memcpy(body, c->p, c->np * sizeof(DWORD));
        break;
    }
    }
    if (out_off) /* "dwTotalSize is set by TAPI and the remaining bytes set to zero" */
        memcpy(b + out_off, &out_total, sizeof out_total);
    p->buf = r;
    p->proxy_line = h->handle;
    p->client_app = client->handle;
    p->client_line = line ? line->handle : 0;
    p->client_cb = line ? line->cb : 0;
    p->request_id = request_id;
    p->hit = *hit;
    p->dest = c->out;
    p->out_offset = out_off;
    p->out_total = out_total;
    p->out_fixed = fixed_size_of(type, c->version);
    if (sim_post(ha, h->handle, LINE_PROXYREQUEST, h->cb, (DWORD_PTR)r, 0, 0) != 0) {
        free(b);
        free(p);
        *err = LINEERR_NOMEM;
        return 1;
    }
    p->prev = pending_tail;
    if (pending_tail)
        pending_tail->next = p;
    else
        pending = p;
    pending_tail = p;
    return 1;
}

static void unlink_preq(sim_preq *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        pending_tail = p->prev;
}

/* Post the client's LINE_REPLY for `p` (if the client is still there). */
static void reply_client(const sim_preq *p, DWORD result)
{
    sim_app *a = sim_app_get(p->client_app);
    const sim_line *l = p->client_line ? sim_line_get(p->client_line) : NULL;
    if (a && (!p->client_line || (l && l->app == p->client_app))) {
        unsigned char *data = NULL;
        size_t len = 0;
        if (result == 0 && p->dest) {
            const unsigned char *src;
            if (p->out_offset) {
                DWORD used;
                src = (const unsigned char *)p->buf + p->out_offset;
                memcpy(&used, src + 2 * sizeof(DWORD), sizeof used);
                len = used;
            } else { /* hAgent / hAgentSession: the first DWORD of the body */
                src = (const unsigned char *)p->buf + offsetof(LINEPROXYREQUEST, CreateAgent.hAgent);
                len = sizeof(DWORD);
            }
            data = malloc(len);
            if (data)
                memcpy(data, src, len);
            else
                result = LINEERR_NOMEM;
        }
        if (sim_post_reply(a, p->client_line, p->client_cb, p->request_id, result, &p->hit, p->dest, data, len) != 0)
            sim_wake_waiters();
    }
}

static void preq_free(sim_preq *p)
{
    free(p->buf);
    free(p);
}

/* Reply to the client, free `p` (already unlinked). */
static void complete(sim_preq *p, DWORD result)
{
    reply_client(p, result);
    preq_free(p);
}

void sim_proxy_line_closed(const sim_line *l, int provider)
{
    sim_app *ha = sim_app_get(l->app);
    if (ha) /* withdrawn: their memory is freed below */
        sim_drop_messages(ha, l->handle, LINE_PROXYREQUEST);
    sim_preq *p = pending;
    while (p) {
        sim_preq *n = p->next;
        if (p->proxy_line == l->handle) {
            unlink_preq(p);
            if (provider) {
                reply_client(p, LINEERR_OPERATIONFAILED);
                p->owner = l->app;
                p->proxy_line = 0;
                p->next = zombies;
                zombies = p;
            } else {
                complete(p, LINEERR_OPERATIONFAILED);
            }
        }
        p = n;
    }
}

void sim_proxy_app_gone(HLINEAPP app)
{
    sim_preq **pp = &zombies;
    while (*pp) {
        sim_preq *p = *pp;
        if (p->owner == app) {
            *pp = p->next;
            preq_free(p);
        } else {
            pp = &p->next;
        }
    }
}

void sim_proxy_free_all(void)
{
    while (zombies) {
        sim_preq *p = zombies;
        zombies = p->next;
        preq_free(p);
    }
    while (pending) {
        sim_preq *p = pending;
        pending = p->next;
        preq_free(p);
    }
    pending_tail = NULL;
    builtin_off = 0;
}

/* The codes the client function's page lists (nf-tapi-lineproxyresponse.md:
 * "zero or one of the negative error values defined for the called
 * function"), plus INVALAGENTSTATE for the two state functions. */
static int result_allowed(DWORD type, DWORD result)
{
    switch (result) {
    case 0:
    case LINEERR_INVALPARAM:
    case LINEERR_NOMEM:
    case LINEERR_OPERATIONFAILED:
    case LINEERR_OPERATIONUNAVAIL:
    case LINEERR_RESOURCEUNAVAIL:
        return 1;
    case LINEERR_INVALAGENTSTATE:
        return type == LINEPROXYREQUEST_SETAGENTSESSIONSTATE || type == LINEPROXYREQUEST_SETAGENTSTATEEX;
    case LINEERR_INVALADDRESSID:
    case LINEERR_NODEVICE:
    case LINEERR_NODRIVER:
        return type == LINEPROXYREQUEST_GETAGENTCAPS;
    default:
        return 0;
    }
}

/* The list structures: { total, needed, used, count, size, offset }. */
static int is_list(DWORD type)
{
    return type == LINEPROXYREQUEST_GETAGENTSESSIONLIST || type == LINEPROXYREQUEST_GETGROUPLIST ||
           type == LINEPROXYREQUEST_GETQUEUELIST;
}

/* 1 when the handler's output structure is consistent (see the rules above). */
static int sizes_ok(const sim_preq *p)
{
    DWORD v[6];
    memcpy(v, (const unsigned char *)p->buf + p->out_offset, sizeof v);
    DWORD total = v[0], needed = v[1], used = v[2];
    if (total != p->out_total || used < p->out_fixed || used > total || needed < used)
        return 0;
    DWORD type = p->buf->dwRequestType;
    if (is_list(type) && v[4] != 0 && (v[5] < p->out_fixed || (uint64_t)v[5] + v[4] > used))
        return 0;
    return 1;
}

SIM_EXPORT LONG WINAPI lineProxyResponse(HLINE hLine, LPLINEPROXYREQUEST lpProxyRequest, DWORD dwResult)
{
    sim_lock();
    sim_touch();
    LONG rc = 0;
    const sim_line *l = sim_any_app() ? sim_line_get(hLine) : NULL;
    if (!sim_any_app())
        rc = E(LINEERR_UNINITIALIZED);
    else if (!l)
        rc = E(LINEERR_INVALLINEHANDLE);
    else if (!l->proxy_mask)
        rc = E(LINEERR_NOTREGISTERED);
    else if (!lpProxyRequest)
        rc = E(LINEERR_INVALPOINTER);
    if (rc == 0) {
        sim_hit hit = sim_fault_take(FN_lineProxyResponse);
        if (hit.kind == TAPISIM_FAULT_ERROR)
            rc = (LONG)hit.lineerr;
    }
    if (rc == 0) {
        sim_preq *p = pending;
        while (p && !(p->buf == lpProxyRequest && p->proxy_line == hLine))
            p = p->next;
        if (!p || !result_allowed(p->buf->dwRequestType, dwResult) ||
            (dwResult == 0 && p->out_offset && !sizes_ok(p))) {
            rc = E(LINEERR_INVALPARAM);
        } else {
            unlink_preq(p);
            complete(p, dwResult);
        }
    }
    sim_unlock();
    return rc;
}

static int proxy_message_allowed(DWORD msg)
{
    switch (msg) {
    case LINE_AGENTSTATUS:
    case LINE_AGENTSTATUSEX:
    case LINE_AGENTSESSIONSTATUS:
    case LINE_QUEUESTATUS:
    case LINE_GROUPSTATUS:
    case LINE_AGENTSPECIFIC:
        return 1;
    default:
        return 0;
    }
}

SIM_EXPORT LONG WINAPI lineProxyMessage(HLINE hLine, HCALL hCall, DWORD dwMsg, DWORD dwParam1, DWORD dwParam2,
                                        DWORD dwParam3)
{
    sim_lock();
    sim_touch();
    LONG rc = 0;
    const sim_line *l = sim_any_app() ? sim_line_get(hLine) : NULL;
    if (!sim_any_app())
        rc = E(LINEERR_UNINITIALIZED);
    else if (!l)
        rc = E(LINEERR_INVALLINEHANDLE);
    else if (!l->proxy_mask)
        rc = E(LINEERR_NOTREGISTERED);
    else if (hCall != 0)
        rc = E(LINEERR_INVALCALLHANDLE);
    else if (!proxy_message_allowed(dwMsg))
        rc = E(LINEERR_INVALPARAM);
    if (rc == 0) {
        sim_hit hit = sim_fault_take(FN_lineProxyMessage);
        if (hit.kind == TAPISIM_FAULT_ERROR)
            rc = (LONG)hit.lineerr;
    }
    if (rc == 0) {
        for (size_t i = 0; i < g.lines.cap; i++) {
            sim_line *o = g.lines.slots[i];
            if (!o || o == l || o->device != l->device || o->version < TAPI_VERSION2_2)
                continue;
            sim_app *a = sim_app_get(o->app);
            if (a && sim_post(a, o->handle, dwMsg, o->cb, dwParam1, dwParam2, dwParam3) != 0)
                rc = E(LINEERR_NOMEM);
        }
    }
    sim_unlock();
    return rc;
}

SIM_EXPORT LONG WINAPI lineGetProxyStatus(HLINEAPP hLineApp, DWORD dwDeviceID, DWORD dwAppAPIVersion,
                                          LPLINEPROXYREQUESTLIST lpLineProxyReqestList)
{
    LPLINEPROXYREQUESTLIST out = lpLineProxyReqestList;
    sim_lock();
    sim_touch();
    LONG rc = 0;
    if (!sim_any_app())
        rc = E(LINEERR_UNINITIALIZED);
    else if (!sim_app_get(hLineApp))
        rc = E(LINEERR_INVALAPPHANDLE);
    else if (dwDeviceID >= g.num_lines)
        rc = E(LINEERR_BADDEVICEID);
    else if (!sim_known_version(dwAppAPIVersion) || dwAppAPIVersion < TAPI_VERSION2_2)
        rc = E(LINEERR_INCOMPATIBLEAPIVERSION);
    else if (!out)
        rc = E(LINEERR_INVALPOINTER);
    else if (out->dwTotalSize < sizeof *out)
        rc = E(LINEERR_STRUCTURETOOSMALL);
    if (rc == 0) {
        sim_hit hit = sim_fault_take(FN_lineGetProxyStatus);
        if (hit.kind == TAPISIM_FAULT_ERROR)
            rc = (LONG)hit.lineerr;
    }
    if (rc == 0) {
        DWORD types[32], n = 0;
        for (DWORD t = LINEPROXYREQUEST_SETAGENTGROUP; t <= LINEPROXYREQUEST_SETAGENTSTATEEX; t++)
            if (handler_of(dwDeviceID, t))
                types[n++] = t;
        DWORD list = n * (DWORD)sizeof(DWORD);
        DWORD total = out->dwTotalSize;
        memset((unsigned char *)out + sizeof(DWORD), 0, sizeof *out - sizeof(DWORD));
        out->dwNeededSize = (DWORD)sizeof *out + list;
        out->dwUsedSize = (DWORD)sizeof *out;
        if (out->dwNeededSize <= total) {
            out->dwNumEntries = n;
            out->dwListSize = list;
            out->dwListOffset = (DWORD)sizeof *out;
            memcpy((unsigned char *)out + sizeof *out, types, list);
            out->dwUsedSize = out->dwNeededSize;
        }
    }
    sim_unlock();
    return rc;
}

SIM_EXPORT int tapisim_set_builtin_handler(int on)
{
    sim_lock();
    builtin_off = !on;
    sim_unlock();
    return TAPISIM_OK;
}
