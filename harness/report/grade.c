/* grade.c - a run as a grade: rules passed out of the rules that apply.
 *
 * Reads the report document (report.h) through the scenario views, so a
 * merged or hand-edited report with missing fields grades what it holds.
 * See grade.h.
 */
#include "grade.h"

#include "report.h"

#include <stdio.h>
#include <string.h>

static const char *const group_names[EH_GRADE_GROUP_COUNT] = {
    [EH_GRADE_TCP] = "TCP",       [EH_GRADE_UDP] = "UDP",     [EH_GRADE_IPV6] = "IPv6",
    [EH_GRADE_CLIENT] = "client", [EH_GRADE_OTHER] = "other",
};

const char *eh_grade_group_name(enum eh_grade_group_id g)
{
    return (unsigned)g < EH_GRADE_GROUP_COUNT ? group_names[g] : "?";
}

static bool has_tag(const json_t *result, const char *tag)
{
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(result, "tags"), i,
                       t) if (json_is_string(t) &&
                              strcmp(json_string_value(t), tag) == 0) return true;
    return false;
}

static bool role_is(const json_t *result, const char *role, const char *kind)
{
    const char *k =
        eh__string(json_object_get(json_object_get(result, "roles"), role), "kind", NULL);
    return k != NULL && strcmp(k, kind) == 0;
}

enum eh_grade_group_id eh_grade_group_of(const json_t *result)
{
    if (has_tag(result, "client") ||
        (role_is(result, "client", "under-test") && role_is(result, "server", "reference")))
        return EH_GRADE_CLIENT;
    if (has_tag(result, "ipv6"))
        return EH_GRADE_IPV6;
    if (has_tag(result, "udp"))
        return EH_GRADE_UDP;
    if (has_tag(result, "tcp"))
        return EH_GRADE_TCP;
    return EH_GRADE_OTHER;
}

bool eh_grade_not_served(const json_t *result)
{
    return json_is_object(json_object_get(result, "not_served"));
}

void eh_grade_of(const json_t *report, struct eh_grade *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < EH_GRADE_GROUP_COUNT; i++)
        out->groups[i].name = group_names[i];
    struct eh__scenario_view s;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        if (strcmp(s.kind, "conformance") != 0) {
            out->behaviour++;
            continue;
        }
        struct eh_grade_group *g = &out->groups[eh_grade_group_of(s.json)];
        if (s.verdict == EH_SKIP && eh_grade_not_served(s.json))
            g->not_served++;
        else if (s.verdict == EH_SKIP)
            g->not_judged++;
        else
            g->apply++;
        g->passed += s.verdict == EH_PASS;
    }
    for (int i = 0; i < EH_GRADE_GROUP_COUNT; i++) {
        out->passed += out->groups[i].passed;
        out->apply += out->groups[i].apply;
        out->not_served += out->groups[i].not_served;
        out->not_judged += out->groups[i].not_judged;
    }
}

void eh_grade_line(const struct eh_grade *g, char *buf, size_t len)
{
    size_t n = 0;
    if (g->apply == 0)
        n = (size_t)snprintf(buf, len, "no conformance rule applied");
    else
        n = (size_t)snprintf(buf, len, "%zu of %zu %s passed", g->passed, g->apply,
                             g->apply == 1 ? "rule that applies" : "rules that apply");
    const char *sep = " (";
    for (int i = 0; i < EH_GRADE_GROUP_COUNT && n < len; i++) {
        const struct eh_grade_group *k = &g->groups[i];
        if (k->apply == 0)
            continue;
        n += (size_t)snprintf(buf + n, len - n, "%s%s %zu of %zu", sep, k->name, k->passed,
                              k->apply);
        sep = ", ";
    }
    if (*sep == ',' && n < len)
        n += (size_t)snprintf(buf + n, len - n, ")");
    if (g->not_served > 0 && n < len)
        n += (size_t)snprintf(buf + n, len - n, "; %zu not served by this implementation",
                              g->not_served);
    if (g->not_judged > 0 && n < len)
        snprintf(buf + n, len - n, "; %zu not judged here", g->not_judged);
}
