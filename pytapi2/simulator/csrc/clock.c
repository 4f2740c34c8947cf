/*
 * clock.c — model clock, timed-event heap, timer thread, OLE DATE.
 *
 * Model time is int64 milliseconds since 1970-01-01 (naive; may be negative).
 * VIRTUAL mode: time moves only through tapisim_advance / tapisim_set_time.
 * REAL mode: now = base_model_ms + (monotonic - base_mono_ns) * speed, i.e. the
 * model continues from the time it had when the mode (or speed) was set.
 *
 * Timed events (call phases, traffic arrivals and abandons, scheduled state
 * changes) live in a binary min-heap ordered by (time, insertion sequence) and
 * are processed strictly in that order up to "now" whenever the model is
 * touched (every API entry, lineGetMessage wake-ups, the timer thread).
 *
 * The timer thread exists so that, in REAL mode or while delayed/held replies
 * are pending, due work happens (and the pollable fds become readable) without
 * anyone calling in. It is started lazily, once, and stopped (joined) by
 * tapisim_reset and at library unload.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

int64_t sim_mono_ns(void)
{
    return plat_mono_ns();
}

int64_t sim_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int64_t sim_now(void)
{
    if (g.clock_mode != TAPISIM_CLOCK_REAL)
        return g.model_ms;
    double el = (double)(sim_mono_ns() - g.base_mono_ns) * g.speed / 1e6;
    int64_t t = g.base_model_ms + (int64_t)el;
    return t < g.model_ms ? g.model_ms : t;
}

/* ---- event heap ------------------------------------------------------------ */

static int ev_less(const sim_event *a, const sim_event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int sim_schedule(const sim_event *ev)
{
    if (sim_grow((void **)&g.heap, &g.capheap, g.nheap + 1, sizeof(sim_event)))
        return TAPISIM_E_NOMEM;
    size_t i = g.nheap++;
    g.heap[i] = *ev;
    g.heap[i].seq = ++g.event_seq;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&g.heap[i], &g.heap[p]))
            break;
        sim_event tmp = g.heap[p];
        g.heap[p] = g.heap[i];
        g.heap[i] = tmp;
        i = p;
    }
    if (g.clock_mode == TAPISIM_CLOCK_REAL)
        sim_timer_kick();
    return 0;
}

static sim_event heap_pop(void)
{
    sim_event top = g.heap[0];
    g.heap[0] = g.heap[--g.nheap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < g.nheap && ev_less(&g.heap[l], &g.heap[m]))
            m = l;
        if (r < g.nheap && ev_less(&g.heap[r], &g.heap[m]))
            m = r;
        if (m == i)
            break;
        sim_event tmp = g.heap[m];
        g.heap[m] = g.heap[i];
        g.heap[i] = tmp;
        i = m;
    }
    return top;
}

void sim_process_until(int64_t t)
{
    if (g.processing)
        return;
    g.processing = 1;
    while (g.nheap && g.heap[0].t <= t) {
        sim_event ev = heap_pop();
        if (ev.t > g.model_ms)
            g.model_ms = ev.t;
        sim_event_fire(&ev);
    }
    if (t > g.model_ms)
        g.model_ms = t;
    g.processing = 0;
}

void sim_touch(void)
{
    sim_process_until(sim_now());
}

int64_t sim_next_event_mono_ns(void)
{
    if (g.clock_mode != TAPISIM_CLOCK_REAL || g.nheap == 0)
        return -1;
    double dt_ns = (double)(g.heap[0].t - g.base_model_ms) * 1e6 / g.speed;
    int64_t due = g.base_mono_ns + (int64_t)dt_ns;
    return due < 0 ? 0 : due;
}

/* ---- OLE Automation DATE ------------------------------------------------------
 * days = floor(ms since 1899-12-30 / 86400000), frac = remainder / 86400000,
 * DATE = days + frac when days >= 0, days - frac otherwise (the OLE encoding
 * of times before 1899-12-30: the fraction is the time of day, and the sign
 * applies to the day part only). */
#define MS_PER_DAY INT64_C(86400000)
#define OLE_EPOCH_TO_UNIX_MS (INT64_C(25569) * MS_PER_DAY)

double sim_date_from_ms(int64_t unix_ms)
{
    int64_t x = unix_ms + OLE_EPOCH_TO_UNIX_MS;
    int64_t days = sim_floordiv(x, MS_PER_DAY);
    int64_t rem = x - days * MS_PER_DAY;
    double frac = (double)rem / (double)MS_PER_DAY;
    return days >= 0 ? (double)days + frac : (double)days - frac;
}

/* ---- timer thread ------------------------------------------------------------ */

static void timer_main(void *arg)
{
    uintptr_t epoch = (uintptr_t)arg;
    sim_lock();
    while ((uintptr_t)g.timer_epoch == epoch) {
        sim_touch();
        sim_update_all_fds();
        sim_wake_waiters();
        int64_t now = sim_mono_ns();
        int64_t wake = sim_next_event_mono_ns();
        for (size_t i = 0; i < g.apps.cap; i++) {
            sim_app *a = g.apps.slots[i];
            if (!a)
                continue;
            int64_t d = sim_app_next_due(a, now);
            if (d >= 0 && (wake < 0 || d < wake))
                wake = d;
        }
        plat_cond_wait_until(&g.timer_cv, &g.mu, wake); /* wake < 0: no timeout */
    }
    sim_unlock();
}

/* With the lock held: make sure the timer thread runs and re-plans its wake-up.
 * If the thread cannot be created, lineGetMessage still honours due times by
 * itself; only the fd may then become readable late. */
void sim_timer_kick(void)
{
    if (!g.timer_started) {
        if (plat_thread_start(&g.timer, timer_main, (void *)(uintptr_t)g.timer_epoch) == 0)
            g.timer_started = 1;
        return;
    }
    plat_cond_broadcast(&g.timer_cv);
}

/* With the lock held; releases it while joining. Bumping the epoch tells the
 * running thread to exit even if another thread kicks a new one meanwhile. */
void sim_timer_stop_locked(void)
{
    if (!g.timer_started)
        return;
    g.timer_epoch++;
    g.timer_started = 0;
    plat_thread t = g.timer;
    plat_cond_broadcast(&g.timer_cv);
    sim_unlock();
    plat_thread_join(&t);
    sim_lock();
}
