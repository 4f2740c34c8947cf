/*
 * control.c — the exported tapisim_* control API (include/tapisim.h).
 *
 * Decisions beyond the header's comments:
 *   - tapisim_configure_lines: 1..4096 lines, 1..256 addresses per line, a
 *     max_version in [TAPI_VERSION1_0, TAPI_VERSION3_1]; E_STATE while any app
 *     is initialized.
 *   - tapisim_set_initial_session_state: state READY or NOT_READY (BUSY states
 *     need a call, terminal ones make no sense for a new session); next 0 or
 *     any single LINEAGENTSESSIONSTATE_ bit.
 *   - tapisim_set_clock: VIRTUAL freezes the model at its current time; REAL
 *     continues from the current model time at `speed` (0 < speed <= 1e6).
 *   - tapisim_set_time: VIRTUAL mode only (E_STATE in REAL). Forward: every
 *     event up to the target is processed in order. Backward: allowed only
 *     while no timed event is pending (E_STATE otherwise), so that causality
 *     is never violated; durations of sessions started "later" read as 0.
 *   - tapisim_advance: ms >= 0; in REAL mode it jumps the real clock forward.
 *   - tapisim_schedule_session_state: at_unix_ms >= now; the legality of the
 *     change is checked when it fires (an illegal one is then ignored).
 *   - tapisim_inject_fault: kind 1..6, count >= 1; ERROR needs a LINEERR_
 *     value (0x8000xxxx) and works for every function; REPLY_ERROR also needs
 *     one; the reply kinds only for asynchronous functions, INFLATE_NEEDED
 *     only for those with a variable-size output; else E_INVAL. Unknown
 *     function name -> E_NOTFOUND. Faults for one function apply in FIFO
 *     order.
 *   - tapisim_post_message: the message gets dwCallbackInstance 0.
 *   - tapisim_set_handle_base / tapisim_non_acd_call: see tapisim.h.
 *   - The statistics conventions (call rates, windows) are listed with the
 *     other decisions at the end of tapisim.h.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static int done(int rc)
{
    sim_unlock();
    return rc;
}

SIM_EXPORT int tapisim_abi_version(void)
{
    return TAPISIM_ABI_VERSION;
}

SIM_EXPORT int tapisim_reset(void)
{
    sim_lock();
    sim_timer_stop_locked();
    sim_free_all();
    sim_defaults();
    g.handle_offset = 0;
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_set_handle_base(DWORD first)
{
    sim_lock();
    for (size_t i = 0; i < g.nagents; i++)
        if (g.agents[i]->created)
            return done(TAPISIM_E_STATE);
    if (g.nsessions)
        return done(TAPISIM_E_STATE);
    g.handle_offset = first - 1u;
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_configure_lines(DWORD num_lines, DWORD addresses_per_line, DWORD max_api_version)
{
    if (num_lines < 1 || num_lines > 4096 || addresses_per_line < 1 || addresses_per_line > 256 ||
        !sim_known_version(max_api_version))
        return TAPISIM_E_INVAL;
    sim_lock();
    if (sim_any_app())
        return done(TAPISIM_E_STATE);
    g.num_lines = num_lines;
    g.addresses = addresses_per_line;
    g.max_version = max_api_version;
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_set_reply_latency(DWORD microseconds)
{
    sim_lock();
    g.latency_us = microseconds;
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_set_initial_session_state(DWORD state, DWORD next_state)
{
    if ((state != LINEAGENTSESSIONSTATE_READY && state != LINEAGENTSESSIONSTATE_NOTREADY) ||
        (next_state != 0 && !sim_valid_session_state(next_state)))
        return TAPISIM_E_INVAL;
    sim_lock();
    g.init_state = state;
    g.init_next = next_state;
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_set_clock(int mode, double speed)
{
    if (mode != TAPISIM_CLOCK_VIRTUAL && mode != TAPISIM_CLOCK_REAL)
        return TAPISIM_E_INVAL;
    if (mode == TAPISIM_CLOCK_REAL && !(speed > 0.0 && speed <= 1e6))
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    g.clock_mode = mode;
    if (mode == TAPISIM_CLOCK_REAL) {
        g.speed = speed;
        g.base_model_ms = g.model_ms;
        g.base_mono_ns = sim_mono_ns();
        sim_timer_kick();
    }
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_set_time(int64_t unix_ms)
{
    sim_lock();
    if (g.clock_mode != TAPISIM_CLOCK_VIRTUAL)
        return done(TAPISIM_E_STATE);
    if (unix_ms < g.model_ms) {
        if (g.nheap)
            return done(TAPISIM_E_STATE);
        g.model_ms = unix_ms;
    } else {
        sim_process_until(unix_ms);
    }
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_get_time(int64_t *unix_ms)
{
    if (!unix_ms)
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    *unix_ms = g.model_ms;
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_advance(int64_t ms)
{
    if (ms < 0)
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    if (g.clock_mode == TAPISIM_CLOCK_REAL) {
        g.base_model_ms += ms;
        sim_touch();
        sim_timer_kick();
    } else {
        sim_process_until(g.model_ms + ms);
    }
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_add_agent(LPCWSTR agent_id, LPCWSTR pin)
{
    size_t n = sim_wcslen(agent_id);
    if (!agent_id || n == 0 || n > 255 || sim_wcslen(pin) > 255)
        return TAPISIM_E_INVAL;
    sim_lock();
    if (sim_agent_find(agent_id, NULL))
        return done(TAPISIM_E_EXISTS);
    if (sim_grow((void **)&g.agents, &g.capagents, g.nagents + 1, sizeof(void *)))
        return done(TAPISIM_E_NOMEM);
    sim_agent *a = calloc(1, sizeof *a);
    if (!a || !(a->id = sim_wcsdup(agent_id)) || (pin && pin[0] && !(a->pin = sim_wcsdup(pin)))) {
        if (a)
            free(a->id);
        free(a);
        return done(TAPISIM_E_NOMEM);
    }
    a->state = LINEAGENTSTATEEX_READY;
    a->next = 0;
    a->period_s = 1800;
    g.agents[g.nagents++] = a;
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_add_group(const GUID *group_id, LPCWSTR name)
{
    if (!group_id || sim_wcslen(name) > 1024)
        return TAPISIM_E_INVAL;
    sim_lock();
    if (sim_group_find(group_id, NULL))
        return done(TAPISIM_E_EXISTS);
    if (sim_grow((void **)&g.groups, &g.capgroups, g.ngroups + 1, sizeof(void *)))
        return done(TAPISIM_E_NOMEM);
    sim_group *gr = calloc(1, sizeof *gr);
    if (!gr || !(gr->name = sim_wcsdup(name))) {
        free(gr);
        return done(TAPISIM_E_NOMEM);
    }
    gr->id = *group_id;
    g.groups[g.ngroups++] = gr;
    sim_emit_group(LINEGROUPSTATUS_NEWGROUP);
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_add_queue(const GUID *group_id, DWORD queue_id, LPCWSTR name)
{
    if (!group_id || sim_wcslen(name) > 1024)
        return TAPISIM_E_INVAL;
    sim_lock();
    size_t gi;
    sim_group *gr = sim_group_find(group_id, &gi);
    if (!gr)
        return done(TAPISIM_E_NOTFOUND);
    if (sim_queue_find(queue_id, NULL))
        return done(TAPISIM_E_EXISTS);
    size_t capq = gr->nqueues; /* exact-size array: grow by one */
    if (sim_grow((void **)&g.queues, &g.capqueues, g.nqueues + 1, sizeof(void *)))
        return done(TAPISIM_E_NOMEM);
    size_t *nq = realloc(gr->queues, (capq + 1) * sizeof *nq);
    if (!nq)
        return done(TAPISIM_E_NOMEM);
    gr->queues = nq;
    sim_queue *q = calloc(1, sizeof *q);
    if (!q || !(q->name = sim_wcsdup(name))) {
        free(q);
        return done(TAPISIM_E_NOMEM);
    }
    q->id = queue_id;
    q->group = gi;
    q->period_s = 1800;
    gr->queues[gr->nqueues++] = g.nqueues;
    g.queues[g.nqueues++] = q;
    sim_emit_queue(q, LINEQUEUESTATUS_NEWQUEUE);
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_set_group_traffic(const GUID *group_id, const tapisim_traffic *t)
{
    if (!group_id || !t)
        return TAPISIM_E_INVAL;
    /* written so that NaN fails every test */
    if (!(t->calls_per_hour >= 0.0 && t->calls_per_hour <= 1e7) || !(t->mean_talk_s >= 0.0 && t->mean_talk_s <= 1e6) ||
        !(t->mean_wrapup_s >= 0.0 && t->mean_wrapup_s <= 1e6) || !(t->mean_ring_s >= 0.0 && t->mean_ring_s <= 1e6) ||
        !(t->patience_s >= 0.0 && t->patience_s <= 1e6))
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    size_t gi;
    if (!sim_group_find(group_id, &gi))
        return done(TAPISIM_E_NOTFOUND);
    int rc = sim_traffic_set(gi, t);
    sim_touch();
    return done(rc);
}

SIM_EXPORT int tapisim_offer_call(HAGENTSESSION session, DWORD wait_ms, DWORD talk_ms, DWORD wrapup_ms)
{
    sim_lock();
    sim_touch();
    sim_session *s = sim_session_get(session);
    if (!s)
        return done(TAPISIM_E_NOTFOUND);
    int rc = sim_offer(s, g.model_ms, wait_ms, talk_ms, wrapup_ms, 0);
    sim_touch();
    return done(rc);
}

SIM_EXPORT int tapisim_set_non_acd_traffic(const GUID *group_id, double calls_per_hour, double mean_talk_s,
                                           double outgoing_share, uint64_t seed)
{
    if (!group_id || !(calls_per_hour >= 0.0 && calls_per_hour <= 1e7) || !(mean_talk_s >= 0.0 && mean_talk_s <= 1e6) ||
        !(outgoing_share >= 0.0 && outgoing_share <= 1.0))
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    size_t gi;
    if (!sim_group_find(group_id, &gi))
        return done(TAPISIM_E_NOTFOUND);
    int rc = sim_non_acd_traffic_set(gi, calls_per_hour, mean_talk_s, outgoing_share, seed);
    sim_touch();
    return done(rc);
}

SIM_EXPORT int tapisim_non_acd_call(HAGENT agent, int outgoing, DWORD talk_ms)
{
    if (outgoing != 0 && outgoing != 1)
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    size_t idx;
    if (!sim_agent_get(agent, &idx))
        return done(TAPISIM_E_NOTFOUND);
    int rc = sim_non_acd_call(idx, outgoing, talk_ms);
    sim_touch();
    return done(rc);
}

SIM_EXPORT int tapisim_set_session_state(HAGENTSESSION session, DWORD state, DWORD next_state)
{
    if ((state != 0 && !sim_valid_session_state(state)) || (next_state != 0 && !sim_valid_session_state(next_state)))
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    sim_session *s = sim_session_get(session);
    if (!s)
        return done(TAPISIM_E_NOTFOUND);
    int rc = sim_session_set_state(s, state, next_state);
    sim_touch();
    return done(rc);
}

SIM_EXPORT int tapisim_schedule_session_state(HAGENTSESSION session, int64_t at_unix_ms, DWORD state,
                                              DWORD next_state)
{
    if ((state != 0 && !sim_valid_session_state(state)) || (next_state != 0 && !sim_valid_session_state(next_state)))
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    if (!sim_session_get(session))
        return done(TAPISIM_E_NOTFOUND);
    if (at_unix_ms < g.model_ms)
        return done(TAPISIM_E_INVAL);
    sim_event ev = {0};
    ev.t = at_unix_ms;
    ev.kind = EV_SCHED_STATE;
    ev.session = session;
    ev.a = state;
    ev.b = next_state;
    int rc = sim_schedule(&ev);
    sim_touch();
    return done(rc);
}

SIM_EXPORT int tapisim_close_line(DWORD device_id)
{
    sim_lock();
    sim_touch();
    if (device_id >= g.num_lines)
        return done(TAPISIM_E_NOTFOUND);
    for (size_t i = 0; i < g.lines.cap; i++) {
        sim_line *l = g.lines.slots[i];
        if (!l || l->device != device_id)
            continue;
        sim_proxy_status(l, LINEPROXYSTATUS_CLOSE);
        sim_proxy_line_closed(l, 1);
        sim_app *a = sim_app_get(l->app);
        if (a) {
            sim_suppress_line(a, l->handle);
            (void)sim_post(a, l->handle, LINE_CLOSE, l->cb, 0, 0, 0);
        }
        sim_table_remove(&g.lines, l->handle);
        free(l);
    }
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_inject_fault(const char *function_name, int kind, DWORD count, DWORD lineerr, DWORD param)
{
    int fn = sim_fault_index(function_name);
    if (fn < 0)
        return TAPISIM_E_NOTFOUND;
    if (kind < TAPISIM_FAULT_ERROR || kind > TAPISIM_FAULT_INFLATE_NEEDED || count == 0)
        return TAPISIM_E_INVAL;
    if ((kind == TAPISIM_FAULT_ERROR || kind == TAPISIM_FAULT_REPLY_ERROR) &&
        (lineerr & 0xFFFF0000u) != 0x80000000u)
        return TAPISIM_E_INVAL;
    if (kind != TAPISIM_FAULT_ERROR && !sim_fault_is_async(fn))
        return TAPISIM_E_INVAL;
    if (kind == TAPISIM_FAULT_INFLATE_NEEDED && !sim_fault_is_varsize(fn))
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_fault_list *l = &g.faults[fn];
    if (sim_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(sim_fault)))
        return done(TAPISIM_E_NOMEM);
    l->v[l->n++] = (sim_fault){kind, count, lineerr, param};
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_clear_faults(void)
{
    sim_lock();
    sim_faults_clear();
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_post_message(HLINEAPP app, DWORD device, DWORD message, DWORD_PTR param1, DWORD_PTR param2,
                                    DWORD_PTR param3)
{
    sim_lock();
    sim_app *a = sim_app_get(app);
    if (!a)
        return done(TAPISIM_E_NOTFOUND);
    return done(sim_post(a, device, message, 0, param1, param2, param3));
}

SIM_EXPORT int tapisim_message_fd(HLINEAPP app, int *fd)
{
    if (!fd)
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_app *a = sim_app_get(app);
    if (!a)
        return done(TAPISIM_E_NOTFOUND);
    int f = plat_signal_fd(&a->sig);
    if (f < 0)
        return done(TAPISIM_E_STATE); /* Windows: no fd, wait on Handles.hEvent */
    sim_app_set_signal(a, 1); /* asking for the fd means polling it */
    *fd = f;
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_set_message_signal(HLINEAPP app, int enabled)
{
    if (enabled != 0 && enabled != 1)
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    sim_app *a = sim_app_get(app);
    if (!a)
        return done(TAPISIM_E_NOTFOUND);
    sim_app_set_signal(a, enabled);
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_pending_replies(HLINEAPP app, DWORD *count)
{
    if (!count)
        return TAPISIM_E_INVAL;
    sim_lock();
    sim_touch();
    sim_app *a = sim_app_get(app);
    if (!a)
        return done(TAPISIM_E_NOTFOUND);
    *count = a->n_replies;
    return done(TAPISIM_OK);
}

SIM_EXPORT int tapisim_session_count(DWORD *count)
{
    if (!count)
        return TAPISIM_E_INVAL;
    sim_lock();
    *count = (DWORD)g.nsessions;
    return done(TAPISIM_OK);
}
