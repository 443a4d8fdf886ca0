/* hostile-crashes.c - a server that dies of SIGSEGV mid-scenario.
 *
 * Serves like echo-server until it has sent its first echo, then dies of
 * SIGSEGV (without a core file). Proves that a crash is reported as the
 * signal that killed it and that the client's half of the exchange is
 * judged from what it got.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.crash_after_echo = true};
    return eh_server_main(argc, argv, &faults);
}
