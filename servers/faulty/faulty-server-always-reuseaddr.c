/* faulty-server-always-reuseaddr.c - an echo server that sets SO_REUSEADDR unasked.
 *
 * The bug: every listening socket gets SO_REUSEADDR before bind(), whatever
 * --reuseaddr says, as a framework's listen helper copied into the program
 * does by default. The option is then a no-op, and a server restarted while
 * its old connections are in TIME_WAIT binds where the program as written
 * (without --reuseaddr) gets EADDRINUSE: the command line no longer says
 * what the program does. Same command line (--help) and event log as
 * echo-server, so the harness can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.always_reuseaddr = true};
    return eh_server_main(argc, argv, &faults);
}
