/*
 * state.c — the global state, its lock, handle tables, defaults and teardown.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

sim_state g = {
    .num_lines = 1,
    .addresses = 1,
    .max_version = TAPI_VERSION3_1,
    .init_state = LINEAGENTSESSIONSTATE_NOTREADY,
    .init_next = LINEAGENTSESSIONSTATE_READY,
    .gen_counter = 0,
    .clock_mode = TAPISIM_CLOCK_VIRTUAL,
    .speed = 1.0,
    .model_ms = TAPISIM_DEFAULT_TIME_MS,
};

static plat_once sync_once = PLAT_ONCE_INIT;

/* The lock and the conditions need run-time set-up (the conditions wait on the
 * monotonic clock, which POSIX sets with an attribute): done once, lazily, by
 * the first sim_lock, whatever thread and entry point come first. */
static void init_sync(void)
{
    plat_mutex_init(&g.mu);
    plat_cond_init(&g.msg_cv);
    plat_cond_init(&g.timer_cv);
}

void sim_lock(void)
{
    plat_call_once(&sync_once, init_sync);
    plat_mutex_lock(&g.mu);
}

void sim_unlock(void)
{
    plat_mutex_unlock(&g.mu);
}

void sim_wake_waiters(void)
{
    plat_cond_broadcast(&g.msg_cv);
}

int sim_wait_msg(int64_t deadline_ns)
{
    return plat_cond_wait_until(&g.msg_cv, &g.mu, deadline_ns);
}

/* Grow *arr (of *cap elements of `elem` bytes) to hold at least `need`. */
int sim_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return TAPISIM_E_NOMEM;
    memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
    *arr = p;
    *cap = ncap;
    return 0;
}

size_t sim_wcslen(LPCWSTR s)
{
    size_t n = 0;
    if (s)
        while (s[n])
            n++;
    return n;
}

WCHAR *sim_wcsdup(LPCWSTR s)
{
    size_t n = sim_wcslen(s);
    WCHAR *d = malloc((n + 1) * sizeof(WCHAR));
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n * sizeof(WCHAR));
    d[n] = 0;
    return d;
}

int sim_wcseq(LPCWSTR a, LPCWSTR b)
{
    size_t na = sim_wcslen(a), nb = sim_wcslen(b);
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof(WCHAR)) == 0);
}

/* ---- handle tables ------------------------------------------------------ */

int sim_table_add(sim_table *t, void *obj, DWORD *handle)
{
    size_t slot = t->cap;
    for (size_t i = 0; i < t->cap; i++)
        if (!t->slots[i]) {
            slot = i;
            break;
        }
    if (slot >= SIM_MAX_SLOTS)
        return TAPISIM_E_NOMEM;
    if (slot == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        void **ns = realloc(t->slots, ncap * sizeof *ns);
        if (!ns)
            return TAPISIM_E_NOMEM;
        t->slots = ns;
        uint16_t *ng = realloc(t->gens, ncap * sizeof *ng);
        if (!ng)
            return TAPISIM_E_NOMEM; /* slots is larger than cap: harmless */
        t->gens = ng;
        memset(t->slots + t->cap, 0, (ncap - t->cap) * sizeof *ns);
        memset(t->gens + t->cap, 0, (ncap - t->cap) * sizeof *ng);
        t->cap = ncap;
    }
    g.gen_counter = (uint16_t)(g.gen_counter % 0x7FFF + 1); /* 1..0x7FFF */
    t->slots[slot] = obj;
    t->gens[slot] = g.gen_counter;
    t->used++;
    *handle = ((DWORD)g.gen_counter << SIM_SLOT_BITS) | (DWORD)slot;
    return 0;
}

void *sim_table_get(const sim_table *t, DWORD handle)
{
    size_t slot = handle & (SIM_MAX_SLOTS - 1);
    DWORD gen = handle >> SIM_SLOT_BITS;
    if (gen == 0 || slot >= t->cap || !t->slots[slot] || t->gens[slot] != gen)
        return NULL;
    return t->slots[slot];
}

void sim_table_remove(sim_table *t, DWORD handle)
{
    size_t slot = handle & (SIM_MAX_SLOTS - 1);
    if (sim_table_get(t, handle)) {
        t->slots[slot] = NULL;
        t->gens[slot] = 0;
        t->used--;
    }
}

sim_app *sim_app_get(HLINEAPP h)
{
    return sim_table_get(&g.apps, h);
}

sim_line *sim_line_get(HLINE h)
{
    return sim_table_get(&g.lines, h);
}

int sim_any_app(void)
{
    return g.apps.used != 0;
}

/* ---- defaults and teardown ------------------------------------------------ */

void sim_defaults(void)
{
    g.num_lines = 1;
    g.addresses = 1;
    g.max_version = TAPI_VERSION3_1;
    g.latency_us = 0;
    g.init_state = LINEAGENTSESSIONSTATE_NOTREADY;
    g.init_next = LINEAGENTSESSIONSTATE_READY;
    g.clock_mode = TAPISIM_CLOCK_VIRTUAL;
    g.speed = 1.0;
    g.model_ms = TAPISIM_DEFAULT_TIME_MS;
    g.base_model_ms = g.model_ms;
    g.base_mono_ns = 0;
    g.event_seq = 0;
    g.call_seq = 0;
    g.item_seq = 0;
}

/* Free every object; called with the lock held and the timer thread stopped.
 * Wakes lineGetMessage waiters, who then find their app handle invalid. */
void sim_free_all(void)
{
    for (size_t i = 0; i < g.apps.cap; i++)
        if (g.apps.slots[i])
            sim_app_free(g.apps.slots[i]);
    for (size_t i = 0; i < g.lines.cap; i++)
        free(g.lines.slots[i]);
    free(g.apps.slots);
    free(g.apps.gens);
    free(g.lines.slots);
    free(g.lines.gens);
    memset(&g.apps, 0, sizeof g.apps);
    memset(&g.lines, 0, sizeof g.lines);
    sim_free_model();
    free(g.heap);
    g.heap = NULL;
    g.nheap = g.capheap = 0;
    sim_faults_clear();
    sim_proxy_free_all();
    sim_wake_waiters();
}

#if defined(__GNUC__) && !defined(_WIN32)
/* Unload: stop the timer thread and free everything (no leak reports when a
 * process dlcloses or exits without calling tapisim_reset). Not on Windows:
 * at process exit the timer thread has been killed, possibly holding the
 * lock, and FreeLibrary cannot unload the DLL while the thread runs (it holds
 * a module reference, see plat_thread_start); the OS reclaims the memory. */
__attribute__((destructor)) static void sim_unload(void)
{
    sim_lock();
    sim_timer_stop_locked();
    sim_free_all();
    sim_unlock();
}
#endif
