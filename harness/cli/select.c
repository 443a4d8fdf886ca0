/* select.c - loading and selecting the scenarios a command works on.
 *
 * run and list select scenarios by --tag and --filter; run, list and
 * validate load them from files and folders, or from scenarios/ by
 * default, printing each file's error. A --filter with a glob character
 * (*, ?, [) matches the whole name as a glob; one without matches part of
 * the name, unless it is the whole name of a scenario read, which it then
 * selects alone. When nothing is selected, the selection says which
 * selector left nothing. See cli.h.
 */
#include "cli.h"

#include "paths.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eh__selection_add_tag(struct eh__selection *sel, char *tag)
{
    sel->tags = realloc(sel->tags, (sel->n_tags + 1) * sizeof(*sel->tags));
    sel->tags[sel->n_tags++] = tag;
}

static bool is_glob(const char *filter)
{
    return strpbrk(filter, "*?[") != NULL;
}

/* True if the filter selects name; exact: the filter is the whole name of a
 * scenario read, so it matches that name alone. */
static bool filter_matches(const char *filter, bool exact, const char *name)
{
    if (filter == NULL)
        return true;
    if (is_glob(filter))
        return fnmatch(filter, name, 0) == 0;
    return exact ? strcmp(filter, name) == 0 : strstr(name, filter) != NULL;
}

/* How many of scs the filter and the first n_tags tags select. */
static size_t count_selected(const struct eh__selection *sel, bool exact,
                             struct eh_scenario *const *scs, size_t n, size_t n_tags)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        bool yes = filter_matches(sel->filter, exact, scs[i]->name);
        for (size_t t = 0; yes && t < n_tags; t++) /* every tag given must be carried */
            yes = eh_scenario_has_tag(scs[i], sel->tags[t]);
        count += yes;
    }
    return count;
}

/* Says in sel->why_none which selector left no scenario of the n read. */
static void explain_none(struct eh__selection *sel, bool exact, struct eh_scenario *const *scs,
                         size_t n)
{
    if (n == 0) {
        snprintf(sel->why_none, sizeof(sel->why_none), "no scenario was read");
        return;
    }
    if (sel->filter && count_selected(sel, exact, scs, n, 0) == 0) {
        snprintf(sel->why_none, sizeof(sel->why_none),
                 "--filter '%s' matched none of the %zu scenario names (%s; 'echoharness list' "
                 "shows the names)",
                 sel->filter, n,
                 is_glob(sel->filter) ? "a glob matches the whole name"
                                      : "without *, ? or [ it matches part of a name");
        return;
    }
    size_t before = sel->filter ? count_selected(sel, exact, scs, n, 0) : n;
    for (size_t t = 0; t < sel->n_tags; t++) {
        if (count_selected(sel, exact, scs, n, t + 1) > 0) {
            before = count_selected(sel, exact, scs, n, t + 1);
            continue;
        }
        snprintf(sel->why_none, sizeof(sel->why_none),
                 "--tag %s: none of the %zu scenario%s selected before it carries it (tags are "
                 "lower-case and every --tag must be carried; 'echoharness list' shows them)",
                 sel->tags[t], before, before == 1 ? "" : "s");
        return;
    }
}

/* Keeps in scs[0..*n) the scenarios sel selects, freeing the others. */
static void select_scenarios(struct eh__selection *sel, struct eh_scenario **scs, size_t *n)
{
    bool exact = false;
    for (size_t i = 0; sel->filter && !is_glob(sel->filter) && i < *n; i++)
        exact |= strcmp(scs[i]->name, sel->filter) == 0;
    size_t kept = 0, read = *n;
    for (size_t i = 0; i < read; i++) {
        bool yes = filter_matches(sel->filter, exact, scs[i]->name);
        for (size_t t = 0; yes && t < sel->n_tags; t++)
            yes = eh_scenario_has_tag(scs[i], sel->tags[t]);
        if (yes) {
            struct eh_scenario *sc = scs[i];
            scs[i] = scs[kept];
            scs[kept++] = sc;
        }
    }
    if (kept == 0)
        explain_none(sel, exact, scs, read);
    for (size_t i = kept; i < read; i++)
        eh_scenario_free(scs[i]);
    *n = kept;
}

bool eh__scenarios_load(char *const *args, size_t n_args, struct eh__selection *sel,
                        struct eh_scenario ***out, size_t *n_out, size_t *n_files)
{
    char **paths = NULL;
    size_t n_paths = 0;
    struct eh_error err = {0};
    bool ok = true;
    char dir[PATH_MAX];
    char *default_args[] = {dir};

    *out = NULL;
    *n_out = 0;
    *n_files = 0;
    if (n_args == 0) {
        if (!eh_paths_scenarios(NULL, dir, sizeof(dir))) {
            fprintf(stderr,
                    "echoharness: no scenarios folder in %s: name scenario files or folders\n",
                    dir);
            return false;
        }
        args = default_args;
        n_args = 1;
    }
    if (eh_scenario_find(args, n_args, &paths, &n_paths, &err) != EH_OK) {
        fprintf(stderr, "echoharness: %s\n", err.msg);
        return false;
    }
    *out = calloc(n_paths ? n_paths : 1, sizeof(**out));
    *n_files = n_paths;
    for (size_t i = 0; i < n_paths; i++) {
        struct eh_scenario *sc = NULL;
        eh_error_clear(&err);
        if (eh_scenario_load(paths[i], &sc, &err) != EH_OK) {
            fprintf(stderr, "%s\n", err.msg);
            ok = false;
        } else {
            (*out)[(*n_out)++] = sc;
        }
        free(paths[i]);
    }
    free(paths);
    if (sel != NULL)
        select_scenarios(sel, *out, n_out);
    return ok;
}

void eh__scenarios_free(struct eh_scenario **scs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eh_scenario_free(scs[i]);
    free(scs);
}
