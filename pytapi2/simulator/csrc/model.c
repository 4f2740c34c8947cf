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
 *   X -> X is an accepted no-op (no event).
 * RELEASED (no TAPI 3 counterpart; decision): the switch released the session.
 * It is terminal like ENDED and freezes dwSessionDuration the same way, at the
 * first entry into ENDED or RELEASED.
 *
 * A call on a session: offered (session stays READY but is reserved) ->
 * answered (BUSY_ON_CALL) -> talk over (BUSY_WRAPUP, skipped when the wrap-up
 * time is 0) -> completed. Statistics are updated only when a call COMPLETES,
 * so every snapshot is self-consistent. On completion the session receives
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

/* ---- lookups ------------------------------------------------------------- */

sim_session *sim_session_get(HAGENTSESSION h)
{
    if (h == 0 || h > g.nsessions)
        return NULL;
    return g.sessions[h - 1];
}

sim_agent *sim_agent_get(HAGENT h)
{
    if (h == 0 || h > g.nagents || !g.agents[h - 1]->created)
        return NULL;
    return g.agents[h - 1];
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
        if (!l || l->device != device || l->version < TAPI_VERSION2_2)
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
        emit(LINE_AGENTSTATUSEX, a->device, (DWORD_PTR)(agent + 1), status, p3);
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
    sim_agent *a = g.agents[s->agent];
    a->calls++;
    a->talk_ms += talk;
    a->wrap_ms += wrap;
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

int sim_session_set_state(sim_session *s, DWORD state, DWORD next)
{
    DWORD to = state ? state : s->state;
    if (!sim_transition_ok(s->state, to))
        return TAPISIM_E_STATE;
    s->next = next;
    if (to != s->state)
        apply_state(s, to);
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

void sim_event_fire(const sim_event *ev)
{
    sim_session *s = ev->session ? sim_session_get(ev->session) : NULL;
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
    s->handle = (HAGENTSESSION)(g.nsessions + 1);
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

void sim_free_model(void)
{
    for (size_t i = 0; i < g.nagents; i++) {
        free(g.agents[i]->id);
        free(g.agents[i]->pin);
        free(g.agents[i]->sessions);
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
