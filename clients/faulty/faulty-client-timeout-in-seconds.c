/* faulty-client-timeout-in-seconds.c - an echo client that gives its time-out in the wrong unit.
 *
 * The bug: in --mode timeout the --timeout-ms value goes into SO_RCVTIMEO
 * and SO_SNDTIMEO as seconds (timeval's tv_sec), as Python's
 * settimeout(200) written for 200 ms does. A recv() meant to give up after
 * 200 ms waits 200 s against a server that never answers, so the client
 * hangs where it should report a time-out. Same command line (--help) and
 * event log (with the time-out it really set) as echo-client, so the
 * harness can run it in the reference build's place.
 */
#include "client.h"

int main(int argc, char **argv)
{
    const struct eh_client_faults faults = {.timeout_in_seconds = true};
    return eh_client_main(argc, argv, &faults);
}
