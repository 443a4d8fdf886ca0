/* addr.h - socket addresses: resolve "host" + port, format.
 *
 * Every address in the reference builds is a struct sockaddr_storage that
 * holds an AF_INET or AF_INET6 address. Text form, as in the event log and
 * on stdout: "127.0.0.1:65432" for IPv4, "[::1]:65432" for IPv6.
 */
#ifndef EH_ADDR_H
#define EH_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define EH_ADDR_STRLEN 80 /* enough for "[ipv6%scope]:65535" */

/* Fills out with host:port for the family (AF_INET or AF_INET6). host NULL,
 * "" or "any" gives the family's wildcard (0.0.0.0 or ::); numeric addresses
 * and names are accepted (getaddrinfo). Returns 0, or a getaddrinfo() error
 * code for gai_strerror(). */
int eh_addr_resolve(const char *host, int port, int family, struct sockaddr_storage *out);

/* Fills out with the numeric address host (no name lookup, so it is safe in
 * a child forked from a threaded process) and port for family (AF_INET or
 * AF_INET6). Returns false if host is not an address of that family. */
bool eh_addr_parse(const char *host, int port, int family, struct sockaddr_storage *out);

/* The family to use for host when none was given: AF_INET6 if host is an
 * IPv6 literal (contains ':'), AF_INET otherwise. */
int eh_addr_guess_family(const char *host);

/* The size of the sockaddr inside a (for bind, connect, sendto). */
socklen_t eh_addr_len(const struct sockaddr_storage *a);

/* The port of a, in host byte order. */
int eh_addr_port(const struct sockaddr_storage *a);

/* Writes "127.0.0.1:65432" or "[::1]:65432" into buf ("?" for other families). */
void eh_addr_format(const struct sockaddr_storage *a, char *buf, size_t len);

#endif
