/*
 * model.c — the ACD model: agents, groups, queues, agent sessions and calls.
 *
 * Session state machine (ne-tapi3cc-agent_session_state.md):
 *   NOT_READY    -> READY | ENDED
 *   READY        -> BUSY_ON_CALL | NOT_READY | ENDED
 *   BUSY_ON_CALL -> BUSY_WRAPUP | READY | NOT_READY | ENDED
 *   BUSY_WRAPUP  -> READY | NOT_READY | ENDED
 *   ENDED        -> RELEASED only (ENDED is final otherwise)
 *   any state except RELEASED -> RELEASED; RELEASED is final.
 *   X -> X is an accepted no-op (no event; a new next state alone: UPDATEINFO).
 * RELEASED (no TAPI 3 counterpart; decision): the switch released the session.
 * It is terminal like ENDED and freezes dwSessionDuration the same way, at the
 * first entry into ENDED or RELEASED.
 *
 * A call on a session: offered (session stays READY but is reserved) ->
 * answered (BUSY_ON_CALL) -> talk over (BUSY_WRAPUP, skipped when the wrap-up
 * time is 0) -> completed. A completed call is added to the session's totals
 * and the agent's window log; snapshots also count the call in progress from
 * its answer (sim_session_stats / sim_agent_stats). On completion the session receives
 * LINE_AGENTSESSIONSTATUS(UPDATEINFO), its agent LINE_AGENTSTATUSEX(UPDATEINFO),
 * then it enters its next state (READY when the next state is 0 or not one of
 * READY / NOT_READY / ENDED / RELEASED).
 * Forced changes: leaving READY while the call is still ringing loses the
 * call (not counted), except a change to BUSY_ON_CALL, which answers it now;
 * leaving BUSY_ON_CALL for READY / NOT_READY / ENDED / RELEASED completes the
 * call at once with the talk time so far and no wrap-up; BUSY_ON_CALL ->
 * BUSY_WRAPUP starts the call's wrap-up now; leaving BUSY_WRAPUP early
 * completes the call with the wrap-up time so far.
 * State changes without a call (e.g. an app sets BUSY_ON_CALL by hand) only
 * change the state.
 *
 * Events: LINE_AGENTSESSIONSTATUS / LINE_AGENTSTATUSEX go to every open line of
 * every app on the device the session / agent was created on, provided the
 * line was opened at TAPI_VERSION2_2 or later (older lines cannot use the
 * agent functions). STATE events are sent only when the state changes. The
 * events caused by a TAPI request are queued after that request's LINE_REPLY
 * (see sim_defer_begin / sim_defer_flush).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define ALL_SESSION_STATES                                                                  \
    (LINEAGENTSESSIONSTATE_NOTREADY | LINEAGENTSESSIONSTATE_READY |                         \
     LINEAGENTSESSIONSTATE_BUSYONCALL | LINEAGENTSESSIONSTATE_BUSYWRAPUP |                  \
     LINEAGENTSESSIONSTATE_ENDED | LINEAGENTSESSIONSTATE_RELEASED)

int sim_valid_session_state(DWORD s)
{
    return s != 0 && (s & (s - 1)) == 0 && (s & ALL_SESSION_STATES) == s;
}

static int terminal(DWORD s)
{
    return s == LINEAGENTSESSIONSTATE_ENDED || s == LINEAGENTSESSIONSTATE_RELEASED;
}

int sim_transition_ok(DWORD from, DWORD to)
{
    if (from == to)
        return 1;
    if (to == LINEAGENTSESSIONSTATE_RELEASED)
        return from != LINEAGENTSESSIONSTATE_RELEASED;
    switch (from) {
    case LINEAGENTSESSIONSTATE_NOTREADY:
        return to == LINEAGENTSESSIONSTATE_READY || to == LINEAGENTSESSIONSTATE_ENDED;
    case LINEAGENTSESSIONSTATE_READY:
        return to == LINEAGENTSESSIONSTATE_BUSYONCALL || to == LINEAGENTSESSIONSTATE_NOTREADY ||
               to == LINEAGENTSESSIONSTATE_ENDED;
    case LINEAGENTSESSIONSTATE_BUSYONCALL:
        return to == LINEAGENTSESSIONSTATE_BUSYWRAPUP || to == LINEAGENTSESSIONSTATE_READY ||
               to == LINEAGENTSESSIONSTATE_NOTREADY || to == LINEAGENTSESSIONSTATE_ENDED;
    case LINEAGENTSESSIONSTATE_BUSYWRAPUP:
        return to == LINEAGENTSESSIONSTATE_READY || to == LINEAGENTSESSIONSTATE_NOTREADY ||
               to == LINEAGENTSESSIONSTATE_ENDED;
    default:
        return 0;
    }
}

/* ---- versions ------------------------------------------------------------ */

static const DWORD known_versions[] = {TAPI_VERSION1_0, TAPI_VERSION1_4, TAPI_VERSION2_0, TAPI_VERSION2_1,
                                       TAPI_VERSION2_2, TAPI_VERSION3_0, TAPI_VERSION3_1};

/* A version tapi-versioning.md defines (0x00020005 is not one). */
int sim_known_version(DWORD v)
{
    for (size_t i = 0; i < sizeof known_versions / sizeof known_versions[0]; i++)
        if (known_versions[i] == v)
            return 1;
    return 0;
}

DWORD sim_highest_known_version(DWORD low, DWORD high)
{
    DWORD best = 0;
    for (size_t i = 0; i < sizeof known_versions / sizeof known_versions[0]; i++)
        if (known_versions[i] >= low && known_versions[i] <= high)
            best = known_versions[i];
    return best;
}

/* ---- handles and lookups ------------------------------------------------- *
 * HAGENT and HAGENTSESSION are the model index + 1 + g.handle_offset, modulo
 * 2^32: no value is reserved (the pages reserve none; a proxy may hand out
 * 0), so tests can move the first handle anywhere (tapisim_set_handle_base). */

static size_t handle_index(DWORD h)
{
    return (size_t)(DWORD)(h - 1u - g.handle_offset);
}

HAGENT sim_agent_handle(size_t index)
{
    return (HAGENT)((DWORD)index + 1u + g.handle_offset);
}

sim_session *sim_session_get(HAGENTSESSION h)
{
    size_t i = handle_index(h);
    return i < g.nsessions ? g.sessions[i] : NULL;
}

sim_agent *sim_agent_get(HAGENT h, size_t *index)
{
    size_t i = handle_index(h);
    if (i >= g.nagents || !g.agents[i]->created)
        return NULL;
    if (index)
        *index = i;
    return g.agents[i];
}

sim_group *sim_group_find(const GUID *id, size_t *index)
{
    for (size_t i = 0; i < g.ngroups; i++)
        if (memcmp(&g.groups[i]->id, id, sizeof(GUID)) == 0) {
            if (index)
                *index = i;
            return g.groups[i];
        }
    return NULL;
}

sim_queue *sim_queue_find(DWORD id, size_t *index)
{
    for (size_t i = 0; i < g.nqueues; i++)
        if (g.queues[i]->id == id) {
            if (index)
                *index = i;
            return g.queues[i];
        }
    return NULL;
}

sim_agent *sim_agent_find(LPCWSTR id, size_t *index)
{
    for (size_t i = 0; i < g.nagents; i++)
        if (sim_wcseq(g.agents[i]->id, id)) {
            if (index)
                *index = i;
            return g.agents[i];
        }
    return NULL;
}

/* ---- events to applications ------------------------------------------------ */

typedef struct deferred {
    DWORD msg, device;
    DWORD_PTR p1, p2, p3;
} deferred;

static deferred *dq;
static size_t ndq, capdq;
static int deferring;

static void emit_now(DWORD msgid, DWORD device, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3)
{
    for (size_t i = 0; i < g.lines.cap; i++) {
        sim_line *l = g.lines.slots[i];
        if (!l || (device != SIM_ALL_DEVICES && l->device != device) || l->version < TAPI_VERSION2_2)
            continue;
        sim_app *a = sim_app_get(l->app);
        if (a)
            (void)sim_post(a, l->handle, msgid, l->cb, p1, p2, p3);
    }
}

static void emit(DWORD msgid, DWORD device, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3)
{
    if (deferring && sim_grow((void **)&dq, &capdq, ndq + 1, sizeof *dq) == 0) {
        dq[ndq++] = (deferred){msgid, device, p1, p2, p3};
        return;
    }
    emit_now(msgid, device, p1, p2, p3);
}

/* A TAPI request's processing runs between these two calls; its events are
 * queued after its LINE_REPLY, which the caller posts in between. */
void sim_defer_begin(void)
{
    deferring = 1;
}

void sim_defer_flush(void)
{
    deferring = 0;
    for (size_t i = 0; i < ndq; i++)
        emit_now(dq[i].msg, dq[i].device, dq[i].p1, dq[i].p2, dq[i].p3);
    ndq = 0;
}

void sim_emit_session(const sim_session *s, DWORD status, DWORD p3)
{
    emit(LINE_AGENTSESSIONSTATUS, s->device, s->handle, status, p3);
}

void sim_emit_agent(size_t agent, DWORD status, DWORD p3)
{
    sim_agent *a = g.agents[agent];
    if (a->created)
        emit(LINE_AGENTSTATUSEX, a->device, (DWORD_PTR)sim_agent_handle(agent), status, p3);
}

/* Queues and groups belong to the one simulated ACD, which every line device
 * reaches: LINE_QUEUESTATUS / LINE_GROUPSTATUS go to every open line at
 * TAPI_VERSION2_2 or later (line-queuestatus.md, line-groupstatus.md). */
void sim_emit_queue(const sim_queue *q, DWORD status)
{
    emit(LINE_QUEUESTATUS, SIM_ALL_DEVICES, q->id, status, 0);
}

void sim_emit_group(DWORD status)
{
    emit(LINE_GROUPSTATUS, SIM_ALL_DEVICES, 0, status, 0);
}

/* line-proxystatus.md: an application's proxy handler opened (lineOpen with
 * LINEOPENOPTION_PROXY) or closed on `l`'s device: one LINE_PROXYSTATUS per
 * request type to every other open line of that device. The simulated ACD
 * handler itself is open before any line, so it never "opens" and
 * LINEPROXYSTATUS_ALLOPENFORACD is not sent (decision, tapisim.h). */
void sim_proxy_status(const sim_line *l, DWORD status)
{
    for (DWORD type = 1; type < 32; type++) {
        if (!(l->proxy_mask & (1u << type)))
            continue;
        for (size_t i = 0; i < g.lines.cap; i++) {
            sim_line *o = g.lines.slots[i];
            if (!o || o == l || o->device != l->device)
                continue;
            sim_app *a = sim_app_get(o->app);
            if (a)
                (void)sim_post(a, o->handle, LINE_PROXYSTATUS, o->cb, status, type, 0);
        }
    }
}

/* ---- state changes and calls ---------------------------------------------- */

static void change_state(sim_session *s, DWORD to)
{
    DWORD from = s->state;
    s->state = to;
    if (terminal(to) && !terminal(from))
        s->end_ms = g.model_ms;
    if (to == LINEAGENTSESSIONSTATE_READY)
        s->idle_since_ms = g.model_ms;
    sim_emit_session(s, LINEAGENTSESSIONSTATUS_STATE, to);
    if (to == LINEAGENTSESSIONSTATE_READY && s->call.phase == PH_NONE)
        sim_dispatch_group(s->group);
}

static void schedule_call(sim_session *s, int kind, int64_t at)
{
    sim_event ev = {0};
    ev.t = at;
    ev.kind = kind;
    ev.session = s->handle;
    ev.ref = s->call.id;
    (void)sim_schedule(&ev); /* out of memory: the phase never ends (documented limit) */
}

static void complete_call(sim_session *s, int64_t talk, int64_t wrap)
{
    int64_t wait = s->call.answered_ms - s->call.offered_ms;
    if (wait < 0)
        wait = 0;
    s->calls++;
    s->talk_ms += talk;
    s->wrap_ms += wrap;
    s->wait_ms += wait;
    if (wait > s->longest_wait_ms)
        s->longest_wait_ms = wait;
    sim_done d = {g.model_ms, talk, wrap, DONE_ACD};
    sim_agent_log(s->agent, &d);
    s->call.phase = PH_NONE;
    sim_emit_session(s, LINEAGENTSESSIONSTATUS_UPDATEINFO, 0);
    sim_emit_agent(s->agent, LINEAGENTSTATUSEX_UPDATEINFO, 0);
}

static void answer(sim_session *s)
{
    s->call.phase = PH_TALK;
    s->call.answered_ms = g.model_ms;
    change_state(s, LINEAGENTSESSIONSTATE_BUSYONCALL);
    schedule_call(s, EV_TALK_END, g.model_ms + s->call.talk_ms);
}

static void start_wrap(sim_session *s)
{
    s->call.talk_ms = (DWORD)(g.model_ms - s->call.answered_ms); /* actual talk time */
    s->call.phase = PH_WRAP;
    s->call.wrap_start_ms = g.model_ms;
    change_state(s, LINEAGENTSESSIONSTATE_BUSYWRAPUP);
    schedule_call(s, EV_WRAP_END, g.model_ms + s->call.wrapup_ms);
}

static void finish(sim_session *s)
{
    int64_t talk, wrap = 0;
    if (s->call.phase == PH_WRAP) {
        talk = s->call.talk_ms;
        wrap = g.model_ms - s->call.wrap_start_ms;
    } else {
        talk = g.model_ms - s->call.answered_ms;
    }
    complete_call(s, talk, wrap);
    DWORD to = s->next;
    if (to != LINEAGENTSESSIONSTATE_READY && to != LINEAGENTSESSIONSTATE_NOTREADY &&
        to != LINEAGENTSESSIONSTATE_ENDED && to != LINEAGENTSESSIONSTATE_RELEASED)
        to = LINEAGENTSESSIONSTATE_READY;
    if (to != s->state)
        change_state(s, to);
}

/* The state change itself, with its effect on a call in progress. */
static void apply_state(sim_session *s, DWORD to)
{
    switch (s->call.phase) {
    case PH_RING:
        if (to == LINEAGENTSESSIONSTATE_BUSYONCALL) {
            answer(s);
            return;
        }
        s->call.phase = PH_NONE; /* lost: not counted */
        break;
    case PH_TALK:
        if (to == LINEAGENTSESSIONSTATE_BUSYWRAPUP) {
            start_wrap(s);
            return;
        }
        complete_call(s, g.model_ms - s->call.answered_ms, 0);
        break;
    case PH_WRAP:
        complete_call(s, s->call.talk_ms, g.model_ms - s->call.wrap_start_ms);
        break;
    default:
        break;
    }
    change_state(s, to);
}

/* 0 keeps the state / the next state (nf-tapi-linesetagentsessionstate.md
 * says so for the state; the simulator reads the next state the same way).
 * A change of the next state alone is reported as UPDATEINFO (it is part of
 * LINEAGENTSESSIONINFO); no change, no message. */
int sim_session_set_state(sim_session *s, DWORD state, DWORD next)
{
    DWORD to = state ? state : s->state;
    if (!sim_transition_ok(s->state, to))
        return TAPISIM_E_STATE;
    int next_changed = next != 0 && next != s->next;
    if (next)
        s->next = next;
    if (to != s->state)
        apply_state(s, to);
    else if (next_changed)
        sim_emit_session(s, LINEAGENTSESSIONSTATUS_UPDATEINFO, 0);
    return 0;
}

int sim_offer(sim_session *s, int64_t offered_ms, DWORD ring_ms, DWORD talk_ms, DWORD wrapup_ms, size_t queue)
{
    if (s->state != LINEAGENTSESSIONSTATE_READY || s->call.phase != PH_NONE)
        return TAPISIM_E_STATE;
    memset(&s->call, 0, sizeof s->call);
    s->call.phase = PH_RING;
    s->call.id = ++g.call_seq;
    s->call.offered_ms = offered_ms;
    s->call.talk_ms = talk_ms;
    s->call.wrapup_ms = wrapup_ms;
    s->call.queue = queue;
    schedule_call(s, EV_ANSWER, g.model_ms + ring_ms);
    return 0;
}

/* Route waiting calls of `group` to its longest-idle free READY sessions. */
void sim_dispatch_group(size_t group)
{
    sim_group *gr = g.groups[group];
    while (gr->waiting) {
        sim_session *best = NULL;
        for (size_t i = 0; i < g.nsessions; i++) {
            sim_session *s = g.sessions[i];
            if (s->group != group || s->state != LINEAGENTSESSIONSTATE_READY || s->call.phase != PH_NONE)
                continue;
            if (!best || s->idle_since_ms < best->idle_since_ms)
                best = s;
        }
        if (!best)
            return;
        sim_wait *w = sim_traffic_pop(group);
        size_t q = gr->nqueues ? gr->queues[0] + 1 : 0;
        (void)sim_offer(best, w->arrival_ms, w->ring_ms, w->talk_ms, w->wrapup_ms, q);
        free(w);
    }
}

/* A non-ACD call (tapisim_non_acd_call): the agent is BUSYINCOMING or
 * BUSYOUTGOING for the talk time, then back in the state it had (unless its
 * state was changed meanwhile); the call then counts in LINEAGENTINFO's
 * dwNumberOfIncomingCalls / dwNumberOfOutgoingCalls. Sessions are not
 * involved: non-ACD calls are not ACD statistics. */
int sim_non_acd_call(size_t agent, int outgoing, DWORD talk_ms)
{
    sim_agent *a = g.agents[agent];
    DWORD busy = outgoing ? LINEAGENTSTATEEX_BUSYOUTGOING : LINEAGENTSTATEEX_BUSYINCOMING;
    if (a->state == LINEAGENTSTATEEX_BUSYINCOMING || a->state == LINEAGENTSTATEEX_BUSYOUTGOING)
        return TAPISIM_E_STATE;
    sim_event ev = {0};
    ev.t = g.model_ms + talk_ms;
    ev.kind = EV_NONACD_END;
    ev.agent = agent;
    ev.a = a->state;
    ev.b = busy;
    ev.ref = (uint64_t)g.model_ms;
    int rc = sim_schedule(&ev);
    if (rc)
        return rc;
    a->state = busy;
    sim_emit_agent(agent, LINEAGENTSTATUSEX_STATE, busy);
    return 0;
}

static void non_acd_end(const sim_event *ev)
{
    if (ev->agent >= g.nagents)
        return;
    sim_agent *a = g.agents[ev->agent];
    sim_done d = {g.model_ms, g.model_ms - (int64_t)ev->ref, 0,
                  ev->b == LINEAGENTSTATEEX_BUSYOUTGOING ? DONE_OUTGOING : DONE_INCOMING};
    sim_agent_log(ev->agent, &d);
    if (a->state == ev->b) {
        a->state = ev->a;
        sim_emit_agent(ev->agent, LINEAGENTSTATUSEX_STATE, a->state);
    }
    sim_emit_agent(ev->agent, LINEAGENTSTATUSEX_UPDATEINFO, 0);
}

void sim_event_fire(const sim_event *ev)
{
    int about_session = ev->kind == EV_ANSWER || ev->kind == EV_TALK_END || ev->kind == EV_WRAP_END ||
                        ev->kind == EV_SCHED_STATE; /* 0 is a valid handle: ask the kind */
    sim_session *s = about_session ? sim_session_get(ev->session) : NULL;
    int live = s && s->call.id == ev->ref;
    switch (ev->kind) {
    case EV_ANSWER:
        if (live && s->call.phase == PH_RING)
            answer(s);
        break;
    case EV_TALK_END:
        if (live && s->call.phase == PH_TALK) {
            if (s->call.wrapup_ms > 0)
                start_wrap(s);
            else
                finish(s);
        }
        break;
    case EV_WRAP_END:
        if (live && s->call.phase == PH_WRAP)
            finish(s);
        break;
    case EV_SCHED_STATE:
        /* Legality is checked when it fires; an illegal change is ignored. */
        if (s)
            (void)sim_session_set_state(s, ev->a, ev->b);
        break;
    case EV_ARRIVAL:
        sim_traffic_arrival(ev->group, ev->ref);
        break;
    case EV_ABANDON:
        sim_traffic_abandon(ev->group, ev->ref);
        break;
    case EV_NONACD_END:
        non_acd_end(ev);
        break;
    case EV_NONACD_ARRIVAL:
        sim_non_acd_arrival(ev->group, ev->ref);
        break;
    default:
        break;
    }
}

int sim_session_create(size_t agent, size_t group, DWORD address, DWORD device, HAGENTSESSION *out)
{
    sim_agent *a = g.agents[agent];
    if (g.nsessions >= 0x7FFFFFFF)
        return TAPISIM_E_NOMEM;
    if (sim_grow((void **)&g.sessions, &g.capsessions, g.nsessions + 1, sizeof(void *)) ||
        sim_grow((void **)&a->sessions, &a->capsessions, a->nsessions + 1, sizeof(HAGENTSESSION)))
        return TAPISIM_E_NOMEM;
    sim_session *s = calloc(1, sizeof *s);
    if (!s)
        return TAPISIM_E_NOMEM;
    s->handle = (HAGENTSESSION)sim_agent_handle(g.nsessions); /* same numbering scheme */
    s->agent = agent;
    s->group = group;
    s->address = address;
    s->device = device;
    s->state = g.init_state;
    s->next = g.init_next;
    s->start_ms = g.model_ms;
    s->idle_since_ms = g.model_ms;
    g.sessions[g.nsessions++] = s;
    a->sessions[a->nsessions++] = s->handle;
    sim_emit_session(s, LINEAGENTSESSIONSTATUS_NEWSESSION, 0);
    if (s->state == LINEAGENTSESSIONSTATE_READY)
        sim_dispatch_group(group);
    *out = s->handle;
    return 0;
}

int64_t sim_session_duration_ms(const sim_session *s)
{
    int64_t end = terminal(s->state) ? s->end_ms : g.model_ms;
    int64_t d = end - s->start_ms;
    return d < 0 ? 0 : d; /* the clock may have been set back before the start */
}

/* ---- statistics of the moment ------------------------------------------------
 * A call counts from its answer (ns-tapi-lineagentsessioninfo.md counts the
 * "seconds spent talking ... during this agent session"): a snapshot taken
 * during a call includes it, with its talk / wrap-up time so far and its
 * time to answer, so occupancy and idle time are right during long calls.
 * A ringing call is not handled yet and does not count. */

/* The call in progress on `s` (answered), as a completed call would count. */
static int call_so_far(const sim_session *s, int64_t *talk, int64_t *wrap, int64_t *wait)
{
    if (s->call.phase != PH_TALK && s->call.phase != PH_WRAP)
        return 0;
    *wait = s->call.answered_ms - s->call.offered_ms;
    if (*wait < 0)
        *wait = 0;
    if (s->call.phase == PH_TALK) {
        *talk = g.model_ms - s->call.answered_ms;
        *wrap = 0;
    } else {
        *talk = s->call.talk_ms;
        *wrap = g.model_ms - s->call.wrap_start_ms;
    }
    return 1;
}

void sim_session_stats(const sim_session *s, sim_stats *out)
{
    memset(out, 0, sizeof *out);
    out->calls = s->calls;
    out->talk_ms = s->talk_ms;
    out->wrap_ms = s->wrap_ms;
    out->wait_ms = s->wait_ms;
    out->longest_wait_ms = s->longest_wait_ms;
    int64_t talk, wrap, wait;
    if (call_so_far(s, &talk, &wrap, &wait)) {
        out->calls++;
        out->talk_ms += talk;
        out->wrap_ms += wrap;
        out->wait_ms += wait;
        if (wait > out->longest_wait_ms)
            out->longest_wait_ms = wait;
    }
}

static int64_t window_start(DWORD period_s)
{
    return g.model_ms - (int64_t)period_s * 1000;
}

/* Keep only what ended inside the window (ns-tapi-lineagentinfo.md:
 * "dwMeasurementPeriod indicates if this value referenced the calls handled
 * in the last hour, day, or month"); a later, longer period cannot bring
 * back what was dropped (documented in tapisim.h). */
void sim_agent_log(size_t agent, const sim_done *d)
{
    sim_agent *a = g.agents[agent];
    int64_t ws = window_start(a->period_s);
    size_t keep = 0;
    while (keep < a->nlog && a->log[keep].end_ms <= ws)
        keep++;
    if (keep) {
        memmove(a->log, a->log + keep, (a->nlog - keep) * sizeof *a->log);
        a->nlog -= keep;
    }
    if (sim_grow((void **)&a->log, &a->caplog, a->nlog + 1, sizeof *a->log) == 0)
        a->log[a->nlog++] = *d; /* out of memory: the call is not counted (documented limit) */
}

static int cmp_start(const void *x, const void *y)
{
    const int64_t *a = x, *b = y;
    return (a[0] > b[0]) - (a[0] < b[0]);
}

/* Over the agent's window: calls completed in it plus the ones in progress;
 * active_ms is the time at least one of its sessions was active (not yet
 * ENDED / RELEASED) within the window, the "agent hour" of cyOverallCallRate. */
void sim_agent_stats(size_t agent, sim_stats *out)
{
    const sim_agent *a = g.agents[agent];
    int64_t ws = window_start(a->period_s), now = g.model_ms;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < a->nlog; i++) {
        const sim_done *d = &a->log[i];
        if (d->end_ms <= ws)
            continue;
        if (d->kind == DONE_INCOMING)
            out->incoming++;
        else if (d->kind == DONE_OUTGOING)
            out->outgoing++;
        else {
            out->calls++;
            out->talk_ms += d->talk_ms;
            out->wrap_ms += d->wrap_ms;
        }
    }
    int64_t(*spans)[2] = a->nsessions ? malloc(a->nsessions * sizeof *spans) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < a->nsessions; i++) {
        const sim_session *s = sim_session_get(a->sessions[i]);
        int64_t talk, wrap, wait;
        if (call_so_far(s, &talk, &wrap, &wait)) {
            out->calls++;
            out->talk_ms += talk;
            out->wrap_ms += wrap;
        }
        int64_t from = s->start_ms > ws ? s->start_ms : ws;
        int64_t to = terminal(s->state) ? s->end_ms : now;
        if (spans && to > from) {
            spans[n][0] = from;
            spans[n][1] = to;
            n++;
        }
    }
    if (spans) { /* out of memory: active time 0, so the rate reads 0 (documented limit) */
        qsort(spans, n, sizeof *spans, cmp_start);
        int64_t end = INT64_MIN;
        for (size_t i = 0; i < n; i++) {
            int64_t from = spans[i][0] > end ? spans[i][0] : end;
            if (spans[i][1] > from)
                out->active_ms += spans[i][1] - from;
            if (spans[i][1] > end)
                end = spans[i][1];
        }
        free(spans);
    }
}

void sim_queue_log(sim_queue *q, int kind, int64_t wait_ms)
{
    int64_t ws = window_start(q->period_s);
    size_t keep = 0;
    while (keep < q->nlog && q->log[keep].t <= ws)
        keep++;
    if (keep) {
        memmove(q->log, q->log + keep, (q->nlog - keep) * sizeof *q->log);
        q->nlog -= keep;
    }
    if (kind != QEV_ARRIVED && wait_ms > q->longest_ever_ms)
        q->longest_ever_ms = wait_ms;
    if (sim_grow((void **)&q->log, &q->caplog, q->nlog + 1, sizeof *q->log) == 0)
        q->log[q->nlog++] = (sim_qev){g.model_ms, wait_ms, kind};
}

/* Over the queue's window: calls queued, abandoned, and the waits of the calls
 * that left the queue (answered or abandoned) for dwAverageWaitTime. */
void sim_queue_stats(const sim_queue *q, sim_qstats *out)
{
    int64_t ws = window_start(q->period_s);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < q->nlog; i++) {
        const sim_qev *e = &q->log[i];
        if (e->t <= ws)
            continue;
        if (e->kind == QEV_ARRIVED) {
            out->queued++;
            continue;
        }
        if (e->kind == QEV_ABANDONED)
            out->abandoned++;
        out->left++;
        out->wait_sum_ms += e->wait_ms;
    }
}

void sim_free_model(void)
{
    for (size_t i = 0; i < g.nagents; i++) {
        free(g.agents[i]->id);
        free(g.agents[i]->pin);
        free(g.agents[i]->sessions);
        free(g.agents[i]->log);
        free(g.agents[i]);
    }
    for (size_t i = 0; i < g.ngroups; i++) {
        sim_wait *w = g.groups[i]->waiting;
        while (w) {
            sim_wait *n = w->next;
            free(w);
            w = n;
        }
        free(g.groups[i]->name);
        free(g.groups[i]->queues);
        free(g.groups[i]);
    }
    for (size_t i = 0; i < g.nqueues; i++) {
        free(g.queues[i]->name);
        free(g.queues[i]->log);
        free(g.queues[i]);
    }
    for (size_t i = 0; i < g.nsessions; i++)
        free(g.sessions[i]);
    free(g.agents);
    free(g.groups);
    free(g.queues);
    free(g.sessions);
    g.agents = NULL;
    g.groups = NULL;
    g.queues = NULL;
    g.sessions = NULL;
    g.nagents = g.capagents = g.ngroups = g.capgroups = 0;
    g.nqueues = g.capqueues = g.nsessions = g.capsessions = 0;
    free(dq);
    dq = NULL;
    ndq = capdq = 0;
    deferring = 0;
}
