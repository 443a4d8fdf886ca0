/* faulty-server-echoes-once.c - an echo server that echoes only its first recv().
 *
 * The bug: the student's echo server that calls recv() once and echoes it
 * without looping. It echoes what the first recv() of a connection returns,
 * then keeps reading until EOF without echoing, and closes as usual. A
 * short message that arrives in one recv() comes back whole; a large stream
 * comes back cut short. Proves that large-stream-echo can fail. Same command
 * line (--help) and event log as echo-server, so the harness can run it in
 * the reference build's place.
 */
#include "server.h"

int main(int argc, char **argv)
{
    const struct eh_server_faults faults = {.echoes_once = true};
    return eh_server_main(argc, argv, &faults);
}
