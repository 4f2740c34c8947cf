/*
 * faults.c — injected faults (tapisim_inject_fault).
 *
 * Per TAPI function a FIFO of (kind, remaining count, lineerr, param). Each call
 * of that function that passes synchronous validation consumes one count of
 * the first entry (sim_fault_take); an entry whose count reaches 0 is removed.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Name and kind of every TAPI function, from the generated table. */
static const struct {
    const char *name;
    int asynchronous, varsize;
} functions[FN_COUNT] = {
#define SIM_FN(name, asynchronous, varsize) {#name, asynchronous, varsize},
#include "tapi_fn_table.h"
#undef SIM_FN
};

int sim_fault_index(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < FN_COUNT; i++)
        if (strcmp(name, functions[i].name) == 0)
            return i;
    return -1;
}

int sim_fault_is_async(int fn)
{
    return functions[fn].asynchronous;
}

int sim_fault_is_varsize(int fn)
{
    return functions[fn].varsize;
}

sim_hit sim_fault_take(int fn)
{
    sim_hit hit = {0, 0, 0};
    sim_fault_list *l = &g.faults[fn];
    if (l->n == 0)
        return hit;
    sim_fault *f = &l->v[0];
    hit.kind = f->kind;
    hit.lineerr = f->lineerr;
    hit.param = f->param;
    if (--f->count == 0) {
        memmove(&l->v[0], &l->v[1], (l->n - 1) * sizeof(sim_fault));
        l->n--;
    }
    return hit;
}

void sim_faults_clear(void)
{
    for (int i = 0; i < FN_COUNT; i++) {
        free(g.faults[i].v);
        memset(&g.faults[i], 0, sizeof g.faults[i]);
    }
}
