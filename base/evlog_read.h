/* evlog_read.h - read an event log back (the reader of evlog.h's format).
 *
 * The harness judges what the reference builds and its scripted peer logged
 * (one JSON object per line, format in scenarios/README.md "Event log").
 * Everything in a log comes from a program under test's neighbour and is
 * read defensively: a garbled line is kept as an entry that says so.
 */
#ifndef EH_EVLOG_READ_H
#define EH_EVLOG_READ_H

#include <jansson.h>
#include <stddef.h>

/* Reads an event log (JSON Lines). Lines that are not JSON objects become
 * {"call":"log_error","line":N,"error":"..."} entries so that a garbled log is
 * visible, never fatal. At most max_bytes are read (the rest is reported as
 * one "log_truncated" entry). Returns a new array; never NULL. */
json_t *eh_evlog_read(const char *path, size_t max_bytes);

#endif
