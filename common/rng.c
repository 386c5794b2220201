/* rng.c -- xoshiro256**, seeded by splitmix64 (see rng.h). */
#include "rng.h"

#include <math.h>

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* splitmix64: turns one 64-bit seed into a stream of well-mixed words. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Fills the state from the seed; the same seed gives the same stream. */
void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
    r->has_spare = false;
    r->spare = 0.0;
}

/* The next 64 random bits. */
uint64_t rng_u64(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* A uniform double in [0, 1): the top 53 bits scaled by 2^-53. */
double rng_uniform(rng *r)
{
    return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

/* A uniform integer in [0, n): rejects the few draws that would make
 * x mod n favour small values. */
uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t limit = -n % n;  /* 2^64 mod n: draws below it are biased */
    uint64_t x;
    do {
        x = rng_u64(r);
    } while (x < limit);
    return x % n;
}

/* A standard normal by the Marsaglia polar method: a point (u, v) uniform
 * in the unit disc has radius^2 s uniform on (0,1) and an angle
 * independent of it, so u*sqrt(-2 ln s / s) and v*sqrt(-2 ln s / s) are
 * two independent N(0,1) -- Box-Muller without the sine and cosine. */
double rng_normal(rng *r)
{
    if (r->has_spare) {
        r->has_spare = false;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double scale = sqrt(-2.0 * log(s) / s);
    r->spare = v * scale;
    r->has_spare = true;
    return u * scale;
}

/* Index i with probability p[i] (p sums to 1), by inverting the CDF. */
int rng_categorical(rng *r, const double *p, int n)
{
    double u = rng_uniform(r), cdf = 0.0;
    for (int i = 0; i < n - 1; i++) {
        cdf += p[i];
        if (u < cdf)
            return i;
    }
    return n - 1;  /* rounding in the sum must not push u past the end */
}

/* Fisher-Yates: every one of the n! orders equally likely. */
void rng_shuffle(rng *r, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint64_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
