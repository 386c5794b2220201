/* rng.h -- a seeded random number generator, the same stream everywhere.
 *
 * xoshiro256** (Blackman and Vigna): 256 bits of state, 64-bit outputs,
 * only integer arithmetic, so a seed gives the same uniforms on every
 * platform. Seeded through splitmix64 so that any 64-bit seed, 0 included,
 * gives a well-mixed state. Normals use the Marsaglia polar method, which
 * needs only log and sqrt (see rng_normal). */
#ifndef RNG_H
#define RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    double spare;     /* the polar method makes normals in pairs */
    bool has_spare;
} rng;

void     rng_seed(rng *r, uint64_t seed);
uint64_t rng_u64(rng *r);
double   rng_uniform(rng *r);                 /* in [0, 1), 53 bits */
uint64_t rng_below(rng *r, uint64_t n);       /* in [0, n), unbiased */
double   rng_normal(rng *r);                  /* N(0, 1) */
int      rng_categorical(rng *r, const double *p, int n); /* P(i) = p[i] */
void     rng_shuffle(rng *r, int *a, int n);  /* uniform permutation */

#endif
