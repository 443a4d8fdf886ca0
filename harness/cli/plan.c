/* plan.c - which (implementation, scenario) pairs a run runs: selection and shard.
 *
 * A run selects scenarios (--tag, --filter) and judges implementations; the
 * pairs it selects are every (implementation, scenario) where the scenario
 * applies to the implementation (every scenario for a run of the reference
 * builds, which judges no command: a run of one implementation with a
 * command leaves out, uncounted, the scenarios that judge only the
 * reference builds), in the order implementations, then scenarios. --shard K/N keeps the pairs
 * whose FNV-1a 64 of "impl/scenario" modulo N is K - 1
 * (eh_report_shard_of()), so that a pair stays in its shard when scenarios
 * or implementations are added. The selection recorded in report.json lists
 * the pairs before sharding, with a hash that `echoharness merge` compares.
 * See cli.h.
 */
#include "cli.h"

#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHARDS 1000

/* Parses "K/N" into *k and *n; prints the error naming source. */
static bool parse_k_of_n(const char *source, const char *k_text, const char *n_text, unsigned *k,
                         unsigned *n)
{
    char *end_k, *end_n;
    long kv = strtol(k_text, &end_k, 10), nv = strtol(n_text, &end_n, 10);
    if (*k_text == '\0' || *n_text == '\0' || (*end_k != '\0' && *end_k != '/') || *end_n != '\0' ||
        nv < 1 || nv > MAX_SHARDS || kv < 1 || kv > nv) {
        fprintf(stderr, "echoharness run: --shard: expected K/N with 1 <= K <= N <= %d, got %s\n",
                MAX_SHARDS, source);
        return false;
    }
    *k = (unsigned)kv;
    *n = (unsigned)nv;
    return true;
}

bool eh__shard_parse(const char *arg, unsigned *k, unsigned *n)
{
    if (strcmp(arg, "auto") == 0) {
        const char *index = getenv("CI_NODE_INDEX"), *total = getenv("CI_NODE_TOTAL");
        if (index == NULL || total == NULL) {
            fprintf(stderr, "echoharness run: --shard auto: CI_NODE_INDEX and CI_NODE_TOTAL are "
                            "not both set (GitLab's parallel: sets them); give --shard K/N\n");
            return false;
        }
        char source[128];
        snprintf(source, sizeof(source), "CI_NODE_INDEX=%.40s CI_NODE_TOTAL=%.40s", index, total);
        return parse_k_of_n(source, index, total, k, n);
    }
    const char *slash = strchr(arg, '/');
    char source[128];
    snprintf(source, sizeof(source), "'%.100s'", arg);
    if (slash == NULL) {
        fprintf(stderr, "echoharness run: --shard: expected K/N with 1 <= K <= N <= %d, got %s\n",
                MAX_SHARDS, source);
        return false;
    }
    return parse_k_of_n(source, arg, slash + 1, k, n);
}

static void push(struct eh__pair **v, size_t *n, size_t impl, size_t sc)
{
    *v = realloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = (struct eh__pair){impl, sc};
}

/* The selection object: the pairs as "impl/scenario" and the hash over the
 * implementations, the layout, the repeat count and the pairs. */
static json_t *selection_json(const struct eh__impls *impls, bool index,
                              struct eh_scenario *const *scs, const struct eh__plan *plan,
                              unsigned repeat)
{
    uint64_t h = EH_FNV1A64_INIT;
    char line[1024];
    snprintf(line, sizeof(line), "layout %s\nrepeat %u\n", index ? "index" : "single", repeat);
    h = eh_report_fnv1a64(h, line, strlen(line));
    for (size_t i = 0; i < impls->n; i++) {
        json_t *o = eh__impl_json(&impls->v[i]);
        char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        h = eh_report_fnv1a64(h, text ? text : "", text ? strlen(text) : 0);
        h = eh_report_fnv1a64(h, "\n", 1);
        free(text);
        json_decref(o);
    }
    json_t *pairs = json_array();
    for (size_t i = 0; i < plan->n_selected; i++) {
        const struct eh__pair *p = &plan->selected[i];
        snprintf(line, sizeof(line), "%s/%s", impls->v[p->impl].name, scs[p->sc]->name);
        json_array_append_new(pairs, json_string(line));
        h = eh_report_fnv1a64(h, line, strlen(line));
        h = eh_report_fnv1a64(h, "\n", 1);
    }
    char hex[17];
    snprintf(hex, sizeof(hex), "%016" PRIx64, h);
    return json_pack("{s:s, s:o}", "hash", hex, "pairs", pairs);
}

/* In a run of several implementations, one that no selected scenario applies
 * to is a mistake in the options: it would pass having run nothing. */
static bool every_impl_has_pairs(const struct eh__impls *impls, const struct eh__plan *plan,
                                 size_t n_scs)
{
    for (size_t i = 0; i < impls->n; i++) {
        bool any = false;
        for (size_t k = 0; k < plan->n_selected && !any; k++)
            any = plan->selected[k].impl == i;
        if (!any) {
            fprintf(stderr,
                    "echoharness run: %s: none of the %zu selected scenarios applies to it (a "
                    "scenario applies when the role it gives is under test, over a transport "
                    "and family it serves; 'echoharness list' shows them)\n",
                    impls->v[i].option, n_scs);
            return false;
        }
    }
    return true;
}

/* A run of one implementation without a command under test (the reference
 * builds, or other builds of them) runs every scenario; with a command, only
 * those it applies to: the others judge nothing it gives. */
static bool runs_everything(const struct eh__impl *impl, bool index)
{
    return !index && impl->server_cmd == NULL && impl->client_cmd == NULL;
}

bool eh__plan_make(const struct eh__impls *impls, bool index, struct eh_scenario *const *scs,
                   size_t n_scs, unsigned repeat, unsigned shard_k, unsigned shard_n,
                   struct eh__plan *out)
{
    *out = (struct eh__plan){0};
    for (size_t i = 0; i < impls->n; i++)
        for (size_t s = 0; s < n_scs; s++)
            if (runs_everything(&impls->v[i], index) || eh__impl_applies(&impls->v[i], scs[s]))
                push(&out->selected, &out->n_selected, i, s);
    if (index && !every_impl_has_pairs(impls, out, n_scs))
        return false;
    for (size_t i = 0; i < out->n_selected; i++) {
        const struct eh__pair *p = &out->selected[i];
        if (shard_n == 0 ||
            eh_report_shard_of(impls->v[p->impl].name, scs[p->sc]->name, shard_n) == shard_k)
            push(&out->pairs, &out->n, p->impl, p->sc);
    }
    out->selection = selection_json(impls, index, scs, out, repeat);
    return true;
}

void eh__plan_free(struct eh__plan *plan)
{
    free(plan->selected);
    free(plan->pairs);
    json_decref(plan->selection);
    *plan = (struct eh__plan){0};
}
