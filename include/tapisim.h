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
int tapisim_non_acd_call(HAGENT agent, int outgoing, DWORD talk_ms);
int tapisim_set_non_acd_traffic(const GUID *group_id, double calls_per_hour, double mean_talk_s, double outgoing_share, uint64_t seed);
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
int tapisim_set_handle_base(DWORD first);
/* Agent handlers (ACD proxies, proxy.c): with on = 0 the simulated ACD
 * answers no agent request any more, so a request that no application
 * handler (lineOpenW with LINEOPENOPTION_PROXY) serves fails at once with
 * LINEERR_OPERATIONUNAVAIL, as on a system without an agent handler. 1 (the
 * default, restored by tapisim_reset) lets it answer what no handler serves. */
int tapisim_set_builtin_handler(int on);

/* tapisim_non_acd_call: a non-ACD call of a created agent (outgoing 0 or 1):
 * the agent is BUSYINCOMING / BUSYOUTGOING for talk_ms, then back in its state
 * (unless it was changed meanwhile), and the call counts in LINEAGENTINFO's
 * dwNumberOfIncomingCalls / dwNumberOfOutgoingCalls. E_STATE while the agent
 * is already on a non-ACD call.
 * tapisim_set_non_acd_traffic: seeded Poisson arrivals of non-ACD calls
 * (calls_per_hour, 0 stops them) for the group's agents: each goes to one
 * agent drawn among those with an active session in the group and free (no
 * ACD call, no non-ACD call), as tapisim_non_acd_call with a log-normal talk
 * time of mean mean_talk_s, outgoing with probability outgoing_share (0..1);
 * a call finding nobody free is not counted.
 * tapisim_set_handle_base: HAGENT / HAGENTSESSION values start at `first`
 * (0 allowed); E_STATE once an agent or a session was created. */

/* ==== Decisions where the SDK pages are silent (or contradict each other) ====
 * Each is tested in tests/fidelity/ (the test names the page); the audit
 * table is docs/fidelity.md. Comment only, no declaration.
 *
 * Registration and lines
 *   - Notification: the event mechanism only, on every platform (POSIX has no
 *     window or completion port; a test backend needs one mechanism, and
 *     pytapi2 uses lineGetMessage). USEHIDDENWINDOW and USECOMPLETIONPORT ->
 *     LINEERR_INVALPARAM, a code lineInitializeEx's page lists. On Windows
 *     real TAPI supports both; code needing them is tested against tapi32.
 *   - lineInitializeExW accepts any *lpdwAPIVersion (the application's highest;
 *     TAPI translates); CALLHUBTRACKING needs it >= 3.0 (INVALPARAM).
 *   - Before any lineInitializeExW (no app at all) every function but
 *     lineInitializeExW and lineGetMessage returns LINEERR_UNINITIALIZED;
 *     lineGetMessage's page does not list it: INVALAPPHANDLE.
 *   - Versions: only those of tapi-versioning.md exist; negotiation returns
 *     the highest of them in the range, lineOpenW refuses any other.
 *   - Every simulated line supports LINEMEDIAMODE_UNKNOWN, INTERACTIVEVOICE
 *     and AUTOMATEDVOICE (a voice ACD): OWNER with 0 or another mode ->
 *     INVALMEDIAMODE. LINEMAPPER opens device 0 when lpCallParams' dwMediaMode
 *     is supported, else LINEMAPPERFAILED.
 *   - lpCallParams (LINEMAPPER, PROXY, SINGLEADDRESS): NULL -> INVALPOINTER,
 *     dwTotalSize below the fixed part -> STRUCTURETOOSMALL (for
 *     SINGLEADDRESS both are INVALADDRESSID, as its page says); a PROXY
 *     DevSpecific list that is empty, not whole DWORDs or outside dwTotalSize
 *     -> INVALPOINTER; an unknown request type -> OPERATIONUNAVAIL; a type
 *     another line of the device already serves -> NOTREGISTERED. Application
 *     handlers are announced with LINE_PROXYSTATUS(OPEN/CLOSE, type) to the
 *     device's other lines; the simulated handler is open before any line,
 *     so LINEPROXYSTATUS_ALLOPENFORACD is never sent.
 *
 * Agent handlers (proxy.c has the full list)
 *   - An application handler takes a request type over from the simulated
 *     ACD, which is the provider, not a proxy (lineGetProxyStatus lists the
 *     application handlers only); tapisim_set_builtin_handler(0) makes
 *     requests no handler serves fail at once with OPERATIONUNAVAIL.
 *   - A handler closing (lineClose, lineShutdown, LINE_CLOSE) fails its
 *     outstanding requests (client LINE_REPLY OPERATIONFAILED) and withdraws
 *     the LINE_PROXYREQUESTs it had not taken yet.
 *   - lineProxyResponse refuses with INVALPARAM, leaving the request pending:
 *     an unknown or already answered request, a result not on the client
 *     function's page, an output whose sizes lie. lineProxyMessage: the six
 *     agent/queue/group messages only (else INVALPARAM), hCall 0 (else
 *     INVALCALLHANDLE), from a handler line (else NOTREGISTERED); delivered
 *     to the device's other lines at TAPI 2.2 or later.
 *   - LINEPROXYREQUEST strings: client machine "localhost", user "tapisim".
 *
 * Agents and sessions (one ACD shared by every app and device)
 *   - PIN model: an agent added without a PIN belongs to an ACD that
 *     authenticates by the OS login and ignores PINs everywhere. An agent
 *     with a PIN (a legacy ACD, "a separate PIN for each session"):
 *     lineCreateAgentW accepts a NULL PIN (the agent object only), refuses a
 *     wrong one, and the right one authenticates the agent; then
 *     lineCreateAgentSessionW accepts a NULL PIN (TAPI 3's CreateSession),
 *     otherwise it needs the right PIN (CreateSessionWithPIN).
 *   - lineCreateAgentW with a NULL agent ID: the logged-on user's agent, the
 *     first agent added (tapisim_add_agent); the login authenticates it. No
 *     agent at all -> INVALPARAM.
 *   - Reply codes are those the function's page lists (lineProxyResponse's
 *     rule): unknown HAGENT, HAGENTSESSION, agent ID, group, queue or
 *     address, and a wrong PIN -> LINEERR_INVALPARAM (never INVALAGENTID,
 *     INVALAGENTGROUP, INVALPASSWORD or INVALADDRESSID, which those pages do
 *     not list); lineGetAgentCapsW keeps INVALADDRESSID, which its page lists.
 *     INVALPOINTER and STRUCTURETOOSMALL, on no agent page, apply anyway
 *     (NOTES: they exist and apply).
 *   - lineSetAgentSessionState: the page lists LINEERR_INVALAGENTSTATE, so a
 *     state or next state outside LINEAGENTSESSIONSTATE_ (synchronously) and
 *     a forbidden transition (in the reply) give INVALAGENTSTATE. pytapi2 maps
 *     INVALAGENTSESSIONSTATE to the same InvalidStateError.
 *   - A next state of 0 (both set-state functions) leaves the next state
 *     unchanged, like a 0 state. Setting what is already set sends no
 *     message; a change of the next state alone sends UPDATEINFO.
 *   - Handles: no value is reserved (0 included).
 *   - LINEAGENTCAPS: dwCapsVersion = min(dwAppAPIVersion, provider maximum);
 *     dwAppAPIVersion may be any known version from 2.0 (the function's own);
 *     dwFeatures = 0 and dwMaxNumGroupEntries = 0 (the TAPI 2.0 agent functions
 *     they describe are not exported); dwStates = dwNextStates = the
 *     LINEAGENTSTATE_ peers of the modelled LINEAGENTSTATEEX_ states (RELEASED
 *     has none); dwAgentStatusMessages = 0 (LINE_AGENTSTATUS is never sent).
 *
 * Statistics
 *   - A call counts from its answer: LINEAGENTSESSIONINFO and LINEAGENTINFO
 *     include the call in progress (talk / wrap-up so far, time to answer);
 *     a ringing call counts nowhere. Averages divide by that count.
 *   - cyACDCallRate = floor(calls * 3600 * 10000 / dwSessionDuration): ACD
 *     calls per hour of session duration as a CURRENCY, 0 while the duration
 *     is 0. dwSessionDuration freezes when the session first enters ENDED or
 *     RELEASED (RELEASED: the switch released it; terminal like ENDED).
 *   - dwMeasurementPeriod (agents and queues, default 1800 s) is a sliding
 *     window: LINEAGENTINFO counts the calls that ended within the last
 *     period (plus those in progress); LINEQUEUEINFO the calls queued,
 *     abandoned and (for dwAverageWaitTime) taken or abandoned within it.
 *     Setting a period resets nothing; what left a shorter window does not
 *     come back with a longer one. dwLongestEverWaitTime is never reset.
 *     Session statistics are whole-session totals (not windowed).
 *   - cyOverallCallRate = ACD calls in the window per hour during which the
 *     agent had at least one active (not ENDED/RELEASED) session in the
 *     window ("agent hour").
 *   - Calls never flow between queues: dwTotalCallsFlowedIn/Out = 0,
 *     dwFinalDisposition = 0.
 *
 * Messages
 *   - LINE_QUEUESTATUS(queue ID, NEWQUEUE / UPDATEINFO) when a queue is added,
 *     when a call joins or leaves it, when its period changes;
 *     LINE_GROUPSTATUS(0, NEWGROUP) when a group is added. The ACD is shared
 *     by every device, so they go to every open line at TAPI 2.2 or later
 *     (the pages' "Requires TAPI 2.2").
 *   - Variable parts are contiguous: strings follow each other unpadded. */
