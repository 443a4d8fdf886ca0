/* vocab.c - the name tables of the shared vocabulary.
 *
 * See vocab.h. One table per enum, indexed by the enum; a value outside the
 * table gives "?" so that a corrupted value never crashes a report writer.
 */
#include "vocab.h"

#include <string.h>

#define COUNT_OF(tab) (sizeof(tab) / sizeof(tab[0]))
#define NAME_OF(tab, v) ((size_t)(v) < COUNT_OF(tab) && tab[v] != NULL ? tab[v] : "?")

const char *const eh_role_names[EH_ROLE_COUNT + 1] = {
    [EH_SERVER] = "server", [EH_CLIENT] = "client"};
const char *const eh_transport_names[EH_TRANSPORT_COUNT + 1] = {[EH_TCP] = "tcp", [EH_UDP] = "udp"};
const char *const eh_family_names[EH_FAMILY_COUNT + 1] = {[EH_IPV4] = "ipv4", [EH_IPV6] = "ipv6"};
static const char *const side_names[] = {[EH_SIDE_CLIENT] = "client", [EH_SIDE_SERVER] = "server"};
static const char *const close_names[EH_CLOSE_COUNT] = {
    [EH_CLOSE_GRACEFUL] = "graceful",         [EH_CLOSE_HALF_CLOSED] = "half-closed",
    [EH_CLOSE_UNFINISHED] = "unfinished",     [EH_CLOSE_CLIENT_RESET] = "client-reset",
    [EH_CLOSE_SERVER_RESET] = "server-reset", [EH_CLOSE_CLIENT_ABORT] = "client-abort",
    [EH_CLOSE_SERVER_ABORT] = "server-abort", [EH_CLOSE_REFUSED] = "refused",
    [EH_CLOSE_UNANSWERED] = "unanswered",
};
static const char *const echo_names[EH_WIRE_ECHO_COUNT] = {
    [EH_WIRE_EXACT] = "exact",           [EH_WIRE_PREFIX] = "prefix", [EH_WIRE_DIFFERS] = "differs",
    [EH_WIRE_EXTRA] = "extra",           [EH_WIRE_NONE] = "none",     [EH_WIRE_EMPTY] = "empty",
    [EH_WIRE_UNVERIFIED] = "unverified",
};
static const char *const verdict_names[EH_VERDICT_COUNT] = {
    [EH_PASS] = "PASS",         [EH_FAIL] = "FAIL", [EH_ERROR] = "ERROR",
    [EH_TIMED_OUT] = "TIMEOUT", [EH_SKIP] = "SKIP",
};

/* The index of name in names[0..n), or -1. */
static int index_of(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (names[i] != NULL && strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *eh_role_name(enum eh_role_id r)
{
    return NAME_OF(eh_role_names, r);
}

const char *eh_transport_name(enum eh_transport t)
{
    return NAME_OF(eh_transport_names, t);
}

const char *eh_family_name(enum eh_family f)
{
    return NAME_OF(eh_family_names, f);
}

const char *eh_side_name(enum eh_side s)
{
    return NAME_OF(side_names, s);
}

const char *eh_close_name(enum eh_close_class c)
{
    return NAME_OF(close_names, c);
}

bool eh_close_parse(const char *name, enum eh_close_class *out)
{
    int i = index_of(close_names, EH_CLOSE_COUNT, name);
    if (i < 0)
        return false;
    *out = (enum eh_close_class)i;
    return true;
}

const char *eh_wire_echo_name(enum eh_wire_echo v)
{
    return NAME_OF(echo_names, v);
}

bool eh_wire_echo_parse(const char *name, enum eh_wire_echo *out)
{
    int i = index_of(echo_names, EH_WIRE_ECHO_COUNT, name);
    if (i < 0)
        return false;
    *out = (enum eh_wire_echo)i;
    return true;
}

const char *eh_verdict_name(enum eh_verdict v)
{
    return NAME_OF(verdict_names, v);
}

bool eh_verdict_parse(const char *name, enum eh_verdict *out)
{
    int i = index_of(verdict_names, EH_VERDICT_COUNT, name);
    if (i < 0)
        return false;
    *out = (enum eh_verdict)i;
    return true;
}
