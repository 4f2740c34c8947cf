/*
 * idle_cpu.c — a measurement, not a test: the CPU time an idle 2 s
 * lineGetMessage wait costs (it must block on the platform condition, not
 * spin). Run by tests/c/run.sh and tests/c/run_windows.sh, which print the
 * figure. Exit status 1 only if the call did not behave (wrong return code or
 * returned before its timeout), never because of the figure itself.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "test_os.h"

int main(void)
{
    LINEINITIALIZEEXPARAMS p;
    memset(&p, 0, sizeof p);
    p.dwTotalSize = sizeof p;
    p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
    HLINEAPP app = 0;
    DWORD n = 0, ver = TAPI_VERSION3_1;
    if (lineInitializeExW(&app, NULL, NULL, u"idle", &n, &ver, &p) != 0) {
        fprintf(stderr, "idle_cpu: lineInitializeExW failed\n");
        return 1;
    }
    LINEMESSAGE m;
    double cpu0 = test_cpu_seconds();
    int64_t t0 = plat_mono_ns();
    LONG rc = lineGetMessage(app, &m, 2000);
    double wall = (double)(plat_mono_ns() - t0) / 1e9;
    double cpu = test_cpu_seconds() - cpu0;
    printf("idle lineGetMessage(timeout 2000 ms): wall %.3f s, CPU %.4f s\n", wall, cpu);
    lineShutdown(app);
    tapisim_reset();
    if (rc != (LONG)LINEERR_OPERATIONFAILED || wall < 2.0) {
        fprintf(stderr, "idle_cpu: rc %ld (want LINEERR_OPERATIONFAILED), wall %.3f s (want >= 2)\n", (long)rc,
                wall);
        return 1;
    }
    return 0;
}
