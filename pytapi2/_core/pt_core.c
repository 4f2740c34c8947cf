/*
 * pytapi2 request core: every asynchronous TAPI request takes this one road.
 *
 * - Issuing a request and recording it in the pending table is one step
 *   under the core lock (pt_issue): a LINE_REPLY pumped by another thread
 *   before the call has even returned waits for the record, and no Python
 *   code runs in between, so nothing (a signal handler's exception, an
 *   asynchronous exception) can separate the call from its record.
 * - TAPI writes only into memory of a pt_req, which the core frees only when
 *   Python has released it and TAPI can no longer write into it (its
 *   LINE_REPLY was dispatched, or the app was shut down). A caller that stops
 *   waiting (timeout, Ctrl-C, any exception) just drops its reference.
 * - The waiting caller pumps lineGetMessage itself with the lock released (and,
 *   in the binding, the GIL released by cffi), one pumper at a time; others
 *   sleep on their own condition variable and are woken by their own reply,
 *   or by the hand-over when the pumper leaves. A wait returns after at most
 *   the `ms` it was given, so Python can run its signal handlers in between.
 * - Replies of other threads are dispatched to them; other messages are
 *   queued here for Python (pt_next_event). LINE_CLOSE fails the line's
 *   waiters, shutdown fails all of them.
 * - A reply whose structure was too small is re-issued here with a buffer of
 *   dwNeededSize (at most PT_MAX_ATTEMPTS calls, PT_MAX_SIZE bytes).
 *
 * The including translation unit declares the TAPI types and functions.
 */
#include <stdlib.h>
#include <string.h>

#include "pt_core.h"

struct pt_waiter {
    pt_cond cond;          /* initialised only before its first sleep (has_cond) */
    int has_cond;
    struct pt_waiter *next, *prev;
    int events;            /* wants to hear about queued events */
};

struct pt_core {
    pt_mutex lock;
    HLINEAPP app;
    unsigned fork_gen;
    int closed_reason;     /* PT_OPEN, PT_REASON_* */
    int python_ref;
    DWORD refs;            /* Python's reference + requests attached */
    int pumping;
    /* pending table: chained hash by request ID */
    pt_req **buckets;
    DWORD nbuckets, npending;
    pt_req *retained;      /* memory TAPI might still write, kept until shutdown */
    DWORD nretained;
    /* sleeping waiters (a ring with a sentinel) */
    struct pt_waiter sleepers;
    DWORD nsleepers;
    /* closed lines */
    DWORD *closed_lines;
    DWORD nclosed, closed_cap;
    /* event ring */
    LINEMESSAGE *events;
    DWORD ev_head, ev_count, ev_cap, ev_max;
    uint64_t dropped, stray, late;
    DWORD last_stray;      /* request ID of the last unknown LINE_REPLY */
    DWORD last_issued;     /* request ID of the last call TAPI accepted */
    uint64_t issued;       /* TAPI calls made (retries included) */
};

/* What an out-handle holds before TAPI writes it. */
#define PT_UNWRITTEN 0xFFFFFFFFu
#define PT_NO_MESSAGE ((LONG)LINEERR_OPERATIONFAILED) /* lineGetMessage timed out */
#define PT_BAD_APP ((LONG)LINEERR_INVALAPPHANDLE)

/* Requests alive (allocated and not freed), over all cores: for leak tests. */
static volatile long pt_live;

static void pt_global_init(void)
{
    pt_fork_init();
}

static void pt_live_add(int delta)
{
    pt_atomic_add(&pt_live, delta);
}

DWORD pt_live_requests(void)
{
    return (DWORD)pt_atomic_add(&pt_live, 0);
}

static int pt_is_forked(const pt_core *core)
{
    return core->fork_gen != pt_fork_generation();
}

/* ---- core life ----------------------------------------------------------- */

pt_core *pt_core_new(HLINEAPP app, DWORD event_capacity)
{
    pt_core *core;
    pt_global_init();
    core = calloc(1, sizeof *core);
    if (!core)
        return NULL;
    core->nbuckets = 64;
    core->buckets = calloc(core->nbuckets, sizeof *core->buckets);
    if (!core->buckets || pt_mutex_init(&core->lock) != 0) {
        free(core->buckets);
        free(core);
        return NULL;
    }
    core->app = app;
    core->fork_gen = pt_fork_generation();
    core->python_ref = 1;
    core->refs = 1;
    core->sleepers.next = core->sleepers.prev = &core->sleepers;
    core->ev_max = event_capacity ? event_capacity : 1;
    return core;
}

static void pt_core_destroy(pt_core *core)
{
    free(core->buckets);
    free(core->closed_lines);
    free(core->events);
    pt_mutex_destroy(&core->lock);
    free(core);
}

/* With the lock held: drop one reference; 1 if the caller must destroy. */
static int pt_core_unref_locked(pt_core *core)
{
    core->refs--;
    return core->refs == 0;
}

void pt_core_release(pt_core *core)
{
    int destroy;
    if (!core)
        return;
    if (pt_is_forked(core))
        return; /* the parent's memory in a child: its lock may be held forever */
    pt_mutex_lock(&core->lock);
    core->python_ref = 0;
    destroy = pt_core_unref_locked(core);
    pt_mutex_unlock(&core->lock);
    if (destroy)
        pt_core_destroy(core);
}

/* ---- requests ------------------------------------------------------------ */

void *pt_req_alloc(size_t size)
{
    pt_req *req;
    pt_global_init();
    if (size < sizeof(pt_req))
        size = sizeof(pt_req);
    req = calloc(1, size);
    if (!req)
        return NULL;
    req->python_ref = 1;
    pt_live_add(1);
    return req;
}

static void pt_req_release_buffer(pt_req *req)
{
    if (req->buffer && req->buffer != (char *)req->inline_buffer.bytes)
        free(req->buffer);
    req->buffer = NULL;
}

static void pt_req_destroy(pt_req *req)
{
    pt_req_release_buffer(req);
    free(req->s1);
    free(req->s2);
    free(req);
    pt_live_add(-1);
}

/* With the lock held: free `req` if nobody needs it any more. Returns 1 if
   that dropped the core's last reference (the caller destroys the core
   after unlocking). */
static int pt_req_maybe_free(pt_req *req)
{
    pt_core *core = req->core;
    if (req->python_ref || req->in_flight || req->retained)
        return 0;
    pt_req_destroy(req);
    return core ? pt_core_unref_locked(core) : 0;
}

void pt_req_free(void *pointer)
{
    pt_req *req = pointer;
    pt_core *core;
    int destroy;
    if (!req)
        return;
    core = req->core;
    if (!core) {
        pt_req_destroy(req);
        return;
    }
    if (pt_is_forked(core))
        return; /* the parent's request in a child: leave its memory alone */
    pt_mutex_lock(&core->lock);
    req->python_ref = 0;
    destroy = pt_req_maybe_free(req);
    pt_mutex_unlock(&core->lock);
    if (destroy)
        pt_core_destroy(core);
}

/* The count of a request array lives in a header before its first element. */
typedef union {
    size_t count;
    void *align_pointer;
    double align_double;
} pt_reqs_header;

void *pt_reqs_alloc(size_t size)
{
    size_t n = size / sizeof(pt_req *), i;
    pt_reqs_header *header = malloc(sizeof *header + n * sizeof(pt_req *));
    pt_req **reqs;
    if (!header)
        return NULL;
    header->count = n;
    reqs = (pt_req **)(header + 1);
    for (i = 0; i < n; i++) {
        reqs[i] = pt_req_alloc(sizeof(pt_req));
        if (!reqs[i]) {
            while (i-- > 0)
                pt_req_free(reqs[i]);
            free(header);
            return NULL;
        }
    }
    return reqs;
}

void pt_reqs_free(void *pointer)
{
    pt_reqs_header *header;
    pt_req **reqs = pointer;
    size_t i;
    if (!reqs)
        return;
    header = (pt_reqs_header *)pointer - 1;
    for (i = 0; i < header->count; i++)
        pt_req_free(reqs[i]);
    free(header);
}

/* ---- the pending table (lock held) --------------------------------------- */

static DWORD pt_bucket(const pt_core *core, DWORD id)
{
    return (id * 2654435761u) & (core->nbuckets - 1);
}

static pt_req *pt_table_take(pt_core *core, DWORD id)
{
    pt_req **link = &core->buckets[pt_bucket(core, id)];
    for (; *link; link = &(*link)->hnext) {
        if ((*link)->request_id == id) {
            pt_req *req = *link;
            *link = req->hnext;
            req->hnext = NULL;
            req->in_flight = 0;
            core->npending--;
            return req;
        }
    }
    return NULL;
}

static void pt_table_grow(pt_core *core)
{
    DWORD n = core->nbuckets * 2, i;
    pt_req **buckets = calloc(n, sizeof *buckets);
    pt_req **old = core->buckets;
    DWORD oldn = core->nbuckets;
    if (!buckets)
        return; /* longer chains, still correct */
    core->buckets = buckets;
    core->nbuckets = n;
    for (i = 0; i < oldn; i++) {
        pt_req *req = old[i];
        while (req) {
            pt_req *next = req->hnext;
            DWORD b = pt_bucket(core, req->request_id);
            req->hnext = buckets[b];
            buckets[b] = req;
            req = next;
        }
    }
    free(old);
}

static void pt_retain(pt_core *core, pt_req *req)
{
    if (req->retained)
        return;
    req->retained = 1;
    req->rnext = core->retained;
    core->retained = req;
    core->nretained++;
}

static void pt_wake(pt_req *req)
{
    /* A waiter without a condition is pumping: it sees the status itself. */
    if (req->waiter && req->waiter->has_cond)
        pt_cond_signal(&req->waiter->cond);
}

static void pt_table_put(pt_core *core, pt_req *req)
{
    pt_req *previous = pt_table_take(core, req->request_id);
    DWORD b;
    if (previous) {
        /* TAPI reused an ID still awaiting its reply: the first request's
           memory may still be written, so it stays until shutdown. */
        pt_retain(core, previous);
        if (previous->status == PT_PENDING) {
            previous->status = PT_REUSED;
            pt_wake(previous);
        }
    }
    if (core->npending >= core->nbuckets * 2)
        pt_table_grow(core);
    b = pt_bucket(core, req->request_id);
    req->hnext = core->buckets[b];
    core->buckets[b] = req;
    req->in_flight = 1;
    core->npending++;
}

/* ---- issuing (lock held) ------------------------------------------------- */

static int pt_is_struct_op(int op)
{
    return op >= PT_OP_SESSION_INFO && op <= PT_OP_AGENT_CAPS;
}

static int pt_line_closed_locked(const pt_core *core, DWORD line)
{
    DWORD i;
    for (i = 0; i < core->nclosed; i++)
        if (core->closed_lines[i] == line)
            return 1;
    return 0;
}

/* A zeroed buffer of `size` bytes with dwTotalSize set. */
static int pt_req_buffer(pt_req *req, DWORD size)
{
    pt_req_release_buffer(req);
    if (size <= PT_INLINE_SIZE) {
        memset(req->inline_buffer.bytes, 0, PT_INLINE_SIZE);
        req->buffer = (char *)req->inline_buffer.bytes;
    } else {
        req->buffer = calloc(1, size);
        if (!req->buffer)
            return -1;
    }
    memcpy(req->buffer, &size, sizeof size); /* dwTotalSize: offset 0 of every structure */
    req->size = size;
    return 0;
}

/* Make the TAPI call of `req` (its buffer ready); the LONG TAPI returned. */
static LONG pt_invoke(pt_core *core, pt_req *req)
{
    void *buf = req->buffer;
    switch (req->op) {
    case PT_OP_SESSION_INFO:
        return lineGetAgentSessionInfo(req->line, req->a, (LPLINEAGENTSESSIONINFO)buf);
    case PT_OP_AGENT_INFO:
        return lineGetAgentInfo(req->line, req->a, (LPLINEAGENTINFO)buf);
    case PT_OP_QUEUE_INFO:
        return lineGetQueueInfo(req->line, req->a, (LPLINEQUEUEINFO)buf);
    case PT_OP_SESSION_LIST:
        return lineGetAgentSessionList(req->line, req->a, (LPLINEAGENTSESSIONLIST)buf);
    case PT_OP_GROUP_LIST:
        return lineGetGroupListW(req->line, (LPLINEAGENTGROUPLIST)buf);
    case PT_OP_QUEUE_LIST:
        return lineGetQueueListW(req->line, &req->guid, (LPLINEQUEUELIST)buf);
    case PT_OP_AGENT_CAPS:
        return lineGetAgentCapsW(core->app, req->a, req->b, req->c, (LPLINEAGENTCAPS)buf);
    case PT_OP_CREATE_AGENT:
        return lineCreateAgentW(req->line, req->s1, req->s2, &req->handle);
    case PT_OP_CREATE_SESSION:
        return lineCreateAgentSessionW(req->line, req->a, req->s1, req->b,
                                       req->has_guid ? &req->guid : NULL, &req->handle);
    case PT_OP_SET_SESSION_STATE:
        return lineSetAgentSessionState(req->line, req->a, req->b, req->c);
    case PT_OP_SET_AGENT_STATE:
        return lineSetAgentStateEx(req->line, req->a, req->b, req->c);
    case PT_OP_SET_AGENT_PERIOD:
        return lineSetAgentMeasurementPeriod(req->line, req->a, req->b);
    case PT_OP_SET_QUEUE_PERIOD:
        return lineSetQueueMeasurementPeriod(req->line, req->a, req->b);
    default:
        return (LONG)LINEERR_OPERATIONUNAVAIL;
    }
}

/* Call and record; sets the status. */
static int pt_start_locked(pt_core *core, pt_req *req)
{
    LONG rc;
    req->attempts++;
    core->issued++;
    rc = pt_invoke(core, req);
    if (rc <= 0) {
        /* Failed at once (or, not expected of TAPI, completed synchronously). */
        req->result = rc < 0 ? rc : 0;
        req->status = PT_DONE;
        return req->status;
    }
    req->request_id = (DWORD)rc;
    core->last_issued = (DWORD)rc;
    req->status = PT_PENDING;
    pt_table_put(core, req);
    return req->status;
}

/* A finished request made ready for another call (its buffer is kept). */
static void pt_req_reset(pt_req *req)
{
    req->status = PT_IDLE;
    req->result = 0;
    req->request_id = 0;
    req->handle = 0;
    req->needed = 0;
    req->attempts = 0;
    req->suspicious = 0;
    req->clean = 0;
    free(req->s1);
    free(req->s2);
    req->s1 = req->s2 = NULL;
    req->has_guid = 0;
}

static WCHAR *pt_wcsdup(const WCHAR *text)
{
    size_t n = 0;
    WCHAR *copy;
    while (text[n])
        n++;
    copy = malloc((n + 1) * sizeof *copy);
    if (copy)
        memcpy(copy, text, (n + 1) * sizeof *copy);
    return copy;
}

static int pt_fail_closed(const pt_core *core)
{
    return core->closed_reason == PT_OPEN ? PT_CLOSED : PT_SHUTDOWN;
}

static int pt_issue_locked(pt_core *core, pt_req *req, int op, DWORD line, DWORD a, DWORD b,
                           DWORD c, const WCHAR *s1, const WCHAR *s2, const GUID *guid,
                           DWORD size)
{
    if (req->core && req->core != core)
        return -1;
    if (req->status != PT_IDLE) {
        /* Reused by Python (a pool of finished requests): only once TAPI
           can no longer write into it. */
        if (req->status == PT_PENDING || req->in_flight || req->retained)
            return -1;
        pt_req_reset(req);
    }
    if (!req->core) {
        req->core = core;
        core->refs++;
    }
    if (core->closed_reason != PT_OPEN || (op != PT_OP_AGENT_CAPS &&
                                           pt_line_closed_locked(core, line))) {
        req->status = pt_fail_closed(core);
        return req->status;
    }
    req->op = op;
    req->line = line;
    req->a = a;
    req->b = b;
    req->c = c;
    if ((s1 && !(req->s1 = pt_wcsdup(s1))) || (s2 && !(req->s2 = pt_wcsdup(s2)))) {
        req->status = PT_NOMEM;
        return req->status;
    }
    if (guid) {
        req->guid = *guid;
        req->has_guid = 1;
    }
    req->handle = PT_UNWRITTEN;
    if (pt_is_struct_op(op) && pt_req_buffer(req, size) != 0) {
        req->status = PT_NOMEM;
        return req->status;
    }
    return pt_start_locked(core, req);
}

int pt_issue(pt_core *core, pt_req *req, int op, DWORD line, DWORD a, DWORD b, DWORD c,
             const WCHAR *s1, const WCHAR *s2, const GUID *guid, DWORD size)
{
    int status;
    if (pt_is_forked(core))
        return req->status = PT_FORKED;
    pt_mutex_lock(&core->lock);
    status = pt_issue_locked(core, req, op, line, a, b, c, s1, s2, guid, size);
    pt_mutex_unlock(&core->lock);
    return status;
}

/* ---- dispatching (lock held) --------------------------------------------- */

static void pt_fail_line(pt_core *core, DWORD line, int all, int status)
{
    DWORD i;
    for (i = 0; i < core->nbuckets; i++) {
        pt_req *req;
        for (req = core->buckets[i]; req; req = req->hnext) {
            if (req->status == PT_PENDING && (all || req->line == line) &&
                (all || req->op != PT_OP_AGENT_CAPS)) {
                req->status = status;
                pt_wake(req);
            }
        }
    }
}

static void pt_wake_all(pt_core *core)
{
    struct pt_waiter *w;
    for (w = core->sleepers.next; w != &core->sleepers; w = w->next)
        pt_cond_signal(&w->cond);
}

static int pt_close_line_locked(pt_core *core, DWORD line, int status)
{
    if (pt_line_closed_locked(core, line))
        return 0;
    if (core->nclosed == core->closed_cap) {
        DWORD cap = core->closed_cap ? core->closed_cap * 2 : 8;
        DWORD *grown = realloc(core->closed_lines, cap * sizeof *grown);
        if (!grown)
            return -1;
        core->closed_lines = grown;
        core->closed_cap = cap;
    }
    core->closed_lines[core->nclosed++] = line;
    pt_fail_line(core, line, 0, status);
    pt_wake_all(core);
    return 1;
}

static void pt_fail_all(pt_core *core, int reason)
{
    if (core->closed_reason == PT_OPEN)
        core->closed_reason = reason;
    pt_fail_line(core, 0, 1, PT_SHUTDOWN);
    pt_wake_all(core);
}

static void pt_queue_event(pt_core *core, const LINEMESSAGE *msg)
{
    struct pt_waiter *w;
    if (core->ev_count == core->ev_cap && core->ev_cap < core->ev_max) {
        DWORD cap = core->ev_cap ? core->ev_cap * 2 : 64, i;
        LINEMESSAGE *grown;
        if (cap > core->ev_max)
            cap = core->ev_max;
        grown = malloc(cap * sizeof *grown);
        if (grown) {
            for (i = 0; i < core->ev_count; i++)
                grown[i] = core->events[(core->ev_head + i) % core->ev_cap];
            free(core->events);
            core->events = grown;
            core->ev_cap = cap;
            core->ev_head = 0;
        }
    }
    if (core->ev_cap == 0) {
        core->dropped++;
        return;
    }
    if (core->ev_count == core->ev_cap) {
        /* Full: the oldest event goes (counted; Python logs it). */
        core->ev_head = (core->ev_head + 1) % core->ev_cap;
        core->ev_count--;
        core->dropped++;
    }
    core->events[(core->ev_head + core->ev_count) % core->ev_cap] = *msg;
    core->ev_count++;
    for (w = core->sleepers.next; w != &core->sleepers; w = w->next)
        if (w->events)
            pt_cond_signal(&w->cond);
}

/* The reply of a structure request: grow and re-issue if TAPI asked for more.
   Returns 1 if the request goes on (re-issued), 0 if it is complete. */
static int pt_struct_reply(pt_core *core, pt_req *req)
{
    DWORD needed, used;
    memcpy(&needed, req->buffer + 4, sizeof needed);
    memcpy(&used, req->buffer + 8, sizeof used);
    if (used == 0) {
        /* TAPI always sets dwUsedSize: this success came before TAPI wrote
           (a stray or duplicated reply ID). The genuine reply may still
           write this buffer: it stays with the core until shutdown. */
        req->suspicious = 1;
        pt_retain(core, req);
        return 0;
    }
    if (needed <= req->size)
        return 0;
    req->needed = needed;
    if (needed > PT_MAX_SIZE) {
        req->status = PT_TOOBIG;
        return 0;
    }
    if (req->attempts >= PT_MAX_ATTEMPTS) {
        req->status = PT_TOOMANY;
        return 0;
    }
    if (pt_req_buffer(req, needed) != 0) {
        req->status = PT_NOMEM;
        return 0;
    }
    return pt_start_locked(core, req) == PT_PENDING;
}

static int pt_dispatch(pt_core *core, const LINEMESSAGE *msg)
{
    if (msg->dwMessageID == LINE_REPLY) {
        pt_req *req = pt_table_take(core, (DWORD)msg->dwParam1);
        LONG result = (LONG)(DWORD)msg->dwParam2;
        if (!req) {
            core->stray++;
            core->last_stray = (DWORD)msg->dwParam1;
            return 0;
        }
        if (req->status != PT_PENDING || !req->python_ref)
            core->late++; /* nobody waits for it any more */
        if (req->status == PT_PENDING) {
            req->result = result;
            req->status = PT_DONE;
            if (result == 0 && pt_is_struct_op(req->op) && pt_struct_reply(core, req))
                return 0; /* re-issued: still pending, nobody to wake */
            if (result == 0 && req->handle == PT_UNWRITTEN &&
                (req->op == PT_OP_CREATE_AGENT || req->op == PT_OP_CREATE_SESSION)) {
                /* The handle still holds the marker: perhaps a valid handle
                   (no page reserves a value), perhaps a stray reply before
                   the write. Python returns it; the memory stays here until
                   shutdown in case the genuine write comes later. */
                req->suspicious = 1;
                pt_retain(core, req);
            }
            req->clean = req->status == PT_DONE && req->result == 0 && req->attempts == 1 &&
                         !req->suspicious;
            pt_wake(req);
        }
        /* A late reply of an abandoned or failed request: TAPI is done
           with its memory now. */
        return pt_req_maybe_free(req);
    }
    if (msg->dwMessageID == LINE_CLOSE)
        (void)pt_close_line_locked(core, msg->hDevice, PT_PROVIDER_CLOSED);
    pt_queue_event(core, msg);
    return 0;
}

/* ---- waiting ------------------------------------------------------------- */

typedef int (*pt_ready_fn)(pt_core *core, void *arg);

/* The waiter's condition variable, made on first need: an uncontended wait
   pumps its own reply and never sleeps. 0 if it cannot be made. */
static int pt_waiter_cond(struct pt_waiter *w)
{
    if (!w->has_cond && pt_cond_init(&w->cond) == 0)
        w->has_cond = 1;
    return w->has_cond;
}

/* With the lock held: pump or sleep until ready() or `ms` have passed (a zero
   `ms` still fetches every message already queued). Returns ready(). */
static int pt_wait_locked(pt_core *core, pt_ready_fn ready, void *arg, struct pt_waiter *w,
                          DWORD ms)
{
    uint64_t deadline = pt_now_ms() + ms;
    int idle = 0;   /* lineGetMessage found nothing at least once */
    int result;
    LINEMESSAGE msg;
    for (;;) {
        uint64_t now;
        DWORD left;
        if (ready(core, arg)) {
            result = 1;
            break;
        }
        if (core->closed_reason != PT_OPEN) {
            result = ready(core, arg);
            break;
        }
        now = pt_now_ms();
        left = now >= deadline ? 0 : (DWORD)(deadline - now);
        if (!core->pumping) {
            LONG rc;
            if (left == 0 && idle) {
                result = 0;
                break;
            }
            core->pumping = 1;
            pt_mutex_unlock(&core->lock);
            rc = lineGetMessage(core->app, &msg, left);
            pt_mutex_lock(&core->lock);
            core->pumping = 0;
            if (rc == 0) {
                /* Never the last core reference: the caller's is counted. */
                (void)pt_dispatch(core, &msg);
            } else if (rc == PT_BAD_APP) {
                pt_fail_all(core, PT_REASON_INVALAPPHANDLE);
            } else {
                idle = 1;
                if (rc != PT_NO_MESSAGE && left > 0 && pt_waiter_cond(w)) {
                    /* Another error: do not spin on it. */
                    pt_cond_wait_ms(&w->cond, &core->lock, left < 10 ? left : 10);
                }
            }
            continue;
        }
        if (left == 0 || !pt_waiter_cond(w)) {
            result = 0;
            break;
        }
        w->next = &core->sleepers;
        w->prev = core->sleepers.prev;
        w->prev->next = w;
        core->sleepers.prev = w;
        core->nsleepers++;
        pt_cond_wait_ms(&w->cond, &core->lock, left);
        w->prev->next = w->next;
        w->next->prev = w->prev;
        core->nsleepers--;
    }
    if (!core->pumping && core->sleepers.next != &core->sleepers)
        pt_cond_signal(&core->sleepers.next->cond); /* hand the pump role over */
    return result;
}

static void pt_waiter_init(struct pt_waiter *w, int events)
{
    w->next = w->prev = w;
    w->events = events;
    w->has_cond = 0;
}

static void pt_waiter_done(struct pt_waiter *w)
{
    if (w->has_cond)
        pt_cond_destroy(&w->cond);
}

static int pt_req_ready(pt_core *core, void *arg)
{
    (void)core;
    return ((pt_req *)arg)->status != PT_PENDING;
}

static int pt_wait_locked_req(pt_core *core, pt_req *req, DWORD ms)
{
    struct pt_waiter w;
    if (req->status != PT_PENDING)
        return req->status;
    pt_waiter_init(&w, 0);
    req->waiter = &w;
    (void)pt_wait_locked(core, pt_req_ready, req, &w, ms);
    req->waiter = NULL;
    pt_waiter_done(&w);
    return req->status;
}

int pt_wait(pt_core *core, pt_req *req, DWORD ms)
{
    int status;
    if (pt_is_forked(core))
        return PT_FORKED;
    pt_mutex_lock(&core->lock);
    status = pt_wait_locked_req(core, req, ms);
    pt_mutex_unlock(&core->lock);
    return status;
}

int pt_call(pt_core *core, pt_req *req, int op, DWORD line, DWORD a, DWORD b, DWORD c,
            DWORD size, DWORD ms)
{
    int status;
    if (pt_is_forked(core))
        return req->status = PT_FORKED;
    pt_mutex_lock(&core->lock);
    status = pt_issue_locked(core, req, op, line, a, b, c, NULL, NULL, NULL, size);
    if (status == PT_PENDING)
        status = pt_wait_locked_req(core, req, ms);
    if (status == PT_DONE && req->result == 0 && req->attempts == 1 && !req->suspicious)
        status = PT_CLEAN;
    pt_mutex_unlock(&core->lock);
    return status;
}

int pt_issue_many(pt_core *core, pt_req **reqs, DWORD n, int op, DWORD line,
                  const DWORD *handles, DWORD size)
{
    DWORD i;
    if (pt_is_forked(core))
        return PT_FORKED;
    pt_mutex_lock(&core->lock);
    for (i = 0; i < n; i++)
        (void)pt_issue_locked(core, reqs[i], op, line, handles[i], 0, 0, NULL, NULL, NULL, size);
    pt_mutex_unlock(&core->lock);
    return 0;
}

struct pt_batch {
    pt_req **reqs;
    DWORD n, next;   /* reqs[0..next) are over */
};

static int pt_batch_ready(pt_core *core, void *arg)
{
    struct pt_batch *batch = arg;
    (void)core;
    while (batch->next < batch->n && batch->reqs[batch->next]->status != PT_PENDING)
        batch->next++;
    return batch->next == batch->n;
}

DWORD pt_wait_many(pt_core *core, pt_req **reqs, DWORD n, DWORD ms)
{
    struct pt_waiter w;
    struct pt_batch batch;
    DWORD i, pending = 0;
    if (pt_is_forked(core))
        return n;
    batch.reqs = reqs;
    batch.n = n;
    batch.next = 0;
    pt_mutex_lock(&core->lock);
    pt_waiter_init(&w, 0);
    {
        for (i = 0; i < n; i++)
            if (reqs[i]->status == PT_PENDING)
                reqs[i]->waiter = &w;
        (void)pt_wait_locked(core, pt_batch_ready, &batch, &w, ms);
        for (i = 0; i < n; i++) {
            if (reqs[i]->waiter == &w)
                reqs[i]->waiter = NULL;
            if (reqs[i]->status == PT_PENDING)
                pending++;
        }
        pt_waiter_done(&w);
    }
    pt_mutex_unlock(&core->lock);
    return pending;
}

DWORD pt_copy_clean(pt_core *core, pt_req **reqs, DWORD n, DWORD size, char *out,
                    unsigned char *clean)
{
    DWORD i, count = 0;
    pt_mutex_lock(&core->lock);
    for (i = 0; i < n; i++) {
        const pt_req *req = reqs[i];
        char *to = out + (size_t)i * size;
        if (req->clean && req->status == PT_DONE && req->size == size && req->buffer) {
            memcpy(to, req->buffer, size);
            clean[i] = 1;
            count++;
        } else {
            memset(to, 0, size);
            clean[i] = 0;
        }
    }
    pt_mutex_unlock(&core->lock);
    return count;
}

static int pt_event_ready(pt_core *core, void *arg)
{
    (void)arg;
    return core->ev_count > 0;
}

int pt_next_event(pt_core *core, LINEMESSAGE *out, DWORD ms)
{
    struct pt_waiter w;
    int got = 0;
    if (pt_is_forked(core))
        return -1;
    pt_mutex_lock(&core->lock);
    if (core->ev_count == 0 && core->closed_reason == PT_OPEN) {
        pt_waiter_init(&w, 1);
        (void)pt_wait_locked(core, pt_event_ready, NULL, &w, ms);
        pt_waiter_done(&w);
    }
    if (core->ev_count > 0) {
        *out = core->events[core->ev_head];
        core->ev_head = (core->ev_head + 1) % core->ev_cap;
        core->ev_count--;
        got = 1;
    } else if (core->closed_reason != PT_OPEN) {
        got = -1;
    }
    pt_mutex_unlock(&core->lock);
    return got;
}

/* ---- closing ------------------------------------------------------------- */

int pt_close_line(pt_core *core, DWORD line)
{
    int rc;
    if (pt_is_forked(core))
        return -1;
    pt_mutex_lock(&core->lock);
    rc = core->closed_reason != PT_OPEN ? 0 : pt_close_line_locked(core, line, PT_CLOSED);
    pt_mutex_unlock(&core->lock);
    return rc;
}

int pt_line_closed(pt_core *core, DWORD line)
{
    int rc;
    if (pt_is_forked(core))
        return 1;
    pt_mutex_lock(&core->lock);
    rc = core->closed_reason != PT_OPEN || pt_line_closed_locked(core, line);
    pt_mutex_unlock(&core->lock);
    return rc;
}

LONG pt_shutdown(pt_core *core, int *called)
{
    HLINEAPP app;
    LONG rc;
    DWORD i;
    pt_req *req;
    *called = 0;
    if (pt_is_forked(core))
        return 0;
    pt_mutex_lock(&core->lock);
    if (core->app == 0) {
        pt_mutex_unlock(&core->lock);
        return 0;
    }
    pt_fail_all(core, PT_REASON_SHUTDOWN);
    app = core->app;
    core->app = 0;
    pt_mutex_unlock(&core->lock);
    /* Outside the lock: lineShutdown wakes a thread blocked in lineGetMessage. */
    rc = lineShutdown(app);
    *called = 1;
    pt_mutex_lock(&core->lock);
    /* TAPI writes nothing after lineShutdown: every buffer is ours again. */
    for (i = 0; i < core->nbuckets; i++) {
        while ((req = core->buckets[i]) != NULL) {
            core->buckets[i] = req->hnext;
            req->hnext = NULL;
            req->in_flight = 0;
            core->npending--;
            (void)pt_req_maybe_free(req); /* the caller's core reference remains */
        }
    }
    while ((req = core->retained) != NULL) {
        core->retained = req->rnext;
        req->rnext = NULL;
        req->retained = 0;
        core->nretained--;
        (void)pt_req_maybe_free(req);
    }
    core->ev_count = 0;
    pt_wake_all(core);
    pt_mutex_unlock(&core->lock);
    return rc;
}

/* ---- introspection (tests, logging) -------------------------------------- */

#define PT_READ(expr, fallback)                       \
    do {                                              \
        if (pt_is_forked(core))                       \
            return fallback;                          \
        pt_mutex_lock(&core->lock);                   \
        value = (expr);                               \
        pt_mutex_unlock(&core->lock);                 \
        return value;                                 \
    } while (0)

int pt_core_closed_reason(pt_core *core) { int value; PT_READ(core->closed_reason, PT_REASON_SHUTDOWN); }
int pt_core_forked(pt_core *core) { return pt_is_forked(core); }
DWORD pt_pending_count(pt_core *core) { DWORD value; PT_READ(core->npending, 0); }
DWORD pt_retained_count(pt_core *core) { DWORD value; PT_READ(core->nretained, 0); }
int pt_pumping(pt_core *core) { int value; PT_READ(core->pumping, 0); }
DWORD pt_sleeper_count(pt_core *core) { DWORD value; PT_READ(core->nsleepers, 0); }
uint64_t pt_dropped_events(pt_core *core) { uint64_t value; PT_READ(core->dropped, 0); }
uint64_t pt_stray_replies(pt_core *core) { uint64_t value; PT_READ(core->stray, 0); }
DWORD pt_last_stray(pt_core *core) { DWORD value; PT_READ(core->last_stray, 0); }
DWORD pt_last_issued(pt_core *core) { DWORD value; PT_READ(core->last_issued, 0); }
uint64_t pt_issued(pt_core *core) { uint64_t value; PT_READ(core->issued, 0); }
uint64_t pt_late_replies(pt_core *core) { uint64_t value; PT_READ(core->late, 0); }
