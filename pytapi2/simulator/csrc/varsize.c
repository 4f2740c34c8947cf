/*
 * varsize.c — writers of the TAPI output structures (variable-size protocol).
 *
 * memory-allocation.md / variably-sized-data-structures.md: the caller sets
 * dwTotalSize (checked against the fixed size synchronously, before these run:
 * LINEERR_STRUCTURETOOSMALL). The writer always produces the fixed part with
 * dwNeededSize = the full size; the variable part (lists, NUL-terminated
 * UTF-16 strings, offsets from the start of the structure) only if it fits
 * entirely, otherwise dwNumEntries / dwListSize /
 * sizes / offsets are 0 and dwUsedSize is the fixed size. Variable parts are
 * contiguous (memory-allocation.md): strings follow each other without
 * padding, so dwNeededSize counts no byte that is not data.
 *
 * The result is a private buffer of exactly dwUsedSize bytes; the reply
 * copies it over the caller's memory at delivery, so bytes beyond dwUsedSize
 * are never touched.
 *
 * INFLATE_NEEDED fault: dwNeededSize reports truth + `inflate`, and the
 * variable part is written only if dwTotalSize >= that inflated size.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define ALIGN4(n) (((n) + 3u) & ~(size_t)3u)
#define SIMULATOR_NAME u"pytapi2 simulator"

static DWORD clamp32(int64_t v)
{
    if (v < 0)
        return 0;
    if (v > (int64_t)0xFFFFFFFF)
        return 0xFFFFFFFF;
    return (DWORD)v;
}

static size_t wbytes(LPCWSTR s)
{
    return (sim_wcslen(s) + 1) * sizeof(WCHAR);
}

/* The common header: returns the buffer (used bytes, zeroed) or NULL. */
static unsigned char *begin(size_t fixed, size_t needed, DWORD total, DWORD inflate, int *fits, size_t *used)
{
    uint64_t reported = (uint64_t)needed + inflate;
    if (needed > 0xFFFFFFFFu)
        return NULL;
    if (reported > 0xFFFFFFFFu)
        reported = 0xFFFFFFFFu;
    *fits = (uint64_t)total >= reported;
    *used = *fits ? needed : fixed;
    unsigned char *buf = calloc(1, *used);
    if (!buf)
        return NULL;
    DWORD hdr[3] = {total, (DWORD)reported, (DWORD)*used};
    memcpy(buf, hdr, sizeof hdr);
    return buf;
}

static int finish(unsigned char *buf, size_t used, unsigned char **out, size_t *len)
{
    if (!buf)
        return TAPISIM_E_NOMEM;
    *out = buf;
    *len = used;
    return 0;
}

int vs_session_list(const sim_agent *a, DWORD total, DWORD inflate, unsigned char **out, size_t *len)
{
    size_t fixed = sizeof(LINEAGENTSESSIONLIST);
    size_t list = a->nsessions * sizeof(LINEAGENTSESSIONENTRY);
    size_t used;
    int fits;
    unsigned char *buf = begin(fixed, fixed + list, total, inflate, &fits, &used);
    if (buf && fits) {
        LINEAGENTSESSIONLIST hdr;
        memcpy(&hdr, buf, fixed);
        hdr.dwNumEntries = (DWORD)a->nsessions;
        hdr.dwListSize = (DWORD)list;
        hdr.dwListOffset = (DWORD)fixed;
        memcpy(buf, &hdr, fixed);
        for (size_t i = 0; i < a->nsessions; i++) {
            const sim_session *s = sim_session_get(a->sessions[i]);
            LINEAGENTSESSIONENTRY e;
            memset(&e, 0, sizeof e);
            e.hAgentSession = s->handle;
            e.hAgent = sim_agent_handle(s->agent);
            e.GroupID = g.groups[s->group]->id;
            e.dwWorkingAddressID = s->address;
            memcpy(buf + fixed + i * sizeof e, &e, sizeof e);
        }
    }
    return finish(buf, used, out, len);
}

int vs_session_info(const sim_session *s, DWORD total, DWORD inflate, unsigned char **out, size_t *len)
{
    size_t fixed = sizeof(LINEAGENTSESSIONINFO), used;
    int fits;
    unsigned char *buf = begin(fixed, fixed, total, inflate, &fits, &used);
    if (buf) {
        LINEAGENTSESSIONINFO i;
        memcpy(&i, buf, fixed);
        sim_stats st;
        sim_session_stats(s, &st);
        DWORD calls = st.calls;
        DWORD dur = clamp32(sim_session_duration_ms(s) / 1000);
        DWORD talk = clamp32(st.talk_ms / 1000), wrap = clamp32(st.wrap_ms / 1000);
        DWORD call = clamp32((st.talk_ms + st.wrap_ms) / 1000);
        DWORD wait = clamp32(st.wait_ms / 1000);
        i.dwAgentSessionState = s->state;
        i.dwNextAgentSessionState = s->next;
        i.dateSessionStartTime = sim_date_from_ms(s->start_ms);
        i.dwSessionDuration = dur;
        i.dwNumberOfCalls = calls;
        i.dwTotalTalkTime = talk;
        i.dwAverageTalkTime = calls ? talk / calls : 0;
        i.dwTotalCallTime = call;
        i.dwAverageCallTime = calls ? call / calls : 0;
        i.dwTotalWrapUpTime = wrap;
        i.dwAverageWrapUpTime = calls ? wrap / calls : 0;
        /* ACD calls per hour of session duration, CURRENCY (x 10000). */
        i.cyACDCallRate = dur ? (CURRENCY)((uint64_t)calls * 36000000u / dur) : 0;
        i.dwLongestTimeToAnswer = clamp32(st.longest_wait_ms / 1000);
        i.dwAverageTimeToAnswer = calls ? wait / calls : 0;
        memcpy(buf, &i, fixed);
    }
    return finish(buf, used, out, len);
}

int vs_agent_info(size_t agent, DWORD total, DWORD inflate, unsigned char **out, size_t *len)
{
    size_t fixed = sizeof(LINEAGENTINFO), used;
    int fits;
    unsigned char *buf = begin(fixed, fixed, total, inflate, &fits, &used);
    if (buf) {
        const sim_agent *a = g.agents[agent];
        LINEAGENTINFO i;
        memcpy(&i, buf, fixed);
        sim_stats st;
        sim_agent_stats(agent, &st);
        DWORD secs = clamp32(st.active_ms / 1000);
        i.dwAgentState = a->state;
        i.dwNextAgentState = a->next;
        i.dwMeasurementPeriod = a->period_s;
        /* calls per agent hour: per hour in at least one active session */
        i.cyOverallCallRate = secs ? (CURRENCY)((uint64_t)st.calls * 36000000u / secs) : 0;
        i.dwNumberOfACDCalls = st.calls;
        i.dwNumberOfIncomingCalls = st.incoming;
        i.dwNumberOfOutgoingCalls = st.outgoing;
        i.dwTotalACDTalkTime = clamp32(st.talk_ms / 1000);
        i.dwTotalACDCallTime = clamp32((st.talk_ms + st.wrap_ms) / 1000);
        i.dwTotalACDWrapUpTime = clamp32(st.wrap_ms / 1000);
        memcpy(buf, &i, fixed);
    }
    return finish(buf, used, out, len);
}

/* LINEAGENTCAPS.ProxyGUID exists from TAPI 2.2 on: the fixed size depends on
 * the application's API version. */
DWORD vs_caps_fixed_size(DWORD version)
{
    return version >= TAPI_VERSION2_2 ? (DWORD)sizeof(LINEAGENTCAPS) : (DWORD)offsetof(LINEAGENTCAPS, ProxyGUID);
}

/* The simulator's agent handler ("proxy") identity. */
static const GUID proxy_guid = {0x7079746Du, 0x6170, 0x6932, {0x73, 0x69, 0x6D, 0x75, 0x6C, 0x61, 0x74, 0x72}};

int vs_agent_caps(DWORD version, DWORD total, DWORD inflate, unsigned char **out, size_t *len)
{
    static const WCHAR name[] = SIMULATOR_NAME;
    size_t fixed = vs_caps_fixed_size(version), used;
    size_t off = ALIGN4(fixed);
    int fits;
    unsigned char *buf = begin(fixed, off + sizeof name, total, inflate, &fits, &used);
    if (buf) {
        LINEAGENTCAPS c;
        memset(&c, 0, sizeof c);
        memcpy(&c, buf, 12);
        /* ns-tapi-lineagentcaps.md: dwFeatures are LINEAGENTFEATURE_ bits of
         * the TAPI 2.0 agent functions (lineSetAgentState, lineSetAgentGroup,
         * ...), none of which the simulator exports: 0. dwStates and
         * dwNextStates are LINEAGENTSTATE_ values for lineSetAgentState: the
         * counterparts of the LINEAGENTSTATEEX_ states it models (RELEASED has
         * none). dwAgentStatusMessages are the LINEAGENTSTATUS_ bits of
         * LINE_AGENTSTATUS, which it never sends: 0. dwMaxNumGroupEntries
         * (lineSetAgentGroup's list) is 0 for the same reason. */
        c.dwCapsVersion = version;
        c.dwFeatures = 0;
        c.dwStates = c.dwNextStates = LINEAGENTSTATE_NOTREADY | LINEAGENTSTATE_READY | LINEAGENTSTATE_BUSYACD |
                                      LINEAGENTSTATE_BUSYINCOMING | LINEAGENTSTATE_BUSYOUTBOUND |
                                      LINEAGENTSTATE_UNKNOWN;
        c.dwMaxNumGroupEntries = 0;
        c.dwAgentStatusMessages = 0;
        if (version >= TAPI_VERSION2_2)
            c.ProxyGUID = proxy_guid;
        if (fits) {
            c.dwAgentHandlerInfoSize = (DWORD)sizeof name;
            c.dwAgentHandlerInfoOffset = (DWORD)off;
            memcpy(buf + off, name, sizeof name);
        }
        memcpy(buf, &c, fixed);
    }
    return finish(buf, used, out, len);
}

int vs_group_list(DWORD total, DWORD inflate, unsigned char **out, size_t *len)
{
    size_t fixed = sizeof(LINEAGENTGROUPLIST), used;
    size_t list = g.ngroups * sizeof(LINEAGENTGROUPENTRY);
    size_t needed = fixed + list;
    for (size_t i = 0; i < g.ngroups; i++)
        needed += wbytes(g.groups[i]->name);
    int fits;
    unsigned char *buf = begin(fixed, needed, total, inflate, &fits, &used);
    if (buf && fits) {
        LINEAGENTGROUPLIST h;
        memcpy(&h, buf, fixed);
        h.dwNumEntries = (DWORD)g.ngroups;
        h.dwListSize = (DWORD)list;
        h.dwListOffset = (DWORD)fixed;
        memcpy(buf, &h, fixed);
        size_t pos = fixed + list;
        for (size_t i = 0; i < g.ngroups; i++) {
            LINEAGENTGROUPENTRY e;
            memcpy(&e.GroupID, &g.groups[i]->id, sizeof e.GroupID);
            e.dwNameSize = (DWORD)wbytes(g.groups[i]->name);
            e.dwNameOffset = (DWORD)pos;
            memcpy(buf + pos, g.groups[i]->name, e.dwNameSize);
            pos += e.dwNameSize;
            memcpy(buf + fixed + i * sizeof e, &e, sizeof e);
        }
    }
    return finish(buf, used, out, len);
}

int vs_queue_list(const sim_group *gr, DWORD total, DWORD inflate, unsigned char **out, size_t *len)
{
    size_t fixed = sizeof(LINEQUEUELIST), used;
    size_t list = gr->nqueues * sizeof(LINEQUEUEENTRY);
    size_t needed = fixed + list;
    for (size_t i = 0; i < gr->nqueues; i++)
        needed += wbytes(g.queues[gr->queues[i]]->name);
    int fits;
    unsigned char *buf = begin(fixed, needed, total, inflate, &fits, &used);
    if (buf && fits) {
        LINEQUEUELIST h;
        memcpy(&h, buf, fixed);
        h.dwNumEntries = (DWORD)gr->nqueues;
        h.dwListSize = (DWORD)list;
        h.dwListOffset = (DWORD)fixed;
        memcpy(buf, &h, fixed);
        size_t pos = fixed + list;
        for (size_t i = 0; i < gr->nqueues; i++) {
            const sim_queue *q = g.queues[gr->queues[i]];
            LINEQUEUEENTRY e;
            e.dwQueueID = q->id;
            e.dwNameSize = (DWORD)wbytes(q->name);
            e.dwNameOffset = (DWORD)pos;
            memcpy(buf + pos, q->name, e.dwNameSize);
            pos += e.dwNameSize;
            memcpy(buf + fixed + i * sizeof e, &e, sizeof e);
        }
    }
    return finish(buf, used, out, len);
}

int vs_queue_info(const sim_queue *q, DWORD total, DWORD inflate, unsigned char **out, size_t *len)
{
    size_t fixed = sizeof(LINEQUEUEINFO), used;
    int fits;
    unsigned char *buf = begin(fixed, fixed, total, inflate, &fits, &used);
    if (buf) {
        LINEQUEUEINFO i;
        memcpy(&i, buf, fixed);
        const sim_group *gr = g.groups[q->group];
        int first = gr->nqueues && g.queues[gr->queues[0]] == q;
        sim_qstats st;
        sim_queue_stats(q, &st);
        i.dwMeasurementPeriod = q->period_s;
        i.dwTotalCallsQueued = st.queued;
        i.dwCurrentCallsQueued = q->current;
        i.dwTotalCallsAbandoned = st.abandoned;
        i.dwTotalCallsFlowedIn = 0;
        i.dwTotalCallsFlowedOut = 0;
        i.dwLongestEverWaitTime = clamp32(q->longest_ever_ms / 1000);
        i.dwCurrentLongestWaitTime =
            (first && gr->waiting) ? clamp32((g.model_ms - gr->waiting->arrival_ms) / 1000) : 0;
        i.dwAverageWaitTime = st.left ? clamp32(st.wait_sum_ms / 1000) / st.left : 0;
        i.dwFinalDisposition = 0;
        memcpy(buf, &i, fixed);
    }
    return finish(buf, used, out, len);
}
