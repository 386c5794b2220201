/* explore.h -- the latent explorer of chapters 7 and 8 (--explore).
 *
 * A trained model's decoder, driven by hand: the terminal shows the
 * image decoded from the current code z, in grey half blocks
 * (image_text_row), beside a map of the plane of z's first two
 * dimensions with each digit drawn at its test images' mean code. The
 * arrow keys (or h j k l) move z by EXPLORE_STEP across that plane;
 * z's other dimensions, if any, stay 0, the prior's mean. A conditional
 * model (cond_dim = DATA_CLASSES, chapter 8) takes the digit keys 0-9
 * as its label: the same z, so the same style, another digit. q quits.
 * The terminal is raw while it runs and put back on every way out
 * (term.h). */
#ifndef EXPLORE_H
#define EXPLORE_H

#include "data.h"
#include "vae.h"

/* How far one arrow key moves z, and the map's least half-width: three
 * prior standard deviations, wider if a digit's mean lies further out.
 * z stays on the map. */
#define EXPLORE_STEP 0.25
#define EXPLORE_RANGE 3.0

/* What --explore needs, checked before any work: --load, a latent of
 * at least two dimensions, and a terminal on standard input and
 * output. Exits 2 with one line naming what is missing. */
void explore_check(const vae_options *o);

/* Runs the explorer on m; the map's means are those of `set`'s images
 * by label. Exits: 0 on q, 130 on Ctrl-C, 1 if standard input closes. */
_Noreturn void vae_explore(vae_model *m, const data_set *set);

#endif
