/* faulty-server-sleeps-on-eagain.c - an echo server that polls its sockets by sleeping.
 *
 * The bug: "a silent client must not hang the server", so every accepted
 * socket is made non-blocking (accept4() with SOCK_NONBLOCK), whatever
 * --mode says; and when recv() or send() answers EAGAIN the server sleeps
 * 10 ms and tries again, instead of letting a blocking recv() wait or
 * waiting in poll(). A client that is slow to send gets a string of EAGAIN
 * failures in place of one recv() that waits, and each of its bytes waits
 * up to 10 ms more to be read. Same command line (--help) and event log as
 * echo-server, so the harness can run it in the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.sleeps_on_eagain = true};
    return eh_server_main(argc, argv, &faults);
}
