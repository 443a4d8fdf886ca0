/* test_prng.c - the fixed generator behind "random N bytes, seed S" (prng.h).
 *
 * The scripted peer, echo-client --payload-random and echo-client --load
 * must make the same bytes for the same seed: the first bytes of seed 0 are
 * those the header documents, and eh_prng_fill_at() (what --load uses to
 * make and check bytes at any offset) gives exactly the bytes eh_prng_fill()
 * gives at that offset, for every offset and length around the 8-byte
 * boundaries.
 */
#include "prng.h"
#include "unit.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_prng_seed_zero_starts_as_documented)
{
    static const unsigned char want[] = {0xaf, 0xcd, 0x1d, 0x7b, 0x39, 0xa8, 0x20, 0xe2};
    unsigned char got[sizeof(want)];
    eh_prng_fill(0, got, sizeof(got));
    ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

START_TEST(test_prng_fill_at_matches_fill_at_every_offset)
{
    enum { STREAM = 300 };
    unsigned char whole[STREAM], part[STREAM];
    for (uint64_t seed = 0; seed < 3; seed++) {
        eh_prng_fill(seed * 1000003, whole, sizeof(whole));
        for (size_t off = 0; off < STREAM; off++) {
            for (size_t len = 0; off + len <= STREAM; len += len < 20 ? 1 : 37) {
                memset(part, 0, sizeof(part));
                eh_prng_fill_at(seed * 1000003, off, part, len);
                ck_assert_msg(memcmp(part, whole + off, len) == 0,
                              "seed %llu, offset %zu, length %zu differs", (unsigned long long)seed,
                              off, len);
            }
        }
    }
}
END_TEST

/* Far into a stream (the last bytes of a 1 GiB connection) without making
 * what comes before: the same bytes as stepping there. */
START_TEST(test_prng_fill_at_far_offset)
{
    uint64_t state = 42, off = (1ULL << 30) - 16;
    for (uint64_t k = 0; k < off / 8; k++)
        eh_prng_next(&state);
    unsigned char want[16], got[16];
    for (int k = 0; k < 2; k++) {
        uint64_t v = eh_prng_next(&state);
        for (int b = 0; b < 8; b++)
            want[8 * k + b] = (unsigned char)(v >> (8 * b));
    }
    eh_prng_fill_at(42, off, got, sizeof(got));
    ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("prng");
    TCase *tc = tcase_create("prng");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_prng_seed_zero_starts_as_documented);
    tcase_add_test(tc, test_prng_fill_at_matches_fill_at_every_offset);
    tcase_add_test(tc, test_prng_fill_at_far_offset);
    suite_add_tcase(s, tc);
    return eh_test_run(s, CK_FORK);
}
