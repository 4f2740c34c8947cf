/*
 * pytapi2 request core — the interface the Python binding calls.
 *
 * Plain declarations only (integer #defines, no #if, no #include):
 * pytapi2/_ffi_build.py feeds this very text to cffi's cdef(); C code
 * includes it through pt_core.h. Python reads only the first fields of
 * pt_req; the rest are the core's, under its lock.
 *
 * Ownership: a pt_req is allocated by the core (pt_req_alloc, used by cffi's
 * ffi.new_allocator, so Python's reference and its release through
 * pt_req_free are one atomic step each) and freed once Python has released
 * it AND TAPI can no longer write into it (its LINE_REPLY arrived, or the app
 * was shut down). Every buffer TAPI writes into belongs to a pt_req.
 */

/* pt_req.status */
#define PT_IDLE 0       /* not issued yet */
#define PT_PENDING 1    /* issued, waiting for its LINE_REPLY */
#define PT_DONE 2       /* replied (or failed at once): see result */
#define PT_CLOSED 3     /* its line was closed while it waited */
#define PT_SHUTDOWN 4   /* the app was shut down (or its handle became invalid) */
#define PT_REUSED 5     /* TAPI reused its request ID before replying */
#define PT_TOOBIG 6     /* the reply asked for more than PT_MAX_SIZE bytes (needed) */
#define PT_TOOMANY 7    /* still too small after PT_MAX_ATTEMPTS attempts (needed) */
#define PT_NOMEM 8      /* the core could not allocate memory */
#define PT_FORKED 9     /* the core belongs to the parent process of a fork() */
#define PT_PROVIDER_CLOSED 10 /* the provider closed its line (LINE_CLOSE) while it waited */
/* pt_call's return for the common case: PT_DONE, result 0, one attempt, not
   suspicious -- the caller reads the buffer without looking at anything else. */
#define PT_CLEAN 100

/* pt_core_closed_reason() */
#define PT_OPEN 0
#define PT_REASON_SHUTDOWN 1
#define PT_REASON_INVALAPPHANDLE 2

/* Requests (the asynchronous TAPI functions); arguments a..d, s1, s2, guid. */
#define PT_OP_SESSION_INFO 1   /* lineGetAgentSessionInfo(line, a=hAgentSession, buf) */
#define PT_OP_AGENT_INFO 2     /* lineGetAgentInfo(line, a=hAgent, buf) */
#define PT_OP_QUEUE_INFO 3     /* lineGetQueueInfo(line, a=queue, buf) */
#define PT_OP_SESSION_LIST 4   /* lineGetAgentSessionList(line, a=hAgent, buf) */
#define PT_OP_GROUP_LIST 5     /* lineGetGroupListW(line, buf) */
#define PT_OP_QUEUE_LIST 6     /* lineGetQueueListW(line, guid, buf) */
#define PT_OP_AGENT_CAPS 7     /* lineGetAgentCapsW(app, a=device, b=address, c=version, buf) */
#define PT_OP_CREATE_AGENT 8   /* lineCreateAgentW(line, s1, s2, &handle) */
#define PT_OP_CREATE_SESSION 9 /* lineCreateAgentSessionW(line, a=hAgent, s1, b=address, guid, &handle) */
#define PT_OP_SET_SESSION_STATE 10  /* lineSetAgentSessionState(line, a, b, c) */
#define PT_OP_SET_AGENT_STATE 11    /* lineSetAgentStateEx(line, a, b, c) */
#define PT_OP_SET_AGENT_PERIOD 12   /* lineSetAgentMeasurementPeriod(line, a, b) */
#define PT_OP_SET_QUEUE_PERIOD 13   /* lineSetQueueMeasurementPeriod(line, a, b) */

#define PT_MAX_ATTEMPTS 5
#define PT_MAX_SIZE 67108864

typedef struct pt_core pt_core;
struct pt_waiter;

typedef struct pt_req {
    /* --- read by Python once the request is over --- */
    int status;             /* PT_* */
    LONG result;            /* PT_DONE: 0 or the negative LINEERR */
    DWORD request_id;       /* TAPI's positive request ID, once issued */
    DWORD handle;           /* the new handle of PT_OP_CREATE_* (TAPI writes it) */
    char *buffer;           /* the structure TAPI filled (size bytes) */
    DWORD size;             /* dwTotalSize handed to TAPI on the last attempt */
    DWORD needed;           /* dwNeededSize of PT_TOOBIG / PT_TOOMANY */
    int attempts;           /* calls made (more than 1 after dwNeededSize retries) */
    int suspicious;         /* a success reply that wrote nothing: memory kept until shutdown */
    int clean;              /* PT_DONE, result 0, one attempt, not suspicious */
    /* --- private to the core, under its lock --- */
    pt_core *core;          /* set at the first issue; holds a core reference */
    struct pt_req *hnext;   /* pending table chain */
    struct pt_req *rnext;   /* retained list */
    struct pt_waiter *waiter; /* the thread waiting for it, if any */
    int python_ref;         /* Python still holds it */
    int in_flight;          /* in the pending table: TAPI may still write */
    int retained;           /* on the retained list until shutdown */
    int op;
    DWORD line;
    DWORD a;
    DWORD b;
    DWORD c;
    WCHAR *s1;              /* owned copies of the input strings */
    WCHAR *s2;
    int has_guid;
    GUID guid;
    union {                 /* small structures need no second allocation */
        unsigned char bytes[128];
        double align_double;
        uint64_t align_u64;
    } inline_buffer;
} pt_req;

pt_core *pt_core_new(HLINEAPP app, DWORD event_capacity);
void pt_core_release(pt_core *core);

void *pt_req_alloc(size_t size);
void pt_req_free(void *req);
/* An array of requests for a batch (cffi: new_allocator, type "pt_req *[]"):
   one allocation and one Python object for N requests. */
void *pt_reqs_alloc(size_t size);
void pt_reqs_free(void *reqs);

int pt_issue(pt_core *core, pt_req *req, int op, DWORD line, DWORD a, DWORD b, DWORD c,
             const WCHAR *s1, const WCHAR *s2, const GUID *guid, DWORD size);
int pt_wait(pt_core *core, pt_req *req, DWORD ms);
int pt_call(pt_core *core, pt_req *req, int op, DWORD line, DWORD a, DWORD b, DWORD c,
            DWORD size, DWORD ms);
int pt_issue_many(pt_core *core, pt_req **reqs, DWORD n, int op, DWORD line,
                  const DWORD *handles, DWORD size);
DWORD pt_wait_many(pt_core *core, pt_req **reqs, DWORD n, DWORD ms);
/* The clean replies of a batch of fixed-size requests copied into one block:
   reqs[i]'s structure to out[i * size] (size bytes each) and clean[i] = 1 if
   it is clean (PT_DONE, result 0, one attempt, not suspicious) with exactly
   `size` bytes; else clean[i] = 0 and its bytes zeroed. Under the core lock,
   so a request still pending is never read. Returns the number of clean ones.
   One C call instead of a Python round per request. */
DWORD pt_copy_clean(pt_core *core, pt_req **reqs, DWORD n, DWORD size, char *out,
                    unsigned char *clean);
int pt_next_event(pt_core *core, LINEMESSAGE *out, DWORD ms);

int pt_close_line(pt_core *core, DWORD line);
int pt_line_closed(pt_core *core, DWORD line);
LONG pt_shutdown(pt_core *core, int *called);

int pt_core_closed_reason(pt_core *core);
int pt_core_forked(pt_core *core);
DWORD pt_pending_count(pt_core *core);
DWORD pt_retained_count(pt_core *core);
int pt_pumping(pt_core *core);
DWORD pt_sleeper_count(pt_core *core);
uint64_t pt_dropped_events(pt_core *core);
uint64_t pt_stray_replies(pt_core *core);
DWORD pt_last_stray(pt_core *core);
DWORD pt_last_issued(pt_core *core);
uint64_t pt_issued(pt_core *core);
uint64_t pt_late_replies(pt_core *core);
DWORD pt_live_requests(void);
