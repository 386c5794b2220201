/* term.c -- raw keys and a terminal always put back (see term.h). */
#include "term.h"

#include "sys.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;          /* the modes term_raw found */
static volatile sig_atomic_t raw_on;  /* whether they need putting back */

/* The alternate screen with the cursor hidden, and back again. */
static const char enter_screen[] = "\033[?1049h\033[?25l";
static const char leave_screen[] = "\033[?25h\033[?1049l";

bool term_interactive(void) { return isatty(0) == 1 && isatty(1) == 1; }

void term_size(int *rows, int *columns)
{
    struct winsize ws;
    bool known = ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
                 ws.ws_col > 0;
    *rows = known ? ws.ws_row : 24;
    *columns = known ? ws.ws_col : 80;
}

/* Only async-signal-safe calls (write, tcsetattr): a signal handler
 * runs it too. TCSADRAIN keeps the keys typed after the last one read:
 * they belong to the shell. */
static void restore_now(void)
{
    if (!raw_on)
        return;
    raw_on = 0;
    ssize_t ignored = write(1, leave_screen, sizeof leave_screen - 1);
    (void)ignored;
    tcsetattr(0, TCSADRAIN, &saved);
}

void term_restore(void)
{
    fflush(stdout);   /* the last frame before the screen goes */
    restore_now();
}

/* SA_RESETHAND: the signal's default action is back in place, so the
 * raise that follows ends the program as the signal would have. */
static void on_signal(int sig)
{
    restore_now();
    raise(sig);
}

/* A signal ignored when the program started (a background job of a
 * script) stays ignored. */
static void catch_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    struct sigaction act = {0};
    act.sa_handler = on_signal;
    act.sa_flags = SA_RESETHAND;
    sigemptyset(&act.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction before;
        if (sigaction(sigs[i], NULL, &before) == 0 &&
            before.sa_handler != SIG_IGN)
            sigaction(sigs[i], &act, NULL);
    }
}

/* raw_on is set before the modes change: a signal arriving between the
 * two then restores modes that were never changed, which is harmless;
 * the other order could leave the terminal raw. */
void term_raw(void)
{
    static bool registered;
    if (raw_on)
        return;
    if (tcgetattr(0, &saved) != 0)
        sys_die(SYS_FAILED, "cannot read the terminal's modes: %s",
                strerror(errno));
    if (!registered) {
        atexit(term_restore);
        catch_signals();
        registered = true;
    }
    struct termios raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
    raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;    /* read waits for one key, however long */
    raw.c_cc[VTIME] = 0;
    raw_on = 1;
    if (tcsetattr(0, TCSAFLUSH, &raw) != 0) {
        raw_on = 0;
        sys_die(SYS_FAILED, "cannot set the terminal's modes: %s",
                strerror(errno));
    }
    fputs(enter_screen, stdout);
    fflush(stdout);
}

/* The next byte if one comes within 50 ms (the rest of an escape
 * sequence arrives at once), else -1: ESC alone is a key too. */
static int next_byte(void)
{
    struct pollfd in = {.fd = 0, .events = POLLIN};
    unsigned char c;
    if (poll(&in, 1, 50) == 1 && read(0, &c, 1) == 1)
        return c;
    return -1;
}

/* After ESC [ (or ESC O): parameter bytes such as "1;2" (a modifier
 * held), then the final byte that names the key. */
static int escape_sequence(void)
{
    int b = next_byte();
    while (b >= 0x30 && b <= 0x3f)
        b = next_byte();
    switch (b) {
    case 'A': return TERM_KEY_UP;
    case 'B': return TERM_KEY_DOWN;
    case 'C': return TERM_KEY_RIGHT;
    case 'D': return TERM_KEY_LEFT;
    default: return TERM_KEY_ESCAPE;
    }
}

int term_read_key(void)
{
    unsigned char c;
    for (;;) {
        ssize_t n = read(0, &c, 1);
        if (n == 1)
            break;
        if (n == 0 || errno != EINTR)
            return TERM_KEY_EOF;
    }
    if (c != 27)
        return c;
    int b = next_byte();
    return b == '[' || b == 'O' ? escape_sequence() : TERM_KEY_ESCAPE;
}
