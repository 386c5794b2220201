/* interrupt.h -- Ctrl-C as a request to stop cleanly.
 *
 * While a program trains, SIGINT (Ctrl-C) should not throw the work
 * away: the loop finishes its batch, the caller saves what it has and
 * exits 130 (128 + SIGINT). interrupt_catch turns SIGINT into a flag
 * the loops poll; a second Ctrl-C kills as usual. A program started
 * with SIGINT ignored (a background job of a shell script) keeps
 * ignoring it: the flag is then never set. */
#ifndef INTERRUPT_H
#define INTERRUPT_H

#include <stdbool.h>

/* From now on SIGINT sets the flag (once), unless SIGINT was ignored
 * when the program started. Clears the flag. */
void interrupt_catch(void);

/* Whether SIGINT arrived since interrupt_catch. */
bool interrupt_requested(void);

/* Puts back what SIGINT did before interrupt_catch: after training a
 * Ctrl-C stops the program at once again (the work is saved). */
void interrupt_release(void);

/* The exit status of an interrupted run: 128 + SIGINT. */
enum { INTERRUPT_EXIT = 130 };

#endif
