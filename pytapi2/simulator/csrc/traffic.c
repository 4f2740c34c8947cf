/*
 * traffic.c — seeded random call arrivals per ACD group.
 *
 * Poisson arrivals (exponential inter-arrival times) at calls_per_hour; talk
 * and wrap-up times log-normal with the given means and sigma 0.5 (so
 * exp(mu + sigma^2/2) = mean); ring time uniform on [0, 2 * mean_ring_s].
 * A call waits in the group's FIFO (statistics kept in the group's first
 * queue, if it has one) until the longest-idle free READY session of the
 * group takes it (sim_dispatch_group), and abandons after patience_s
 * (0 = never) if still waiting. A call that was offered to a session which
 * then left READY during the ring is lost (not counted as abandoned).
 * Queue statistics (model.c, sim_queue_stats): over the queue's measurement
 * window, dwAverageWaitTime covers every call that left the queue (taken by
 * an agent or abandoned); dwLongestEverWaitTime every call ever.
 *
 * Random numbers: xoshiro256** seeded through splitmix64. The few elementary
 * functions needed (ln, exp, sqrt) are computed here rather than taken from
 * libm, because the build does not link libm, and so that a seed gives the
 * same sequence on every platform. Deterministic for a seed on the virtual
 * clock.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro(uint64_t s[4])
{
    uint64_t r = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

static double uniform(uint64_t s[4]) /* [0, 1) */
{
    return (double)(xoshiro(s) >> 11) * (1.0 / 9007199254740992.0);
}

#define LN2 0.69314718055994530942

static double d_from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t bits_from_d(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static double sim_ln(double x) /* x > 0, finite */
{
    int e = 0;
    if (x < 2.2250738585072014e-308) {
        x *= 18014398509481984.0; /* 2^54 */
        e = -54;
    }
    uint64_t b = bits_from_d(x);
    e += (int)((b >> 52) & 0x7FF) - 1023;
    double m = d_from_bits((b & UINT64_C(0x000FFFFFFFFFFFFF)) | (UINT64_C(1023) << 52));
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, term = s, sum = 0.0;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return 2.0 * sum + e * LN2;
}

static double sim_exp(double x)
{
    if (x < -745.0)
        return 0.0;
    if (x > 709.0)
        x = 709.0;
    double q = x / LN2;
    int64_t n = (int64_t)(q < 0 ? q - 0.5 : q + 0.5);
    double r = x - (double)n * LN2, term = 1.0, sum = 1.0;
    for (int k = 1; k < 25; k++) {
        term *= r / k;
        sum += term;
    }
    while (n > 1023) {
        sum *= 8.98846567431158e307; /* 2^1023 */
        n -= 1023;
    }
    while (n < -1022) {
        sum *= 2.2250738585072014e-308; /* 2^-1022 */
        n += 1022;
    }
    return sum * d_from_bits((uint64_t)(n + 1023) << 52);
}

static double sim_sqrt(double x)
{
    if (x <= 0.0)
        return 0.0;
    double y = sim_exp(0.5 * sim_ln(x));
    return 0.5 * (y + x / y);
}

static double normal(uint64_t s[4]) /* Marsaglia polar method */
{
    for (;;) {
        double u = 2.0 * uniform(s) - 1.0, v = 2.0 * uniform(s) - 1.0;
        double q = u * u + v * v;
        if (q > 0.0 && q < 1.0)
            return u * sim_sqrt(-2.0 * sim_ln(q) / q);
    }
}

static DWORD to_ms(double seconds)
{
    double ms = seconds * 1000.0 + 0.5;
    if (!(ms > 0.0))
        return 0;
    if (ms > 2147483647.0)
        return 0x7FFFFFFF;
    return (DWORD)ms;
}

static DWORD lognormal_ms(uint64_t s[4], double mean_s)
{
    double z = normal(s); /* drawn even for mean 0: keeps the sequence aligned */
    if (mean_s <= 0.0)
        return 0;
    return to_ms(mean_s * sim_exp(0.5 * z - 0.125));
}

static void schedule_arrival(size_t group)
{
    sim_group *gr = g.groups[group];
    double per_ms = gr->traffic.calls_per_hour / 3600000.0;
    double dt = -sim_ln(1.0 - uniform(gr->rng)) / per_ms;
    if (dt > 1e15)
        dt = 1e15;
    sim_event ev = {0};
    ev.kind = EV_ARRIVAL;
    ev.group = group;
    ev.ref = gr->traffic_gen;
    ev.t = g.model_ms + (int64_t)(dt + 0.5);
    (void)sim_schedule(&ev);
}

int sim_traffic_set(size_t group, const tapisim_traffic *t)
{
    sim_group *gr = g.groups[group];
    gr->traffic = *t;
    gr->traffic_gen++;
    gr->traffic_on = t->calls_per_hour > 0.0;
    if (!gr->traffic_on)
        return 0;
    uint64_t x = t->seed;
    for (int i = 0; i < 4; i++)
        gr->rng[i] = splitmix64(&x);
    schedule_arrival(group);
    return 0;
}

static sim_queue *first_queue(sim_group *gr)
{
    return gr->nqueues ? g.queues[gr->queues[0]] : NULL;
}

static void left_queue(sim_group *gr, const sim_wait *w, int abandoned)
{
    sim_queue *q = first_queue(gr);
    if (!q)
        return;
    int64_t wait = g.model_ms - w->arrival_ms;
    if (q->current)
        q->current--;
    sim_queue_log(q, abandoned ? QEV_ABANDONED : QEV_ANSWERED, wait);
    sim_emit_queue(q, LINEQUEUESTATUS_UPDATEINFO);
}

void sim_traffic_arrival(size_t group, uint64_t gen)
{
    sim_group *gr = g.groups[group];
    if (!gr->traffic_on || gen != gr->traffic_gen)
        return; /* stale: the process was changed or stopped */
    sim_wait *w = calloc(1, sizeof *w);
    if (w) {
        w->id = ++g.call_seq;
        w->arrival_ms = g.model_ms;
        w->talk_ms = lognormal_ms(gr->rng, gr->traffic.mean_talk_s);
        w->wrapup_ms = lognormal_ms(gr->rng, gr->traffic.mean_wrapup_s);
        w->ring_ms = to_ms(uniform(gr->rng) * 2.0 * gr->traffic.mean_ring_s);
        sim_wait **tail = &gr->waiting;
        while (*tail)
            tail = &(*tail)->next;
        *tail = w;
        sim_queue *q = first_queue(gr);
        if (q) {
            q->current++;
            sim_queue_log(q, QEV_ARRIVED, 0);
            sim_emit_queue(q, LINEQUEUESTATUS_UPDATEINFO);
        }
        if (gr->traffic.patience_s > 0.0) {
            sim_event ev = {0};
            ev.kind = EV_ABANDON;
            ev.group = group;
            ev.ref = w->id;
            ev.t = g.model_ms + to_ms(gr->traffic.patience_s);
            (void)sim_schedule(&ev);
        }
    }
    schedule_arrival(group);
    sim_dispatch_group(group);
}

void sim_traffic_abandon(size_t group, uint64_t id)
{
    sim_group *gr = g.groups[group];
    for (sim_wait **p = &gr->waiting; *p; p = &(*p)->next)
        if ((*p)->id == id) {
            sim_wait *w = *p;
            *p = w->next;
            left_queue(gr, w, 1);
            free(w);
            return;
        }
}

sim_wait *sim_traffic_pop(size_t group)
{
    sim_group *gr = g.groups[group];
    sim_wait *w = gr->waiting;
    if (w) {
        gr->waiting = w->next;
        left_queue(gr, w, 0);
    }
    return w;
}

/* ---- non-ACD calls ------------------------------------------------------------
 * Poisson arrivals at per_hour for the group; each goes to one agent, drawn
 * uniformly among the agents with an active session in the group that are
 * free (no ACD call on any session, not already on a non-ACD call);
 * outgoing with probability `outgoing`, talk time log-normal. A call that
 * finds no free agent is not counted (nobody took it). */

static void schedule_non_acd(size_t group)
{
    sim_group *gr = g.groups[group];
    double per_ms = gr->nonacd_per_hour / 3600000.0;
    double dt = -sim_ln(1.0 - uniform(gr->nonacd_rng)) / per_ms;
    if (dt > 1e15)
        dt = 1e15;
    sim_event ev = {0};
    ev.kind = EV_NONACD_ARRIVAL;
    ev.group = group;
    ev.ref = gr->nonacd_gen;
    ev.t = g.model_ms + (int64_t)(dt + 0.5);
    (void)sim_schedule(&ev);
}

int sim_non_acd_traffic_set(size_t group, double per_hour, double mean_talk_s, double outgoing, uint64_t seed)
{
    sim_group *gr = g.groups[group];
    gr->nonacd_per_hour = per_hour;
    gr->nonacd_talk_s = mean_talk_s;
    gr->nonacd_outgoing = outgoing;
    gr->nonacd_gen++;
    if (per_hour <= 0.0)
        return 0;
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        gr->nonacd_rng[i] = splitmix64(&x);
    schedule_non_acd(group);
    return 0;
}

static int free_for_non_acd(size_t agent, size_t group)
{
    const sim_agent *a = g.agents[agent];
    if (!a->created || a->state == LINEAGENTSTATEEX_BUSYINCOMING || a->state == LINEAGENTSTATEEX_BUSYOUTGOING)
        return 0;
    int in_group = 0;
    for (size_t i = 0; i < a->nsessions; i++) {
        const sim_session *s = sim_session_get(a->sessions[i]);
        if (s->call.phase != PH_NONE)
            return 0;
        if (s->group == group && s->state != LINEAGENTSESSIONSTATE_ENDED &&
            s->state != LINEAGENTSESSIONSTATE_RELEASED)
            in_group = 1;
    }
    return in_group;
}

void sim_non_acd_arrival(size_t group, uint64_t gen)
{
    sim_group *gr = g.groups[group];
    if (gr->nonacd_per_hour <= 0.0 || gen != gr->nonacd_gen)
        return; /* stale: the process was changed or stopped */
    size_t nfree = 0;
    for (size_t i = 0; i < g.nagents; i++)
        nfree += (size_t)free_for_non_acd(i, group);
    /* drawn whatever happens, so a seed gives one sequence */
    double pick = uniform(gr->nonacd_rng), dir = uniform(gr->nonacd_rng);
    DWORD talk = lognormal_ms(gr->nonacd_rng, gr->nonacd_talk_s);
    if (nfree) {
        size_t k = (size_t)(pick * (double)nfree);
        for (size_t i = 0; i < g.nagents; i++)
            if (free_for_non_acd(i, group) && k-- == 0) {
                (void)sim_non_acd_call(i, dir < gr->nonacd_outgoing, talk);
                break;
            }
    }
    schedule_non_acd(group);
}
