/*
 * C tests of the binding's request core (pytapi2/_core), compiled with the
 * simulator's sources under ASan + UBSan + LSan by tests/c/run.sh: the core
 * calls the simulator's TAPI exports directly here.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pytapi2_tapi.h"

#include "pt_core.c"

static int failures, checks;
static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;

#define EQ(a, b)                                                                          \
    do {                                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);                               \
        pthread_mutex_lock(&count_mu);                                                    \
        checks++;                                                                         \
        if (a_ != b_) {                                                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
                    #a, #b, a_, b_);                                                      \
            failures++;                                                                   \
        }                                                                                 \
        pthread_mutex_unlock(&count_mu);                                                  \
    } while (0)

static const GUID G1 = {0x11111111, 0x2222, 0x3333, {1, 2, 3, 4, 5, 6, 7, 8}};

typedef struct world {
    HLINEAPP app;
    HLINE line;
    pt_core *core;
    HAGENT agent;
    HAGENTSESSION session;
} world;

static pt_req *new_req(void) { return pt_req_alloc(sizeof(pt_req)); }

/* Issue and wait (slices of 200 ms, as Python does) until the request is over. */
static int run(world *w, pt_req *req)
{
    int status = req->status;
    while (status == PT_PENDING)
        status = pt_wait(w->core, req, 200);
    return status;
}

static void setup(world *w)
{
    LINEINITIALIZEEXPARAMS p;
    DWORD ndev, ver = TAPI_VERSION3_1;
    pt_req *req;
    memset(&p, 0, sizeof p);
    memset(w, 0, sizeof *w);
    p.dwTotalSize = sizeof p;
    p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
    EQ(tapisim_reset(), 0);
    EQ(tapisim_add_agent(u"1001", u"1234"), 0);
    EQ(tapisim_add_group(&G1, u"Sales"), 0);
    EQ(lineInitializeExW(&w->app, NULL, NULL, u"core", &ndev, &ver, &p), 0);
    EQ(lineOpenW(w->app, 0, &w->line, TAPI_VERSION3_1, 0, 0, LINECALLPRIVILEGE_NONE,
                 LINEMEDIAMODE_INTERACTIVEVOICE, NULL), 0);
    w->core = pt_core_new(w->app, 1000);

    req = new_req();
    pt_issue(w->core, req, PT_OP_CREATE_AGENT, w->line, 0, 0, 0, u"1001", u"1234", NULL, 0);
    EQ(run(w, req), PT_DONE);
    EQ(req->result, 0);
    w->agent = req->handle;
    EQ(w->agent != 0, 1);
    pt_req_free(req);

    req = new_req();
    pt_issue(w->core, req, PT_OP_CREATE_SESSION, w->line, w->agent, 0, 0, NULL, NULL, &G1, 0);
    EQ(run(w, req), PT_DONE);
    EQ(req->result, 0);
    w->session = req->handle;
    pt_req_free(req);
}

static void teardown(world *w)
{
    int called;
    pt_shutdown(w->core, &called);
    EQ(called, 1);
    EQ(pt_pending_count(w->core), 0);
    EQ(pt_retained_count(w->core), 0);
    pt_core_release(w->core);
    EQ(pt_live_requests(), 0);
}

static void test_info_and_events(void)
{
    world w;
    pt_req *req;
    LINEMESSAGE msg;
    int events = 0;
    setup(&w);
    req = new_req();
    EQ(pt_call(w.core, req, PT_OP_SESSION_INFO, w.line, w.session, 0, 0,
               sizeof(LINEAGENTSESSIONINFO), 200), PT_CLEAN);
    EQ(req->status, PT_DONE);
    EQ(req->result, 0);
    EQ(((LINEAGENTSESSIONINFO *)req->buffer)->dwUsedSize, sizeof(LINEAGENTSESSIONINFO));
    EQ(((LINEAGENTSESSIONINFO *)req->buffer)->dwAgentSessionState, LINEAGENTSESSIONSTATE_NOTREADY);
    /* a finished request is reused (Python's pool), its state reset */
    EQ(pt_call(w.core, req, PT_OP_SESSION_INFO, w.line, w.session, 0, 0,
               sizeof(LINEAGENTSESSIONINFO), 200), PT_CLEAN);
    EQ(req->attempts, 1);
    /* ...but never while TAPI may still write into it */
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_DROP_REPLY, 1, 0, 0), 0);
    EQ(pt_call(w.core, req, PT_OP_SESSION_INFO, w.line, w.session, 0, 0,
               sizeof(LINEAGENTSESSIONINFO), 0), PT_PENDING);
    EQ(pt_call(w.core, req, PT_OP_SESSION_INFO, w.line, w.session, 0, 0,
               sizeof(LINEAGENTSESSIONINFO), 0), -1);
    pt_req_free(req);
    req = new_req();
    EQ(pt_call(w.core, req, PT_OP_SESSION_INFO, w.line, w.session, 0, 0,
               sizeof(LINEAGENTSESSIONINFO), 200), PT_CLEAN);
    pt_req_free(req);
    /* the session's creation events were queued for Python */
    while (pt_next_event(w.core, &msg, 0) == 1)
        events++;
    EQ(events > 0, 1);
    /* a failing call fails at once, nothing pending */
    req = new_req();
    EQ(pt_call(w.core, req, PT_OP_SESSION_INFO, w.line, 9999, 0, 0,
               sizeof(LINEAGENTSESSIONINFO), 200) == PT_DONE, 1);
    EQ(req->result < 0, 1);
    pt_req_free(req);
    EQ(pt_pending_count(w.core), 1); /* only the dropped one above */
    teardown(&w);
}

/* A caller that stops waiting leaves the buffer to the core until the reply. */
static void test_abandoned_request(void)
{
    world w;
    pt_req *req, *next;
    setup(&w);
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_DELAY_REPLY, 1, 0, 50), 0);
    req = new_req();
    EQ(pt_call(w.core, req, PT_OP_SESSION_INFO, w.line, w.session, 0, 0,
               sizeof(LINEAGENTSESSIONINFO), 0), PT_PENDING);
    pt_req_free(req); /* "Ctrl-C": the core keeps it */
    EQ(pt_pending_count(w.core), 1);
    EQ(pt_live_requests(), 1);
    next = new_req();
    pt_issue(w.core, next, PT_OP_SESSION_INFO, w.line, w.session, 0, 0, NULL, NULL, NULL,
             sizeof(LINEAGENTSESSIONINFO));
    EQ(run(&w, next), PT_DONE);
    EQ(next->result, 0);
    pt_req_free(next);
    /* the delayed reply: consumed, and its request freed */
    req = new_req();
    pt_issue(w.core, req, PT_OP_SET_SESSION_STATE, w.line, w.session,
             LINEAGENTSESSIONSTATE_READY, 0, NULL, NULL, NULL, 0);
    EQ(run(&w, req), PT_DONE);
    pt_req_free(req);
    while (pt_pending_count(w.core)) {
        LINEMESSAGE msg;
        (void)pt_next_event(w.core, &msg, 100);
    }
    EQ(pt_live_requests(), 0);
    /* a dropped reply: kept until shutdown */
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_DROP_REPLY, 1, 0, 0), 0);
    req = new_req();
    EQ(pt_call(w.core, req, PT_OP_SESSION_INFO, w.line, w.session, 0, 0,
               sizeof(LINEAGENTSESSIONINFO), 20), PT_PENDING);
    pt_req_free(req);
    EQ(pt_pending_count(w.core), 1);
    teardown(&w);
}

static void test_grow_and_limits(void)
{
    world w;
    pt_req *req;
    setup(&w);
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_INFLATE_NEEDED, 1, 0, 24), 0);
    req = new_req();
    (void)pt_call(w.core, req, PT_OP_SESSION_INFO, w.line, w.session, 0, 0,
                  sizeof(LINEAGENTSESSIONINFO), 200);
    EQ(run(&w, req), PT_DONE); /* not PT_CLEAN: two attempts */ /* re-issued by the core with the bigger buffer */
    EQ(req->attempts, 2);
    EQ(req->size, sizeof(LINEAGENTSESSIONINFO) + 24);
    pt_req_free(req);
    EQ(tapisim_inject_fault("lineGetGroupListW", TAPISIM_FAULT_INFLATE_NEEDED, 10, 0,
                            PT_MAX_SIZE), 0);
    req = new_req();
    pt_issue(w.core, req, PT_OP_GROUP_LIST, w.line, 0, 0, 0, NULL, NULL, NULL, 64);
    EQ(run(&w, req), PT_TOOBIG);
    EQ(req->needed > PT_MAX_SIZE, 1);
    pt_req_free(req);
    EQ(tapisim_clear_faults(), 0);
    teardown(&w);
}

static world shared;
static pt_req *blocked;

static void *wait_blocked(void *arg)
{
    int *status = arg;
    *status = blocked->status;
    while (*status == PT_PENDING)
        *status = pt_wait(shared.core, blocked, 200);
    return NULL;
}

static void test_close_and_shutdown_fail_waiters(void)
{
    pthread_t t;
    int status = -1, called;
    setup(&shared);
    EQ(tapisim_inject_fault("lineGetAgentSessionInfo", TAPISIM_FAULT_DROP_REPLY, 1, 0, 0), 0);
    blocked = new_req();
    pt_issue(shared.core, blocked, PT_OP_SESSION_INFO, shared.line, shared.session, 0, 0, NULL,
             NULL, NULL, sizeof(LINEAGENTSESSIONINFO));
    pthread_create(&t, NULL, wait_blocked, &status);
    EQ(pt_close_line(shared.core, shared.line), 1);
    pthread_join(t, NULL);
    EQ(status, PT_CLOSED);
    pt_req_free(blocked);
    EQ(pt_line_closed(shared.core, shared.line), 1);
    blocked = new_req();
    EQ(pt_issue(shared.core, blocked, PT_OP_SESSION_INFO, shared.line, shared.session, 0, 0,
                NULL, NULL, NULL, sizeof(LINEAGENTSESSIONINFO)), PT_CLOSED);
    pt_req_free(blocked);
    /* shutdown while a thread waits on the app-level request */
    blocked = new_req();
    EQ(tapisim_inject_fault("lineGetAgentCapsW", TAPISIM_FAULT_DROP_REPLY, 1, 0, 0), 0);
    pt_issue(shared.core, blocked, PT_OP_AGENT_CAPS, 0, 0, 0, TAPI_VERSION3_1, NULL, NULL,
             NULL, 1024);
    EQ(blocked->status, PT_PENDING);
    pthread_create(&t, NULL, wait_blocked, &status);
    pt_shutdown(shared.core, &called);
    pthread_join(t, NULL);
    EQ(status, PT_SHUTDOWN);
    pt_req_free(blocked);
    EQ(pt_pending_count(shared.core), 0);
    pt_core_release(shared.core);
    EQ(pt_live_requests(), 0);
}

#define THREADS 6
#define CALLS 300

static void *hammer(void *arg)
{
    int i, ok = 0;
    (void)arg;
    for (i = 0; i < CALLS; i++) {
        pt_req *req = new_req();
        int status = pt_call(shared.core, req, PT_OP_SESSION_INFO, shared.line, shared.session,
                             0, 0, sizeof(LINEAGENTSESSIONINFO), 200);
        while (status == PT_PENDING)
            status = pt_wait(shared.core, req, 200);
        ok += (status == PT_CLEAN || status == PT_DONE) && req->result == 0;
        pt_req_free(req);
    }
    EQ(ok, CALLS);
    return NULL;
}

static void test_threads_and_batch(void)
{
    pthread_t t[THREADS];
    pt_req **reqs = pt_reqs_alloc(500 * sizeof(pt_req *));
    DWORD handles[500];
    int i;
    setup(&shared);
    EQ(tapisim_set_reply_latency(100), 0);
    for (i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, hammer, NULL);
    for (i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    EQ(pt_pending_count(shared.core), 0);
    EQ(pt_sleeper_count(shared.core), 0);
    EQ(pt_pumping(shared.core), 0);
    for (i = 0; i < 500; i++)
        handles[i] = i == 7 ? 4242 : shared.session;
    pt_issue_many(shared.core, reqs, 500, PT_OP_SESSION_INFO, shared.line, handles,
                  sizeof(LINEAGENTSESSIONINFO));
    while (pt_wait_many(shared.core, reqs, 500, 200) > 0) {
    }
    for (i = 0; i < 500; i++) {
        EQ(reqs[i]->status, PT_DONE);
        EQ(reqs[i]->result == 0, i != 7);
        EQ(reqs[i]->clean, i != 7);
    }
    {
        /* The clean ones in one block, the failed one zeroed and flagged. */
        DWORD size = sizeof(LINEAGENTSESSIONINFO);
        char *block = malloc((size_t)500 * size);
        unsigned char flags[500];
        LINEAGENTSESSIONINFO copied;
        DWORD used;
        EQ(block != NULL, 1);
        EQ(pt_copy_clean(shared.core, reqs, 500, size, block, flags), 499);
        EQ(flags[7], 0);
        EQ(flags[8], 1);
        memcpy(&copied, block + (size_t)8 * size, size);
        EQ(memcmp(&copied, reqs[8]->buffer, size), 0);
        EQ(copied.dwTotalSize, size);
        memcpy(&used, block + (size_t)7 * size + 8, sizeof used);
        EQ(used, 0);
        /* A size other than the requests' is never copied. */
        EQ(pt_copy_clean(shared.core, reqs, 2, size - 4, block, flags), 0);
        free(block);
    }
    pt_reqs_free(reqs);
    EQ(tapisim_set_reply_latency(0), 0);
    teardown(&shared);
}

int main(void)
{
    test_info_and_events();
    test_abandoned_request();
    test_grow_and_limits();
    test_close_and_shutdown_fail_waiters();
    test_threads_and_batch();
    EQ(tapisim_reset(), 0);
    printf("core C tests: %d checks, %d failures\n", checks, failures);
    return failures != 0;
}
