/*
 * check.h — the assertions of the C test programs (test_sim.c, test_proxy.c):
 * count every check, report each failure with its place and values, and let
 * main() print the totals and exit non-zero on any failure. Include it from
 * exactly one file of a program: the counters are that file's. They are
 * atomic because some tests check from several threads.
 */
#ifndef TAPISIM_TEST_CHECK_H
#define TAPISIM_TEST_CHECK_H

#include <stdatomic.h>
#include <stdio.h>

static atomic_int failures, checks;

#define CHECK(c)                                                                      \
    do {                                                                              \
        checks++;                                                                     \
        if (!(c)) {                                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);     \
            failures++;                                                               \
        }                                                                             \
    } while (0)

#define EQ(a, b)                                                                      \
    do {                                                                              \
        long long a_ = (long long)(a), b_ = (long long)(b);                           \
        checks++;                                                                     \
        if (a_ != b_) {                                                               \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld (0x%llx != 0x%llx)\n", \
                    __FILE__, __LINE__, #a, #b, a_, b_, a_, b_);                      \
            failures++;                                                               \
        }                                                                             \
    } while (0)

#define LE(x) ((LONG)(x)) /* LINEERR_ as the LONG a function returns */

#endif
