/* vmath.h -- e^x and log(1 + x) in float, written so that a loop over a
 * batch compiles to vector instructions. libm's exp and log1p are calls
 * made one number at a time; in the binary cross-entropy of a VAE step
 * they took a sixth of the time (appendix A). Each function is a few
 * lines of textbook numerics: a range reduction, then a polynomial.
 * tests/test_vmath.c measures their error against libm's double.
 *
 * The double build (the gradient checks) uses libm itself: its finite
 * differences need the loss to all 16 digits, which a polynomial sized
 * for float does not give. */
#ifndef VMATH_H
#define VMATH_H

#include "real.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef REAL_IS_DOUBLE

static inline real vmath_exp_nonpos(real x) { return exp(x); }
static inline real vmath_log1p_unit(real x) { return log1p(x); }

#else

//> A-vmath
/* e^x for x <= 0. Write x = n ln 2 + r with n an integer and
 * |r| <= (ln 2)/2; then e^x = 2^n e^r, where e^r is its Taylor
 * polynomial to r^7 (the next term is below 1e-8 of it) and 2^n is
 * made by writing n + 127 into a float's exponent bits. ln 2 comes in
 * two parts so that n ln2_hi is exact. Below -87, e^x is clamped to
 * e^-87 = 1.6e-38: 2^n stays a normal float, and a NaN also becomes
 * -87 here instead of reaching the integer conversion. */
static inline float vmath_exp_nonpos(float x)
{
    const float ln2_hi = 0.693145752f, ln2_lo = 1.42860677e-6f;
    x = x > -87.0f ? x : -87.0f;
    /* x / ln 2 rounded: converting to int cuts toward zero, which for
       a number <= 0 less 1/2 is rounding to the nearest */
    int32_t n = (int32_t)(x * 1.44269504f - 0.5f);
    float r = (x - (float)n * ln2_hi) - (float)n * ln2_lo;
    float p = 1 + r * (1 + r * (1.0f / 2 + r * (1.0f / 6 +
              r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720 +
              r * (1.0f / 5040)))))));
    int32_t bits = (n + 127) << 23;   /* the float 2^n */
    float two_n;
    memcpy(&two_n, &bits, sizeof two_n);
    return p * two_n;
}
//< A-vmath

/* log(1 + x) for 0 <= x <= 1, as 2 atanh(s) with s = x / (2 + x):
 * s is at most 1/3, so the odd series 2 (s + s^3/3 + s^5/5 + ...)
 * gains a factor 9 per term, and seven terms leave an error below
 * 2e-8 of the sum. No 1 + x is ever formed, so a tiny x keeps all its
 * digits. */
static inline float vmath_log1p_unit(float x)
{
    float s = x / (2 + x), s2 = s * s;
    return 2 * s * (1 + s2 * (1.0f / 3 + s2 * (1.0f / 5 +
           s2 * (1.0f / 7 + s2 * (1.0f / 9 + s2 * (1.0f / 11 +
           s2 * (1.0f / 13)))))));
}

#endif
#endif
