/*
 * messages.c — per-application message queues, pending replies, pollable fd.
 *
 * Each app has one FIFO of items (events and LINE_REPLYs). An item is
 * deliverable when its due time has passed (replies: request time + reply
 * latency [+ DELAY fault]); a REORDER-held reply is deliverable once a later
 * reply of the app has been delivered, or at the latest 50 ms (real time)
 * after its due time if no later reply ever comes. lineGetMessage returns the
 * first deliverable item in FIFO order.
 *
 * Held replies are also linked, in request order, on a per-app held list, so
 * that delivering a reply releases the held replies requested before it by
 * walking only that list's prefix (O(released)), not the whole queue: draining
 * N queued replies stays O(N).
 *
 * A reply carries a private copy of its result: the caller's output memory is
 * written only in sim_deliver(), i.e. when lineGetMessage hands out that
 * LINE_REPLY, as real TAPI does. Suppressed (lineClose, LINE_CLOSE) and
 * cancelled (lineShutdown) replies are freed without writing anything.
 *
 * Message signal (Handles.hEvent): a platform signal per app (POSIX: a
 * pollable fd, eventfd on Linux; Windows: a manual-reset event), set exactly
 * while the app has at least one deliverable item. It is set on the
 * transition to "has deliverable" and reset on the transition back
 * (sim_app_update_fd, called after every queue change and by the timer thread
 * when something becomes due): one system call per transition, none while
 * the state does not change (queueing more messages, delivering all but the
 * last). An app that never waits on it can switch it off
 * (tapisim_set_message_signal): then delivering messages makes no system
 * call at all.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define REORDER_FALLBACK_NS INT64_C(50000000) /* 50 ms */

int sim_app_new(sim_app **out)
{
    sim_app *a = calloc(1, sizeof *a);
    if (!a)
        return TAPISIM_E_NOMEM;
    if (plat_signal_open(&a->sig) != 0) {
        free(a);
        return TAPISIM_E_NOMEM;
    }
    a->next_req = 1;
    *out = a;
    return 0;
}

static void item_free(sim_item *it)
{
    free(it->data);
    free(it);
}

static void held_link(sim_app *a, sim_item *it)
{
    it->hnext = NULL;
    it->hprev = a->held_tail;
    if (a->held_tail)
        a->held_tail->hnext = it;
    else
        a->held_head = it;
    a->held_tail = it;
}

/* Remove `it` from the held list (it must be on it: it->held is set). */
static void held_unlink(sim_app *a, sim_item *it)
{
    if (it->hprev)
        it->hprev->hnext = it->hnext;
    else
        a->held_head = it->hnext;
    if (it->hnext)
        it->hnext->hprev = it->hprev;
    else
        a->held_tail = it->hprev;
    it->hprev = it->hnext = NULL;
}

static void unlink_item(sim_app *a, sim_item *it)
{
    if (it->held)
        held_unlink(a, it); /* taken after the fallback delay, or suppressed */
    if (it->prev)
        it->prev->next = it->next;
    else
        a->head = it->next;
    if (it->next)
        it->next->prev = it->prev;
    else
        a->tail = it->prev;
    it->prev = it->next = NULL;
    if (it->is_reply)
        a->n_replies--;
}

void sim_app_free(sim_app *a)
{
    sim_item *it = a->head;
    while (it) {
        sim_item *n = it->next;
        item_free(it);
        it = n;
    }
    plat_signal_close(&a->sig); /* lineShutdown closes Handles.hEvent */
    free(a);
}

static int deliverable(const sim_item *it, int64_t now)
{
    if (it->held)
        return now >= it->held_until_ns;
    return it->due_ns <= now;
}

void sim_app_update_fd(sim_app *a)
{
    if (a->sig_off)
        return;
    int want = 0;
    if (a->head) {
        int64_t now = sim_mono_ns();
        for (sim_item *it = a->head; it; it = it->next)
            if (deliverable(it, now)) {
                want = 1;
                break;
            }
    }
    if (want && !a->sig_set) {
        plat_signal_set(&a->sig);
        a->sig_set = 1;
    } else if (!want && a->sig_set) {
        plat_signal_reset(&a->sig);
        a->sig_set = 0;
    }
}

void sim_app_set_signal(sim_app *a, int on)
{
    if (!on && a->sig_set) {
        plat_signal_reset(&a->sig);
        a->sig_set = 0;
    }
    a->sig_off = !on;
    sim_app_update_fd(a);
}

void sim_update_all_fds(void)
{
    for (size_t i = 0; i < g.apps.cap; i++)
        if (g.apps.slots[i])
            sim_app_update_fd(g.apps.slots[i]);
}

static void append(sim_app *a, sim_item *it)
{
    it->seq = ++g.item_seq;
    it->prev = a->tail;
    it->next = NULL;
    if (a->tail)
        a->tail->next = it;
    else
        a->head = it;
    a->tail = it;
    if (it->is_reply)
        a->n_replies++;
    /* Deliverability only grows with time and appends: a signalled fd stays so
     * (and skipping the walk keeps posting N requests O(N)). */
    if (!a->sig_set)
        sim_app_update_fd(a);
    sim_wake_waiters();
}

int sim_post(sim_app *a, DWORD hdev, DWORD msgid, DWORD_PTR cb, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3)
{
    sim_item *it = calloc(1, sizeof *it);
    if (!it)
        return TAPISIM_E_NOMEM;
    it->msg.hDevice = hdev;
    it->msg.dwMessageID = msgid;
    it->msg.dwCallbackInstance = cb;
    it->msg.dwParam1 = p1;
    it->msg.dwParam2 = p2;
    it->msg.dwParam3 = p3;
    append(a, it);
    return 0;
}

/* Queue the LINE_REPLY of request `reqid`. Takes ownership of `data`. */
int sim_post_reply(sim_app *a, HLINE line, DWORD_PTR cb, DWORD reqid, DWORD err, const sim_hit *hit,
                   void *dest, unsigned char *data, size_t len)
{
    if (hit->kind == TAPISIM_FAULT_DROP_REPLY) {
        free(data);
        return 0;
    }
    sim_item *it = calloc(1, sizeof *it);
    if (!it) {
        free(data);
        return TAPISIM_E_NOMEM;
    }
    it->is_reply = 1;
    it->line = line;
    it->msg.hDevice = 0;
    it->msg.dwMessageID = LINE_REPLY;
    it->msg.dwCallbackInstance = cb;
    it->msg.dwParam1 = reqid;
    it->msg.dwParam2 = err;
    if (err == 0 && data) {
        it->dest = dest;
        it->data = data;
        it->len = len;
    } else {
        free(data);
    }
    int64_t now = sim_mono_ns();
    int64_t due = now + (int64_t)g.latency_us * 1000;
    if (hit->kind == TAPISIM_FAULT_DELAY_REPLY)
        due += (int64_t)hit->param * 1000000;
    it->due_ns = due;
    if (hit->kind == TAPISIM_FAULT_REORDER_REPLY) {
        it->held = 1;
        it->held_until_ns = due + REORDER_FALLBACK_NS;
    }
    append(a, it); /* assigns it->seq: the held list stays in seq order */
    if (it->held)
        held_link(a, it);
    if (it->held || due > now)
        sim_timer_kick();
    return 0;
}

void sim_suppress_line(sim_app *a, HLINE line)
{
    sim_item *it = a->head;
    while (it) {
        sim_item *n = it->next;
        if (it->is_reply && it->line == line) {
            unlink_item(a, it);
            item_free(it);
        }
        it = n;
    }
    sim_app_update_fd(a);
}

/* Withdraw queued messages `msgid` of device `hdev` (a closed handler's
 * LINE_PROXYREQUESTs, whose requests proxy.c frees). */
void sim_drop_messages(sim_app *a, DWORD hdev, DWORD msgid)
{
    sim_item *it = a->head;
    while (it) {
        sim_item *n = it->next;
        if (!it->is_reply && it->msg.hDevice == hdev && it->msg.dwMessageID == msgid) {
            unlink_item(a, it);
            item_free(it);
        }
        it = n;
    }
    sim_app_update_fd(a);
}

sim_item *sim_take_deliverable(sim_app *a, int64_t now_ns)
{
    for (sim_item *it = a->head; it; it = it->next)
        if (deliverable(it, now_ns)) {
            unlink_item(a, it);
            return it;
        }
    return NULL;
}

int64_t sim_app_next_due(const sim_app *a, int64_t now_ns)
{
    int64_t best = -1;
    for (const sim_item *it = a->head; it; it = it->next) {
        int64_t d = it->held ? it->held_until_ns : it->due_ns;
        if (d > now_ns && (best < 0 || d < best))
            best = d;
    }
    return best;
}

/* Hand `it` (already unlinked) to the caller: write the reply's output, copy
 * the message, release REORDER-held replies requested before it, free it. */
void sim_deliver(sim_app *a, sim_item *it, LINEMESSAGE *out)
{
    if (it->is_reply && it->dest && it->data)
        memcpy(it->dest, it->data, it->len);
    *out = it->msg;
    if (it->is_reply && !it->held) {
        /* The held list is in seq order: release its prefix requested before `it`. */
        sim_item *h;
        while ((h = a->held_head) != NULL && h->seq < it->seq) {
            held_unlink(a, h);
            h->held = 0;
            h->due_ns = 0;
        }
    }
    item_free(it);
    sim_app_update_fd(a);
}

DWORD sim_next_request(sim_app *a)
{
    DWORD r = a->next_req;
    a->next_req = r >= 0x7FFFFFFFu ? 1 : r + 1;
    return r;
}
