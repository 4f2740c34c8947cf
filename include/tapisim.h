/*
 * tapisim — control API of the pytapi2 TAPI simulator.
 *
 * The simulator is a shared library that exports the TAPI functions of
 * tapi_functions.h over a small ACD model, plus these tapisim_* functions to
 * drive that model from tests, scenarios and the Python wrapper
 * pytapi2.simulator.Simulator. Plain declarations (read by cffi's cdef()).
 *
 * Conventions
 *   - Every function returns TAPISIM_OK (0) or a negative TAPISIM_E_* code,
 *     and never blocks on the model lock for longer than one model step.
 *   - Times are integers: model time is milliseconds since 1970-01-01 00:00
 *     (naive, no time zone; may be negative), durations are milliseconds.
 *   - Strings are NUL-terminated UTF-16 (WCHAR); NULL where "none" is allowed.
 *   - All state lives in the library; tapisim_reset() returns it to the
 *     defaults below and invalidates every handle handed out before.
 *
 * Defaults after load or reset: 1 line device with 1 address, lines support
 * API versions up to TAPI_VERSION3_1, reply latency 0, virtual clock at
 * 2026-01-05 09:00:00 (TAPISIM_DEFAULT_TIME_MS), no agents, no groups, no
 * queues, no faults, new sessions start NOT_READY with next state READY.
 */

#define TAPISIM_ABI_VERSION 1

#define TAPISIM_OK 0
#define TAPISIM_E_INVAL -1      /* a bad argument (NULL, out of range, unknown constant) */
#define TAPISIM_E_NOTFOUND -2   /* no such handle / ID / function name */
#define TAPISIM_E_EXISTS -3     /* an agent, group or queue with that ID already exists */
#define TAPISIM_E_STATE -4      /* not allowed in the current state */
#define TAPISIM_E_NOMEM -5

#define TAPISIM_DEFAULT_TIME_MS 1767603600000

/* Clock modes for tapisim_set_clock(). */
#define TAPISIM_CLOCK_VIRTUAL 0 /* moves only through tapisim_advance()/tapisim_set_time() */
#define TAPISIM_CLOCK_REAL 1    /* follows the monotonic clock, times `speed` */

/* Fault kinds for tapisim_inject_fault(); each applies to the next `count`
 * calls of the named TAPI function (e.g. "lineGetAgentSessionInfo"). */
#define TAPISIM_FAULT_ERROR 1          /* the call returns `lineerr` at once, no effect */
#define TAPISIM_FAULT_REPLY_ERROR 2    /* async: accepted, no effect, LINE_REPLY carries `lineerr` */
#define TAPISIM_FAULT_DELAY_REPLY 3    /* async: LINE_REPLY delivered `param` ms (real time) later */
#define TAPISIM_FAULT_DROP_REPLY 4     /* async: effect happens, LINE_REPLY never comes, output never written */
#define TAPISIM_FAULT_REORDER_REPLY 5  /* async: LINE_REPLY held back until after the app's next reply */
#define TAPISIM_FAULT_INFLATE_NEEDED 6 /* variable-size output: dwNeededSize reported `param` bytes larger than the truth */

/* A seeded random call-arrival process for one ACD group (Poisson arrivals;
 * talk and wrap-up times log-normal with the given means; ring time uniform
 * on [0, 2 * mean_ring_s]); calls queue in the group's first queue until a
 * READY session of the group is free, and abandon after `patience_s`
 * (0 = never). calls_per_hour = 0 stops the process. */
typedef struct tapisim_traffic {
    double calls_per_hour;
    double mean_talk_s;
    double mean_wrapup_s;
    double mean_ring_s;
    double patience_s;
    uint64_t seed;
} tapisim_traffic;

int tapisim_abi_version(void);
int tapisim_reset(void);
int tapisim_configure_lines(DWORD num_lines, DWORD addresses_per_line, DWORD max_api_version);
int tapisim_set_reply_latency(DWORD microseconds);
int tapisim_set_initial_session_state(DWORD state, DWORD next_state);
int tapisim_set_clock(int mode, double speed);
int tapisim_set_time(int64_t unix_ms);
int tapisim_get_time(int64_t *unix_ms);
int tapisim_advance(int64_t ms);
int tapisim_add_agent(LPCWSTR agent_id, LPCWSTR pin);
int tapisim_add_group(const GUID *group_id, LPCWSTR name);
int tapisim_add_queue(const GUID *group_id, DWORD queue_id, LPCWSTR name);
int tapisim_set_group_traffic(const GUID *group_id, const tapisim_traffic *traffic);
int tapisim_offer_call(HAGENTSESSION session, DWORD wait_ms, DWORD talk_ms, DWORD wrapup_ms);
int tapisim_set_session_state(HAGENTSESSION session, DWORD state, DWORD next_state);
int tapisim_schedule_session_state(HAGENTSESSION session, int64_t at_unix_ms, DWORD state, DWORD next_state);
int tapisim_close_line(DWORD device_id);
int tapisim_inject_fault(const char *function_name, int kind, DWORD count, DWORD lineerr, DWORD param);
int tapisim_clear_faults(void);
int tapisim_post_message(HLINEAPP app, DWORD device, DWORD message, DWORD_PTR param1, DWORD_PTR param2, DWORD_PTR param3);
int tapisim_message_fd(HLINEAPP app, int *fd);
/* The app's message signal (Handles.hEvent: on POSIX the fd above, on Windows
 * an event) is kept set exactly while a message waits; each change of that
 * state costs one system call. enabled = 0 stops maintaining it (it stays
 * unset: for an app that only blocks in lineGetMessage, whose hot path then
 * makes no system call); 1 (the default after lineInitializeExW, and implied by
 * tapisim_message_fd) brings it up to date at once. tapisim_message_fd gives
 * TAPISIM_E_STATE on Windows, which has no fd. */
int tapisim_set_message_signal(HLINEAPP app, int enabled);
int tapisim_pending_replies(HLINEAPP app, DWORD *count);
int tapisim_session_count(DWORD *count);

/* Statistics conventions of the simulator (comment only, no declaration):
 * LINEAGENTSESSIONINFO.cyACDCallRate = ACD calls per hour of session duration
 * as a CURRENCY, floor(calls * 3600 * 10000 / dwSessionDuration), 0 while the
 * duration is 0; LINEAGENTINFO.cyOverallCallRate is the same rate over the
 * seconds since the agent's last measurement-period reset. Session statistics
 * change only when a call completes; dwSessionDuration freezes when the session
 * first enters ENDED or RELEASED. */
