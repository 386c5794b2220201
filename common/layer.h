/* layer.h -- which layer the networks run on.
 *
 * Every function the chapters teach exists twice. The plain form is the
 * loop a reader types from the equation, and is what the book shows;
 * the fast form (the files *_fast.c, appendix A) gives the same numbers
 * sooner, and tests/test_plain_fast.c checks it against the plain one.
 * The networks call a third name, without a suffix: a one-line inline
 * function in the module's header that calls LAYER(name), which is
 * name_fast in the default build and name_plain when built with -DREF
 * (`make REF=1`, which builds the whole book on the plain layer alone,
 * under build/ref). This is the only place that tells the two apart. */
#ifndef LAYER_H
#define LAYER_H

//> layer
/* LAYER(nn_dense_forward) is nn_dense_forward_plain when built with
 * -DREF (make REF=1), else nn_dense_forward_fast. nn.h then defines
 *     static inline void nn_dense_forward(real *y, const real *x,
 *                                         const nn_dense *l, int B)
 *     {
 *         LAYER(nn_dense_forward)(y, x, l, B);
 *     }
 * and so for each function that has two forms. */
#ifdef REF
#define LAYER(name) name##_plain
#else
#define LAYER(name) name##_fast
#endif
//< layer

#endif
