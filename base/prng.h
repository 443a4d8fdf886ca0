/* prng.h - the fixed generator behind "random N bytes, seed S".
 *
 * Scenarios ({"send": {"random": N, "seed": S}}) and echo-client
 * (--payload-random N --seed S) both need the same bytes for the same seed,
 * on every machine, so the generator is fixed here: SplitMix64 (Steele, Lea
 * and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).
 * The state starts at S; each step adds 0x9e3779b97f4a7c15 and mixes it into
 * one 64-bit output, whose 8 bytes are emitted least significant first; the
 * last output is cut to fit N. For seed 0 the first bytes are
 * af cd 1d 7b 39 a8 20 e2 (the output 0xe220a8397b1dcdaf).
 *
 * Header-only (static inline) so that the harness and the reference builds
 * can both include it without linking each other's libraries.
 */
#ifndef EH_PRNG_H
#define EH_PRNG_H

#include <stddef.h>
#include <stdint.h>

/* The next SplitMix64 output; advances *state. */
static inline uint64_t eh_prng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Fills buf with len bytes generated from seed. */
static inline void eh_prng_fill(uint64_t seed, unsigned char *buf, size_t len)
{
    uint64_t state = seed;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v = eh_prng_next(&state);
        for (size_t k = 0; k < 8 && i + k < len; k++)
            buf[i + k] = (unsigned char)(v >> (8 * k));
    }
}

/* Fills buf with the len bytes found at byte offset off of the stream
 * eh_prng_fill(seed, ...) makes, without making the bytes before them:
 * output k comes from the state seed + (k + 1) * 0x9e3779b97f4a7c15. */
static inline void eh_prng_fill_at(uint64_t seed, uint64_t off, unsigned char *buf, size_t len)
{
    uint64_t state = seed + (off / 8) * 0x9e3779b97f4a7c15ULL;
    size_t skip = (size_t)(off % 8);
    while (len > 0) {
        uint64_t v = eh_prng_next(&state);
        if (skip == 0 && len >= 8) {
            for (size_t k = 0; k < 8; k++) /* compilers make this one little-endian store */
                buf[k] = (unsigned char)(v >> (8 * k));
            buf += 8;
            len -= 8;
            continue;
        }
        for (size_t k = skip; k < 8 && len > 0; k++, len--)
            *buf++ = (unsigned char)(v >> (8 * k));
        skip = 0;
    }
}

#endif
