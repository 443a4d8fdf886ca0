/* report_merge.c - one report from the reports of a run's shards.
 *
 * `echoharness run --shard K/N` runs the part of the selected
 * (implementation, scenario) pairs that falls in shard K and records, in
 * report.json, what the whole run selected (selection.pairs and its hash),
 * the shard and the version. eh_report_merge() checks that the parts it is
 * given come from one selection and one version, none twice, and rebuilds the
 * report of the whole run: the results in the selection's order and the
 * summaries counted again. Every refusal names the file. See report.h.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The part's shard count ("shard.of"), 1 for an unsharded run. */
static json_int_t shard_of(const json_t *part)
{
    const json_t *of = json_object_get(json_object_get(part, "shard"), "of");
    return json_is_integer(of) ? json_integer_value(of) : 1;
}

/* The part's shard numbers ("shard.parts"), [1] for an unsharded run; lent
 * or owned by *owned (json_decref it). */
static const json_t *shard_parts(const json_t *part, json_t **owned)
{
    const json_t *parts = json_object_get(json_object_get(part, "shard"), "parts");
    *owned = NULL;
    if (json_is_array(parts))
        return parts;
    *owned = json_pack("[i]", 1);
    return *owned;
}

/* Checks what merging relies on in one part: the version of the format and
 * a selection. */
static eh_status check_part(const json_t *part, const char *path, struct eh_error *err)
{
    const json_t *version = json_object_get(part, "schema_version");
    if (!json_is_integer(version) || json_integer_value(version) != EH_REPORT_SCHEMA_VERSION) {
        char got[32] = "none";
        if (json_is_integer(version))
            snprintf(got, sizeof(got), "%" JSON_INTEGER_FORMAT, json_integer_value(version));
        eh_error_set(err,
                     "%s: $.schema_version: expected %d, got %s: merge reads the reports of "
                     "echoharness %s; run the shards again with it",
                     path, EH_REPORT_SCHEMA_VERSION, got, EH_VERSION);
        return EH_ERR;
    }
    const json_t *sel = json_object_get(part, "selection");
    if (eh__string(sel, "hash", NULL) == NULL || !json_is_array(json_object_get(sel, "pairs")) ||
        eh__string(part, "version", NULL) == NULL || eh__string(part, "layout", NULL) == NULL) {
        eh_error_set(err,
                     "%s: $.selection: expected {\"hash\", \"pairs\"} with \"version\" and "
                     "\"layout\": not a report of echoharness run",
                     path);
        return EH_ERR;
    }
    return EH_OK;
}

/* Checks that part i can be merged with part 0. */
static eh_status check_same(json_t *const *parts, const char *const *paths, size_t i,
                            struct eh_error *err)
{
    const char *v = eh__string(parts[i], "version", NULL);
    const char *v0 = eh__string(parts[0], "version", NULL);
    const char *h = eh__string(json_object_get(parts[i], "selection"), "hash", NULL);
    const char *h0 = eh__string(json_object_get(parts[0], "selection"), "hash", NULL);
    const char *l = eh__string(parts[i], "layout", NULL);
    const char *l0 = eh__string(parts[0], "layout", NULL);
    if (strcmp(v, v0) != 0) {
        eh_error_set(err,
                     "%s: written by echoharness %s, but %s by %s: merge the parts of one "
                     "version",
                     paths[i], v, paths[0], v0);
        return EH_ERR;
    }
    if (strcmp(h, h0) != 0 || strcmp(l, l0) != 0) {
        eh_error_set(err,
                     "%s: another selection than %s (selection.hash %s, not %s): the parts must "
                     "come from runs of the same implementations, scenarios, --tag, --filter "
                     "and --repeat",
                     paths[i], paths[0], h, h0);
        return EH_ERR;
    }
    if (shard_of(parts[i]) != shard_of(parts[0])) {
        eh_error_set(err,
                     "%s: a run in %" JSON_INTEGER_FORMAT " shards, but %s in %" JSON_INTEGER_FORMAT
                     ": merge the parts of one --shard K/N run",
                     paths[i], shard_of(parts[i]), paths[0], shard_of(parts[0]));
        return EH_ERR;
    }
    return EH_OK;
}

/* Adds part i's shard numbers to the sorted set seen (seen[k] names the
 * part that holds shard k + 1, or is -1); refuses one already there. */
static eh_status add_shards(json_t *const *parts, const char *const *paths, size_t i, long *seen,
                            struct eh_error *err)
{
    json_t *owned;
    const json_t *list = shard_parts(parts[i], &owned), *k;
    json_int_t of = shard_of(parts[i]);
    size_t j;
    eh_status st = EH_OK;
    json_array_foreach(list, j, k)
    {
        json_int_t shard = json_integer_value(k);
        if (shard < 1 || shard > of) {
            eh_error_set(err, "%s: $.shard.parts[%zu]: expected 1..%" JSON_INTEGER_FORMAT, paths[i],
                         j, of);
            st = EH_ERR;
        } else if (seen[shard - 1] >= 0) {
            eh_error_set(err,
                         "%s: shard %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
                         " is also in %s: give each shard's report once",
                         paths[i], shard, of, paths[seen[shard - 1]]);
            st = EH_ERR;
        } else {
            seen[shard - 1] = (long)i;
            continue;
        }
        break;
    }
    json_decref(owned);
    return st;
}

/* Collects every part's results into by_key ("impl/name" -> RESULT),
 * refusing a result that is not in the selection or that two parts hold. */
static eh_status collect(json_t *const *parts, const char *const *paths, size_t n,
                         const json_t *selected, json_t *by_key, json_t *owner,
                         struct eh_error *err)
{
    for (size_t i = 0; i < n; i++) {
        struct eh__scenario_view s;
        for (size_t k = 0; eh__scenario_at(parts[i], k, &s); k++) {
            char key[1024];
            const char *impl = eh__string(s.json, "implementation", NULL);
            snprintf(key, sizeof(key), "%s/%s", impl ? impl : "", s.name);
            if (json_object_get(selected, key) == NULL) {
                eh_error_set(err, "%s: $.scenarios[%zu]: %s is not in the run's selection",
                             paths[i], k, key);
                return EH_ERR;
            }
            const json_t *other = json_object_get(owner, key);
            if (other != NULL) {
                eh_error_set(err, "%s: %s is also in %s: give each shard's report once", paths[i],
                             key, paths[json_integer_value(other)]);
                return EH_ERR;
            }
            json_object_set(by_key, key, (json_t *)s.json);
            json_object_set_new(owner, key, json_integer((json_int_t)i));
        }
    }
    return EH_OK;
}

/* The fields of the whole run from the parts: earliest start, longest
 * duration, host-loopback if any part ran there, the first interruption. */
static void combine_run_fields(json_t *merged, json_t *const *parts, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const char *started = eh__string(parts[i], "started", NULL);
        const char *first = eh__string(merged, "started", NULL);
        if (started && (first == NULL || strcmp(started, first) < 0))
            json_object_set_new(merged, "started", json_string(started));
        json_int_t d = json_integer_value(json_object_get(parts[i], "duration_ms"));
        if (d > json_integer_value(json_object_get(merged, "duration_ms")))
            json_object_set_new(merged, "duration_ms", json_integer(d));
        const char *iso = eh__string(parts[i], "isolation", NULL);
        const char *merged_iso = eh__string(merged, "isolation", NULL);
        if (iso && strcmp(iso, "host-loopback") == 0 &&
            (merged_iso == NULL || strcmp(merged_iso, iso) != 0)) {
            json_object_set_new(merged, "isolation", json_string(iso));
            json_object_set(merged, "isolation_note", json_object_get(parts[i], "isolation_note"));
        }
        if (!json_object_get(merged, "interrupted") && json_object_get(parts[i], "interrupted"))
            json_object_set(merged, "interrupted", json_object_get(parts[i], "interrupted"));
    }
}

/* The merged report: part 0's fields, then the combined ones. */
static json_t *build(json_t *const *parts, size_t n, const json_t *by_key, const long *seen,
                     const char *command)
{
    json_t *merged = json_object(), *v;
    const char *key;
    json_object_foreach(parts[0], key, v) if (strcmp(key, "scenarios") != 0)
        json_object_set_new(merged, key, json_deep_copy(v));
    combine_run_fields(merged, parts, n);
    json_object_set_new(merged, "command", json_string(command));
    json_t *results = json_array();
    size_t i;
    json_array_foreach(json_object_get(json_object_get(parts[0], "selection"), "pairs"), i, v)
    {
        json_t *r = json_object_get(by_key, json_string_value(v));
        if (r != NULL)
            json_array_append(results, r);
    }
    json_object_set_new(merged, "scenarios", results);
    json_int_t of = shard_of(parts[0]);
    if (json_object_get(parts[0], "shard")) {
        json_t *list = json_array();
        for (json_int_t k = 0; k < of; k++)
            if (seen[k] >= 0)
                json_array_append_new(list, json_integer(k + 1));
        json_object_set_new(merged, "shard", json_pack("{s:I, s:o}", "of", of, "parts", list));
    }
    eh_report_summarize(merged);
    return merged;
}

eh_status eh_report_merge(json_t *const *parts, const char *const *paths, size_t n,
                          const char *command, json_t **out, struct eh_error *err)
{
    *out = NULL;
    if (n == 0) {
        eh_error_set(err, "no report to merge");
        return EH_ERR;
    }
    for (size_t i = 0; i < n; i++)
        if (check_part(parts[i], paths[i], err) != EH_OK ||
            (i > 0 && check_same(parts, paths, i, err) != EH_OK))
            return EH_ERR;
    json_int_t of = shard_of(parts[0]);
    if (of < 1 || of > 100000) {
        eh_error_set(err, "%s: $.shard.of: expected 1..100000", paths[0]);
        return EH_ERR;
    }
    long *seen = malloc((size_t)of * sizeof(*seen));
    json_t *selected = json_object(), *by_key = json_object(), *owner = json_object(), *v;
    for (json_int_t k = 0; k < of; k++)
        seen[k] = -1;
    size_t i;
    json_array_foreach(json_object_get(json_object_get(parts[0], "selection"), "pairs"), i, v)
        json_object_set_new(selected, json_is_string(v) ? json_string_value(v) : "", json_true());
    eh_status st = EH_OK;
    for (i = 0; st == EH_OK && i < n; i++)
        st = add_shards(parts, paths, i, seen, err);
    if (st == EH_OK)
        st = collect(parts, paths, n, selected, by_key, owner, err);
    if (st == EH_OK)
        *out = build(parts, n, by_key, seen, command);
    free(seen);
    json_decref(selected);
    json_decref(by_key);
    json_decref(owner);
    return st;
}
