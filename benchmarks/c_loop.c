/*
 * c_loop — the limit: a session refresh in C against the simulator library.
 *
 * The same two calls pytapi2 and the ctypes peer make, in a loop:
 * lineGetAgentSessionInfo, then lineGetMessage until the LINE_REPLY carrying
 * that request ID; every field of the filled LINEAGENTSESSIONINFO is read
 * (folded into a checksum so the compiler cannot drop the reads). No Python
 * value is built: that is the point of the comparison.
 *
 * Built by the benchmark run: gcc -O2 -I include benchmarks/c_loop.c -ldl.
 * Usage: c_loop LIBRARY ITERATIONS [REPEATS]
 * Prints one JSON line: {"ns_per_op": [per repeat...], "iterations": N, "checksum": C}.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pytapi2_tapi.h"

#define BIND(name) static __typeof__(&name) p_##name;
BIND(lineInitializeExW)
BIND(lineOpenW)
BIND(lineGetMessage)
BIND(lineCreateAgentW)
BIND(lineCreateAgentSessionW)
BIND(lineGetAgentSessionInfo)
BIND(lineShutdown)
BIND(tapisim_add_agent)
BIND(tapisim_add_group)

static void die(const char *what, long rc)
{
    fprintf(stderr, "c_loop: %s failed: %#lx\n", what, (unsigned long)rc & 0xFFFFFFFFul);
    exit(1);
}

static void wait_reply(HLINEAPP app, LONG request, const char *what)
{
    LINEMESSAGE msg;
    for (;;) {
        LONG rc = p_lineGetMessage(app, &msg, INFINITE);
        if (rc != 0)
            die("lineGetMessage", rc);
        if (msg.dwMessageID == LINE_REPLY && (DWORD)msg.dwParam1 == (DWORD)request)
            break;
    }
    if ((DWORD)msg.dwParam2 != 0)
        die(what, (long)msg.dwParam2);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static unsigned long long refresh(HLINEAPP app, HLINE line, HAGENTSESSION session)
{
    LINEAGENTSESSIONINFO info;
    memset(&info, 0, sizeof info);
    info.dwTotalSize = sizeof info;
    LONG request = p_lineGetAgentSessionInfo(line, session, &info);
    if (request < 0)
        die("lineGetAgentSessionInfo", request);
    wait_reply(app, request, "lineGetAgentSessionInfo");
    unsigned long long sum = info.dwAgentSessionState + info.dwNextAgentSessionState;
    sum += (unsigned long long)(info.dateSessionStartTime * 86400.0);
    sum += info.dwSessionDuration + info.dwNumberOfCalls + info.dwTotalTalkTime;
    sum += info.dwAverageTalkTime + info.dwTotalCallTime + info.dwAverageCallTime;
    sum += info.dwTotalWrapUpTime + info.dwAverageWrapUpTime;
    sum += (unsigned long long)info.cyACDCallRate;
    sum += info.dwLongestTimeToAnswer + info.dwAverageTimeToAnswer;
    return sum;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s LIBRARY ITERATIONS [REPEATS]\n", argv[0]);
        return 2;
    }
    long iterations = strtol(argv[2], NULL, 10);
    long repeats = argc > 3 ? strtol(argv[3], NULL, 10) : 1;
    if (iterations < 1 || repeats < 1)
        return 2;
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "c_loop: %s\n", dlerror());
        return 1;
    }
#define LOAD(name)                                                   \
    if (!(*(void **)&p_##name = dlsym(lib, #name))) {                \
        fprintf(stderr, "c_loop: %s missing\n", #name);              \
        return 1;                                                    \
    }
    LOAD(lineInitializeExW)
    LOAD(lineOpenW)
    LOAD(lineGetMessage)
    LOAD(lineCreateAgentW)
    LOAD(lineCreateAgentSessionW)
    LOAD(lineGetAgentSessionInfo)
    LOAD(lineShutdown)
    LOAD(tapisim_add_agent)
    LOAD(tapisim_add_group)

    /* A fresh process: the model is at its defaults (latency 0, virtual clock). */
    GUID group = {0x0a1b2c3d, 0x4e5f, 0x6071, {0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9}};
    if (p_tapisim_add_group(&group, u"Sales") != 0 || p_tapisim_add_agent(u"1001", u"4321") != 0)
        die("tapisim setup", -1);

    HLINEAPP app;
    HLINE line;
    DWORD devices, version = TAPI_VERSION3_1;
    LINEINITIALIZEEXPARAMS params;
    memset(&params, 0, sizeof params);
    params.dwTotalSize = sizeof params;
    params.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
    LONG rc = p_lineInitializeExW(&app, NULL, NULL, u"c_loop", &devices, &version, &params);
    if (rc != 0)
        die("lineInitializeExW", rc);
    rc = p_lineOpenW(app, 0, &line, TAPI_VERSION3_1, 0, 0, LINECALLPRIVILEGE_NONE,
                     LINEMEDIAMODE_INTERACTIVEVOICE, NULL);
    if (rc != 0)
        die("lineOpenW", rc);
    HAGENT agent;
    rc = p_lineCreateAgentW(line, (LPWSTR)u"1001", (LPWSTR)u"4321", &agent);
    if (rc < 0)
        die("lineCreateAgentW", rc);
    wait_reply(app, rc, "lineCreateAgentW");
    HAGENTSESSION session;
    rc = p_lineCreateAgentSessionW(line, agent, NULL, 0, &group, &session);
    if (rc < 0)
        die("lineCreateAgentSessionW", rc);
    wait_reply(app, rc, "lineCreateAgentSessionW");

    unsigned long long checksum = 0;
    long warmup = iterations / 10 + 1;
    for (long i = 0; i < warmup; i++)
        checksum += refresh(app, line, session);
    printf("{\"iterations\": %ld, \"ns_per_op\": [", iterations);
    for (long r = 0; r < repeats; r++) {
        double t0 = now_ns();
        for (long i = 0; i < iterations; i++)
            checksum += refresh(app, line, session);
        double t1 = now_ns();
        printf("%s%.3f", r ? ", " : "", (t1 - t0) / (double)iterations);
    }
    printf("], \"checksum\": %llu}\n", checksum);
    p_lineShutdown(app);
    return 0;
}
