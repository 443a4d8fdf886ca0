/* select.c - loading and selecting the scenarios a command works on.
 *
 * run and list select scenarios by --tag and --filter; run, list and
 * validate load them from files and folders, or from scenarios/ by
 * default, printing each file's error. A --filter with a glob character
 * (*, ?, [) matches the whole name as a glob; one without matches part of
 * the name, unless it is the whole name of a scenario read, which it then
 * selects alone. A scenario is kept when any --filter selects it and it
 * carries every --tag. When nothing is selected, the selection says which
 * selector left nothing. A scenario tagged "load" that a folder holds is
 * read only when asked for: by --tag load, or by a --filter of its whole
 * name. See cli.h.
 */
#include "cli.h"

#include "paths.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends s to the growing array *v of *n strings; out of memory ends the
 * program, as a selection cut short would run other scenarios than asked. */
static void append(char ***v, size_t *n, char *s)
{
    char **grown = realloc(*v, (*n + 1) * sizeof(**v));
    if (grown == NULL) {
        fputs("echoharness: out of memory\n", stderr);
        exit(EH_EXIT_USAGE);
    }
    *v = grown;
    grown[(*n)++] = s;
}

void eh__selection_add_tag(struct eh__selection *sel, char *tag)
{
    append(&sel->tags, &sel->n_tags, tag);
}

void eh__selection_add_filter(struct eh__selection *sel, char *filter)
{
    append(&sel->filters, &sel->n_filters, filter);
}

static bool is_glob(const char *filter)
{
    return strpbrk(filter, "*?[") != NULL;
}

/* True if filter, without glob characters, is the whole name of one of the
 * n scenarios read: it then matches that name alone. */
static bool is_a_name(const char *filter, struct eh_scenario *const *scs, size_t n)
{
    for (size_t i = 0; !is_glob(filter) && i < n; i++)
        if (strcmp(scs[i]->name, filter) == 0)
            return true;
    return false;
}

/* True if the one filter selects name, among the n scenarios read. */
static bool filter_matches(const char *filter, struct eh_scenario *const *scs, size_t n,
                           const char *name)
{
    if (is_glob(filter))
        return fnmatch(filter, name, 0) == 0;
    return is_a_name(filter, scs, n) ? strcmp(filter, name) == 0 : strstr(name, filter) != NULL;
}

/* True if the filters select name: there are none, or one of them does. */
static bool filters_match(const struct eh__selection *sel, struct eh_scenario *const *scs, size_t n,
                          const char *name)
{
    for (size_t f = 0; f < sel->n_filters; f++)
        if (filter_matches(sel->filters[f], scs, n, name))
            return true;
    return sel->n_filters == 0;
}

/* True if the filters and the first n_tags tags select scs[i]. */
static bool selects(const struct eh__selection *sel, struct eh_scenario *const *scs, size_t n,
                    size_t i, size_t n_tags)
{
    bool yes = filters_match(sel, scs, n, scs[i]->name);
    for (size_t t = 0; yes && t < n_tags; t++) /* every tag given must be carried */
        yes = eh_scenario_has_tag(scs[i], sel->tags[t]);
    return yes;
}

/* How many of scs the filters and the first n_tags tags select. */
static size_t count_selected(const struct eh__selection *sel, struct eh_scenario *const *scs,
                             size_t n, size_t n_tags)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += selects(sel, scs, n, i, n_tags);
    return count;
}

/* "--filter 'x'", or "--filter 'x', 'y'", into buf. */
static void filters_text(const struct eh__selection *sel, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "--filter");
    for (size_t f = 0; f < sel->n_filters && len < size; f++)
        len += (size_t)snprintf(buf + len, size - len, "%s '%s'", f ? "," : "", sel->filters[f]);
}

/* Says in sel->why_none which selector left no scenario of the n read. */
static void explain_none(struct eh__selection *sel, struct eh_scenario *const *scs, size_t n)
{
    if (n == 0) {
        snprintf(sel->why_none, sizeof(sel->why_none), "no scenario was read");
        return;
    }
    size_t before = count_selected(sel, scs, n, 0);
    if (before == 0) {
        char given[160];
        filters_text(sel, given, sizeof(given));
        snprintf(sel->why_none, sizeof(sel->why_none),
                 "%s matched none of the %zu scenario names (a glob, with *, ? or [, matches the "
                 "whole name, and a pattern without them part of a name; 'echoharness list' "
                 "shows the names)",
                 given, n);
        return;
    }
    for (size_t t = 0; t < sel->n_tags; t++) {
        size_t after = count_selected(sel, scs, n, t + 1);
        if (after > 0) {
            before = after;
            continue;
        }
        snprintf(sel->why_none, sizeof(sel->why_none),
                 "--tag %s: none of the %zu scenario%s selected before it carries it (tags are "
                 "lower-case and every --tag must be carried; 'echoharness list' shows them)",
                 sel->tags[t], before, before == 1 ? "" : "s");
        return;
    }
}

/* Keeps in scs[0..*n), in their order, the scenarios sel selects, freeing
 * the others. Each is judged among all that were read (a --filter that is
 * one's whole name selects it alone), so the array is rebuilt aside. */
static void select_scenarios(struct eh__selection *sel, struct eh_scenario **scs, size_t *n)
{
    size_t read = *n, kept = 0;
    struct eh_scenario **out = calloc(read + 1, sizeof(*out));
    if (out == NULL) {
        fputs("echoharness: out of memory\n", stderr);
        exit(EH_EXIT_USAGE);
    }
    for (size_t i = 0; i < read; i++) /* the kept ones first */
        if (selects(sel, scs, read, i, sel->n_tags))
            out[kept++] = scs[i];
    for (size_t i = 0, rest = kept; i < read; i++) /* then the others, to be freed */
        if (!selects(sel, scs, read, i, sel->n_tags))
            out[rest++] = scs[i];
    if (kept == 0)
        explain_none(sel, scs, read);
    memcpy(scs, out, read * sizeof(*scs));
    free(out);
    for (size_t i = kept; i < read; i++)
        eh_scenario_free(scs[i]);
    *n = kept;
}

/* True if a scenario a folder gave is to be read: it is not tagged load, or
 * --tag load or a --filter of its whole name asks for it. */
static bool opted_in(const struct eh__selection *sel, const struct eh_scenario *sc)
{
    if (!eh_scenario_has_tag(sc, EH_OPT_IN_TAG))
        return true;
    for (size_t i = 0; i < sel->n_tags; i++)
        if (strcmp(sel->tags[i], EH_OPT_IN_TAG) == 0)
            return true;
    for (size_t f = 0; f < sel->n_filters; f++)
        if (strcmp(sel->filters[f], sc->name) == 0)
            return true;
    return false;
}

/* True if path is one of the arguments: a file named, not found in a folder. */
static bool named(char *const *args, size_t n_args, const char *path)
{
    for (size_t i = 0; i < n_args; i++)
        if (strcmp(args[i], path) == 0)
            return true;
    return false;
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
    size_t left_out = 0; /* tagged load, from a folder, not asked for */

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
        } else if (sel != NULL && !named(args, n_args, paths[i]) && !opted_in(sel, sc)) {
            left_out++;
            eh_scenario_free(sc);
        } else {
            (*out)[(*n_out)++] = sc;
        }
        free(paths[i]);
    }
    free(paths);
    if (sel != NULL)
        select_scenarios(sel, *out, n_out);
    if (sel != NULL && *n_out == 0 && left_out > 0) {
        size_t len = strlen(sel->why_none);
        snprintf(sel->why_none + len, sizeof(sel->why_none) - len,
                 "%s%zu scenario%s tagged load left out: those run only with --tag load or a "
                 "--filter of the whole name",
                 len ? "; " : "", left_out, left_out == 1 ? "" : "s");
    }
    return ok;
}

void eh__scenarios_free(struct eh_scenario **scs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eh_scenario_free(scs[i]);
    free(scs);
}
