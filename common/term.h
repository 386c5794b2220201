/* term.h -- the terminal as a screen and a keyboard, for the latent
 * explorer (explore.h): raw keys, the window's size, and a terminal
 * that is always put back.
 *
 * term_raw turns off line editing, echo and the signal keys, so each
 * key reaches the program as it is pressed (Ctrl-C arrives as
 * TERM_KEY_CTRL_C), and switches to the alternate screen with the
 * cursor hidden. From then on every way out restores the terminal as
 * it was: term_restore, exit() (an error's cli_die included, through
 * atexit), and SIGINT, SIGTERM, SIGHUP or SIGQUIT sent from outside
 * (the handler restores, then dies of the same signal). POSIX termios
 * only. */
#ifndef TERM_H
#define TERM_H

#include <stdbool.h>

/* Keys term_read_key reports besides plain characters (0-255). */
enum {
    TERM_KEY_EOF = -1,      /* standard input closed */
    TERM_KEY_CTRL_C = 3,
    TERM_KEY_UP = 256,      /* ESC [ A, or ESC O A in application mode */
    TERM_KEY_DOWN,
    TERM_KEY_RIGHT,
    TERM_KEY_LEFT,
    TERM_KEY_ESCAPE         /* ESC alone, or a sequence not listed */
};

/* Whether standard input and standard output are both terminals. */
bool term_interactive(void);

/* The window's size in characters: 80 x 24 if the terminal does not
 * say (or standard output is not one). */
void term_size(int *rows, int *columns);

/* Raw keys, alternate screen, hidden cursor, restored on every exit
 * path; exits 1 with a line if standard input's modes cannot be set. */
void term_raw(void);

/* Puts the terminal back as term_raw found it (again: no effect). */
void term_restore(void);

/* Waits for a key: a character, or one of the TERM_KEY_ values. */
int term_read_key(void);

#endif
