/* interrupt.c -- Ctrl-C as a request to stop cleanly (see interrupt.h). */
#include "interrupt.h"

#include <signal.h>
#include <stddef.h>

static volatile sig_atomic_t requested;
static struct sigaction before;   /* what interrupt_release puts back */
static bool caught;

static void on_interrupt(int sig)
{
    (void)sig;
    requested = 1;
}

/* SA_RESETHAND: the handler runs once, then SIGINT kills again. An
 * inherited SIG_IGN is left alone, as a shell's `cmd &` expects. */
void interrupt_catch(void)
{
    struct sigaction on_int = {0};
    on_int.sa_handler = on_interrupt;
    on_int.sa_flags = SA_RESETHAND;
    sigemptyset(&on_int.sa_mask);
    requested = 0;
    caught = false;
    if (sigaction(SIGINT, NULL, &before) != 0 ||
        before.sa_handler == SIG_IGN)
        return;
    caught = sigaction(SIGINT, &on_int, NULL) == 0;
}

bool interrupt_requested(void) { return requested != 0; }

void interrupt_release(void)
{
    if (caught)
        sigaction(SIGINT, &before, NULL);
    caught = false;
}
