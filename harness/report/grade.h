/* grade.h - a run as a grade: rules passed out of the rules that apply.
 *
 * Each conformance scenario checks one rule. The grade counts, per group of
 * rules (TCP, UDP, IPv6, client; from the scenarios' tags), how many passed
 * out of those that apply to the implementation under test: a scenario it
 * does not serve (SKIP with "not_served") or that was not judged here (any
 * other SKIP: network conditions this kernel cannot make, an interrupted
 * run) does not apply, and is listed apart. Behaviour scenarios show what
 * the socket API does and are not graded. summary.md and the terminal
 * summary of `run` print the grade.
 */
#ifndef EH_GRADE_H
#define EH_GRADE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum eh_grade_group_id {
    EH_GRADE_TCP,    /* TCP over IPv4 */
    EH_GRADE_UDP,    /* UDP over IPv4 */
    EH_GRADE_IPV6,   /* anything over IPv6 */
    EH_GRADE_CLIENT, /* rules for clients */
    EH_GRADE_OTHER,  /* tagged with none of these */
};
#define EH_GRADE_GROUP_COUNT 5

struct eh_grade_group {
    const char *name;  /* "TCP", "UDP", "IPv6", "client", "other" */
    size_t passed;     /* PASS */
    size_t apply;      /* PASS, FAIL, ERROR, TIMEOUT */
    size_t not_served; /* SKIP: the server under test does not serve it */
    size_t not_judged; /* any other SKIP */
};

struct eh_grade {
    struct eh_grade_group groups[EH_GRADE_GROUP_COUNT]; /* indexed by enum eh_grade_group_id */
    size_t passed, apply, not_served, not_judged;       /* over every group */
    size_t behaviour;                                   /* behaviour scenarios, not graded */
};

/* The group of one scenario result: the "client" tag, or a client under test
 * with the reference server, is client; then "ipv6", "udp", "tcp". */
enum eh_grade_group_id eh_grade_group_of(const json_t *result);

/* "TCP", "UDP", "IPv6", "client", "other". */
const char *eh_grade_group_name(enum eh_grade_group_id g);

/* True if the result is a scenario the server under test does not serve. */
bool eh_grade_not_served(const json_t *result);

/* Grades the report's scenarios. */
void eh_grade_of(const json_t *report, struct eh_grade *out);

/* One line: "4 of 5 rules that apply passed (TCP 4 of 4, IPv6 0 of 1); 2
 * not served, 1 not judged here" or "no conformance rule was judged". */
void eh_grade_line(const struct eh_grade *g, char *buf, size_t len);

#endif
