/* fuzz.h - what the fuzz targets share: the entry point, invariant checks and link types.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput(), the libFuzzer entry
 * point. With EH_FUZZ=ON it is linked with libFuzzer (clang
 * -fsanitize=fuzzer); in every build it is also linked with replay.c, a
 * plain main() that runs it over files, so the seed corpora and the saved
 * crashes are replayed by CTest without libFuzzer. A broken invariant
 * prints what broke and aborts, which both count as a crash.
 */
#ifndef EH_FUZZ_H
#define EH_FUZZ_H

#include <pcap/dlt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Runs the target on size bytes of data; returns 0 (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with the failed condition and the place when cond is false. */
#define EH_FUZZ_CHECK(cond)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The link types of decode.h, then one it does not decode (DLT_USER0).
 * fuzz_flow picks one with its first input byte (modulo the count), and
 * fuzz/make-corpus.py writes its seeds with the same order. */
static const int eh_fuzz_linktypes[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL,  DLT_LOOP,
    DLT_RAW,    DLT_IPV4,      DLT_IPV6,       DLT_USER0,
};
#define EH_FUZZ_N_LINKTYPES (sizeof(eh_fuzz_linktypes) / sizeof(eh_fuzz_linktypes[0]))

#endif
