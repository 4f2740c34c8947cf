/*
 * sim.h — internal header of the pytapi2 TAPI simulator (libtapisim).
 *
 * Architecture (one line per module):
 *   platform.h the OS layer (platform_posix.c / platform_win32.c): mutex,
 *              monotonic timed wait, once, thread, clocks, message signal
 *   state.c    global model state, the big lock, handle tables, reset/unload
 *   clock.c    model clock (virtual / real), timed-event heap, timer thread, DATE
 *   model.c    agents, groups, queues, sessions, calls, transitions, statistics
 *   traffic.c  seeded random call arrivals per group (xoshiro256**)
 *   messages.c per-app message queues, pending replies, the message signal
 *   faults.c   injected faults (tapisim_inject_fault)
 *   varsize.c  writers of the variable-size TAPI structures
 *   tapi_api.c the exported synchronous TAPI functions
 *   tapi_async.c the exported asynchronous TAPI functions (one shared prologue)
 *   proxy.c    agent handlers (LINEOPENOPTION_PROXY): routing of agent requests,
 *              lineProxyResponse, lineProxyMessage, lineGetProxyStatus
 *   control.c  the exported tapisim_* control API
 *
 * Threading: ONE mutex (g.mu) protects the whole model. Every exported
 * function takes it for its whole duration except while lineGetMessage is
 * blocked: it waits on the condition variable g.msg_cv (monotonic clock)
 * which releases the lock. The optional timer thread (started lazily, joined
 * at reset/unload) takes the same lock to process due events. Only the
 * platform layer talks to the OS (no pthread.h, unistd.h, windows.h here).
 *
 * Ownership: everything reachable from `g` is owned by `g` and freed by
 * sim_free_all() (tapisim_reset and, on POSIX, the library destructor).
 *
 * Building (every .c file of csrc on every OS; -Iinclude -Ipytapi2/simulator/csrc):
 *   Linux/macOS  cc -std=c11 -O2 -Wall -Wextra -Werror -fvisibility=hidden
 *                   -D_POSIX_C_SOURCE=200809L -fPIC -shared ... -pthread
 *                -> libtapisim.so / .dylib
 *   mingw-w64    x86_64-w64-mingw32-gcc / i686-w64-mingw32-gcc
 *                   -std=c11 -O2 -Wall -Wextra -Werror -shared ...
 *                   -static-libgcc -Wl,--kill-at -o tapisim.dll
 *                (--kill-at: the x86 stdcall exports lose their @N, as in
 *                tapi32.dll; harmless on x64. No -pthread, no winpthreads:
 *                the DLL imports only KERNEL32 and the C runtime.)
 *   MSVC         cl /std:c11 /O2 /W4 /LD ... /link /DEF:tapisim.def
 *                where tapisim.def is "EXPORTS" and one name per line, from
 *                `bash tests/c/exports.sh --def` (the names declared in
 *                include/tapi_functions.h and include/tapisim.h; setuptools'
 *                export_symbols with the same names, i.e. /EXPORT:name, does
 *                the same). It is the whole export list (SIM_EXPORT is empty
 *                under MSVC) and, on x86, what gives undecorated stdcall names.
 *   Check any DLL with `bash tests/c/check_exports.sh DLL OBJDUMP`.
 */
#ifndef TAPISIM_SIM_H
#define TAPISIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "pytapi2_tapi.h"

/* The exported functions: exactly the TAPI and tapisim_ functions (the build
 * hides everything else: -fvisibility=hidden on ELF; with mingw-w64 only
 * dllexport'ed functions are exported once any is). With MSVC the export list
 * is the .def file (or /EXPORT:name per name) alone: dllexport there would add
 * the decorated x86 names (_lineShutdown@4) beside the plain ones. */
#if defined(_WIN32) && defined(_MSC_VER)
#  define SIM_EXPORT
#elif defined(_WIN32)
#  define SIM_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#  define SIM_EXPORT __attribute__((visibility("default")))
#else
#  define SIM_EXPORT
#endif

/* ---- handles --------------------------------------------------------------
 * HLINEAPP / HLINE = (generation << 16) | slot, generation in 1..0x7FFF taken
 * from a counter that is never reset, so stale handles (closed, shut down, or
 * from before tapisim_reset) are detected. O(1) lookup: slots[handle & 0xFFFF]
 * and compare the stored generation.
 * HAGENT = agent index + 1, HAGENTSESSION = session index + 1: model-wide,
 * shared by every application (like a real ACD proxy). */
#define SIM_SLOT_BITS 16
#define SIM_MAX_SLOTS (1u << SIM_SLOT_BITS)

typedef struct sim_table {
    void **slots;
    uint16_t *gens;
    size_t cap;
    size_t used;
} sim_table;

/* ---- messages ------------------------------------------------------------ */
typedef struct sim_item {
    struct sim_item *prev, *next;
    struct sim_item *hprev, *hnext; /* the app's held list, while held (seq order) */
    LINEMESSAGE msg;
    uint64_t seq;
    int is_reply;
    HLINE line;            /* line a reply belongs to (0: app-level request) */
    int64_t due_ns;        /* monotonic ns at which it becomes deliverable */
    int held;              /* REORDER fault: held until a later reply is delivered */
    int64_t held_until_ns; /* ... or until this time, whichever first */
    void *dest;            /* caller's output memory, written on delivery */
    size_t len;
    unsigned char *data;   /* private result copied to dest on delivery */
} sim_item;

typedef struct sim_app {
    HLINEAPP handle;
    plat_signal sig;       /* Handles.hEvent: set exactly while a message is deliverable */
    int sig_set;           /* its current state (set/reset only on transitions) */
    int sig_off;           /* tapisim_set_message_signal(app, 0): not maintained */
    sim_item *head, *tail;
    /* REORDER-held replies still queued, in request (seq) order: a delivered
     * reply releases a prefix of this list, so delivery never walks the queue. */
    sim_item *held_head, *held_tail;
    DWORD n_replies;       /* replies queued (pending, delayed or held) */
    DWORD next_req;
} sim_app;

typedef struct sim_line {
    HLINE handle;
    HLINEAPP app;
    DWORD device;
    DWORD version;
    DWORD privileges;
    DWORD_PTR cb;
    DWORD proxy_mask;       /* LINEOPENOPTION_PROXY: bit 1 << LINEPROXYREQUEST_ type served */
} sim_line;

/* ---- model ---------------------------------------------------------------- */
enum { PH_NONE = 0, PH_RING, PH_TALK, PH_WRAP };

typedef struct sim_call {
    int phase;
    uint64_t id;
    int64_t offered_ms;     /* arrival of the call (time-to-answer origin) */
    int64_t answered_ms;
    int64_t wrap_start_ms;
    DWORD talk_ms, wrapup_ms;
    size_t queue;           /* queue index + 1 that fed it (0: none) */
} sim_call;

typedef struct sim_session {
    HAGENTSESSION handle;
    size_t agent;           /* agent index */
    size_t group;           /* group index */
    DWORD address;
    DWORD device;
    DWORD state, next;
    int64_t start_ms;
    int64_t end_ms;         /* valid when state is ENDED or RELEASED */
    int64_t idle_since_ms;  /* for longest-idle routing */
    DWORD calls;
    int64_t talk_ms, wrap_ms, wait_ms, longest_wait_ms;
    sim_call call;
} sim_session;

/* One completed call in an agent's measurement window (LINEAGENTINFO). */
enum { DONE_ACD = 0, DONE_INCOMING, DONE_OUTGOING };
typedef struct sim_done {
    int64_t end_ms;
    int64_t talk_ms, wrap_ms;
    int kind;               /* DONE_* */
} sim_done;

/* Statistics of the moment: a session's, or an agent's over its window. */
typedef struct sim_stats {
    DWORD calls;            /* ACD calls, the one in progress (answered) included */
    DWORD incoming, outgoing; /* non-ACD calls (agents only) */
    int64_t talk_ms, wrap_ms, wait_ms, longest_wait_ms;
    int64_t active_ms;      /* agents: time in at least one active session, in the window */
} sim_stats;

typedef struct sim_agent {
    WCHAR *id;
    WCHAR *pin;             /* NULL: no PIN */
    int created;            /* lineCreateAgentW issued its HAGENT */
    int authenticated;      /* a lineCreateAgentW proved the PIN (or the OS login did) */
    DWORD device;           /* device it was created on (event routing) */
    DWORD state, next;      /* LINEAGENTSTATEEX_ */
    DWORD period_s;         /* measurement window, seconds */
    sim_done *log;          /* completed calls still in the window, oldest first */
    size_t nlog, caplog;
    HAGENTSESSION *sessions;
    size_t nsessions, capsessions;
} sim_agent;

typedef struct sim_wait {
    struct sim_wait *next;
    uint64_t id;
    int64_t arrival_ms;
    DWORD talk_ms, wrapup_ms, ring_ms;
} sim_wait;

/* One queue happening in its measurement window (LINEQUEUEINFO). */
enum { QEV_ARRIVED = 1, QEV_ANSWERED, QEV_ABANDONED };
typedef struct sim_qev {
    int64_t t;
    int64_t wait_ms;        /* ANSWERED / ABANDONED: time spent in the queue */
    int kind;
} sim_qev;

typedef struct sim_qstats {
    DWORD queued, abandoned, left;
    int64_t wait_sum_ms;
} sim_qstats;

typedef struct sim_queue {
    DWORD id;
    WCHAR *name;
    size_t group;
    DWORD period_s;         /* measurement window, seconds */
    DWORD current;
    int64_t longest_ever_ms; /* "longest time any call has waited": never reset */
    sim_qev *log;           /* happenings still in the window, oldest first */
    size_t nlog, caplog;
} sim_queue;

typedef struct sim_group {
    GUID id;
    WCHAR *name;
    size_t *queues;         /* queue indices, in creation order */
    size_t nqueues;
    int traffic_on;
    tapisim_traffic traffic;
    uint64_t traffic_gen;
    uint64_t rng[4];
    sim_wait *waiting;      /* FIFO of calls waiting in the group's first queue */
    /* non-ACD call arrivals to the group's agents (tapisim_set_non_acd_traffic) */
    double nonacd_per_hour, nonacd_talk_s, nonacd_outgoing;
    uint64_t nonacd_gen;
    uint64_t nonacd_rng[4];
} sim_group;

/* ---- timed events ------------------------------------------------------- */
enum {
    EV_ANSWER = 1, EV_TALK_END, EV_WRAP_END, EV_SCHED_STATE, EV_ARRIVAL, EV_ABANDON, EV_NONACD_END,
    EV_NONACD_ARRIVAL
};

typedef struct sim_event {
    int64_t t;
    uint64_t seq;
    int kind;
    HAGENTSESSION session;
    size_t group;
    size_t agent;           /* EV_NONACD_END: agent index */
    uint64_t ref;
    DWORD a, b;
} sim_event;

/* ---- faults ------------------------------------------------------------- */
/* FN_<name>: one per TAPI function, from the generated table (the list
 * exists once: include/tapi_functions.h; see tools/gen_fn_table.py). */
enum {
#define SIM_FN(name, asynchronous, varsize) FN_##name,
#include "tapi_fn_table.h"
#undef SIM_FN
    FN_COUNT
};

typedef struct sim_fault {
    int kind;
    DWORD count;
    DWORD lineerr;
    DWORD param;
} sim_fault;

typedef struct sim_fault_list {
    sim_fault *v;
    size_t n, cap;
} sim_fault_list;

/* What one async request does with its reply (decided by faults_take). */
typedef struct sim_hit {
    int kind;               /* 0 or TAPISIM_FAULT_* */
    DWORD lineerr;
    DWORD param;
} sim_hit;

/* ---- the global state ----------------------------------------------------- */
typedef struct sim_state {
    plat_mutex mu;
    plat_cond msg_cv;           /* lineGetMessage waiters (monotonic clock) */
    plat_cond timer_cv;         /* the timer thread */

    /* configuration */
    DWORD num_lines, addresses, max_version;
    DWORD latency_us;
    DWORD init_state, init_next;

    /* handles */
    sim_table apps, lines;
    uint16_t gen_counter;       /* never reset: see SIM handles above */
    uint64_t item_seq;

    /* clock */
    int clock_mode;
    double speed;
    int64_t model_ms;           /* current model time (processed up to here) */
    int64_t base_model_ms;      /* real mode: model time at base_mono_ns */
    int64_t base_mono_ns;
    sim_event *heap;
    size_t nheap, capheap;
    uint64_t event_seq;
    int processing;             /* re-entrancy guard of sim_process_until */

    /* timer thread */
    int timer_started;
    uint64_t timer_epoch;       /* a running timer thread exits when this changes */
    plat_thread timer;

    /* model */
    sim_agent **agents; size_t nagents, capagents;
    sim_group **groups; size_t ngroups, capgroups;
    sim_queue **queues; size_t nqueues, capqueues;
    sim_session **sessions; size_t nsessions, capsessions;
    uint64_t call_seq;
    DWORD handle_offset;        /* HAGENT / HAGENTSESSION = index + 1 + offset (mod 2^32) */

    /* faults */
    sim_fault_list faults[FN_COUNT];
} sim_state;

extern sim_state g;

/* state.c */
void sim_lock(void);
void sim_unlock(void);
void sim_wake_waiters(void);                /* broadcast g.msg_cv (lock held) */
int sim_wait_msg(int64_t deadline_ns);      /* wait on g.msg_cv; 1: deadline passed */
int sim_grow(void **arr, size_t *cap, size_t need, size_t elem);
WCHAR *sim_wcsdup(LPCWSTR s);
size_t sim_wcslen(LPCWSTR s);
int sim_wcseq(LPCWSTR a, LPCWSTR b);
int sim_table_add(sim_table *t, void *obj, DWORD *handle);
void *sim_table_get(const sim_table *t, DWORD handle);
void sim_table_remove(sim_table *t, DWORD handle);
sim_app *sim_app_get(HLINEAPP h);
sim_line *sim_line_get(HLINE h);
void sim_free_all(void);
void sim_defaults(void);
int sim_any_app(void);

/* clock.c */
int64_t sim_mono_ns(void);
int64_t sim_now(void);                 /* model "now" (real mode: from the monotonic clock) */
void sim_touch(void);                  /* process every event due up to now */
void sim_process_until(int64_t t);     /* process events with time <= t in order, then now = t */
int sim_schedule(const sim_event *ev); /* 0 or TAPISIM_E_NOMEM */
int64_t sim_next_event_mono_ns(void);  /* real mode: when the next event is due; -1 none */
double sim_date_from_ms(int64_t unix_ms);
void sim_timer_kick(void);             /* start the timer thread if needed, wake it */
void sim_timer_stop_locked(void);      /* called with the lock held; joins (unlocks inside) */
int64_t sim_floordiv(int64_t a, int64_t b);

/* model.c */
/* LINEDEVCAPS.dwMediaModes of every simulated line (a voice ACD). */
#define SIM_MEDIA_MODES (LINEMEDIAMODE_UNKNOWN | LINEMEDIAMODE_INTERACTIVEVOICE | LINEMEDIAMODE_AUTOMATEDVOICE)
/* Messages for every open line of every device (ACD-wide changes). */
#define SIM_ALL_DEVICES 0xFFFFFFFFu
int sim_known_version(DWORD v);
DWORD sim_highest_known_version(DWORD low, DWORD high); /* 0: none in [low, high] */
HAGENT sim_agent_handle(size_t index);
int sim_valid_session_state(DWORD s);
int sim_transition_ok(DWORD from, DWORD to);
sim_session *sim_session_get(HAGENTSESSION h);
sim_agent *sim_agent_get(HAGENT h, size_t *index); /* a created agent, or NULL */
sim_group *sim_group_find(const GUID *id, size_t *index);
sim_queue *sim_queue_find(DWORD id, size_t *index);
sim_agent *sim_agent_find(LPCWSTR id, size_t *index);
int sim_session_set_state(sim_session *s, DWORD state, DWORD next); /* 0 / TAPISIM_E_STATE */
int sim_offer(sim_session *s, int64_t offered_ms, DWORD ring_ms, DWORD talk_ms, DWORD wrapup_ms, size_t queue);
void sim_event_fire(const sim_event *ev);
void sim_dispatch_group(size_t group);
void sim_defer_begin(void);
void sim_defer_flush(void);
void sim_emit_session(const sim_session *s, DWORD status, DWORD p3);
void sim_emit_agent(size_t agent, DWORD status, DWORD p3);
void sim_emit_queue(const sim_queue *q, DWORD status);
void sim_emit_group(DWORD status);
void sim_proxy_status(const sim_line *l, DWORD status);
int sim_non_acd_call(size_t agent, int outgoing, DWORD talk_ms);
int sim_session_create(size_t agent, size_t group, DWORD address, DWORD device, HAGENTSESSION *out);
int64_t sim_session_duration_ms(const sim_session *s);
void sim_session_stats(const sim_session *s, sim_stats *out);
void sim_agent_stats(size_t agent, sim_stats *out);
void sim_agent_log(size_t agent, const sim_done *d);
void sim_queue_log(sim_queue *q, int kind, int64_t wait_ms);
void sim_queue_stats(const sim_queue *q, sim_qstats *out);
void sim_free_model(void);

/* traffic.c */
int sim_traffic_set(size_t group, const tapisim_traffic *t);
void sim_traffic_arrival(size_t group, uint64_t gen);
void sim_traffic_abandon(size_t group, uint64_t id);
sim_wait *sim_traffic_pop(size_t group);
int sim_non_acd_traffic_set(size_t group, double per_hour, double mean_talk_s, double outgoing, uint64_t seed);
void sim_non_acd_arrival(size_t group, uint64_t gen);

/* messages.c */
int sim_app_new(sim_app **out);
void sim_app_free(sim_app *a);
int sim_post(sim_app *a, DWORD hdev, DWORD msgid, DWORD_PTR cb, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3);
int sim_post_reply(sim_app *a, HLINE line, DWORD_PTR cb, DWORD reqid, DWORD err, const sim_hit *hit,
                   void *dest, unsigned char *data, size_t len);
void sim_suppress_line(sim_app *a, HLINE line);
void sim_drop_messages(sim_app *a, DWORD hdev, DWORD msgid); /* queued events, not replies */
sim_item *sim_take_deliverable(sim_app *a, int64_t now_ns);
int64_t sim_app_next_due(const sim_app *a, int64_t now_ns); /* earliest future due, -1 none */
void sim_app_update_fd(sim_app *a);      /* bring the message signal up to date */
void sim_update_all_fds(void);
void sim_app_set_signal(sim_app *a, int on); /* tapisim_set_message_signal */
void sim_deliver(sim_app *a, sim_item *it, LINEMESSAGE *out);
DWORD sim_next_request(sim_app *a);

/* faults.c */
int sim_fault_index(const char *name);
int sim_fault_is_async(int fn);
int sim_fault_is_varsize(int fn);
sim_hit sim_fault_take(int fn);
void sim_faults_clear(void);

/* varsize.c */
int vs_session_list(const sim_agent *a, DWORD total, DWORD inflate, unsigned char **out, size_t *len);
int vs_session_info(const sim_session *s, DWORD total, DWORD inflate, unsigned char **out, size_t *len);
int vs_agent_info(size_t agent, DWORD total, DWORD inflate, unsigned char **out, size_t *len);
int vs_agent_caps(DWORD version, DWORD total, DWORD inflate, unsigned char **out, size_t *len);
int vs_group_list(DWORD total, DWORD inflate, unsigned char **out, size_t *len);
int vs_queue_list(const sim_group *gr, DWORD total, DWORD inflate, unsigned char **out, size_t *len);
int vs_queue_info(const sim_queue *q, DWORD total, DWORD inflate, unsigned char **out, size_t *len);
DWORD vs_caps_fixed_size(DWORD version);

/* proxy.c: an agent request as the client made it, for an agent handler. */
typedef struct sim_proxy_call {
    int fn;                 /* FN_ of the client's function */
    DWORD version;          /* the client's API version (dwClientAppAPIVersion) */
    DWORD p[3];             /* the DWORD parameters, in the request body's order */
    size_t np;
    const GUID *group;      /* CreateAgentSession, GetQueueList */
    LPCWSTR id, pin;        /* CreateAgent / CreateAgentSession */
    void *out;              /* client output: a variable-size structure or a handle */
} sim_proxy_call;
int sim_proxy_type_of(int fn);                 /* LINEPROXYREQUEST_ type, 0: none */
LONG sim_proxy_check(DWORD device, int fn);    /* OPERATIONUNAVAIL when nobody serves it */
/* 1 when a handler serves the request: it was sent (or *err says why not). */
int sim_proxy_route(sim_app *client, const sim_line *line, DWORD device, DWORD request_id,
                    const sim_hit *hit, const sim_proxy_call *c, DWORD *err);
/* A handler line closes: fail its outstanding requests; `provider` (LINE_CLOSE):
 * their memory lives on until sim_proxy_app_gone (the handler's lineShutdown). */
void sim_proxy_line_closed(const sim_line *l, int provider);
void sim_proxy_app_gone(HLINEAPP app);
void sim_proxy_free_all(void);

#endif
