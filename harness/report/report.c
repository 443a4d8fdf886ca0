/* report.c - the writers table, writing a report directory, summary and diff.
 *
 * Every report format is a view of the one report document (report.h). This
 * file holds what the writers share: the table of writers, writing them all
 * into a directory with atomic replacement, the summary counts, read-only
 * views of scenarios, checks and roles, and the escaper that makes bytes from
 * programs under test safe for XML, HTML and Markdown. It also compares two
 * report.json documents for regressions (what `echoharness diff` prints).
 */
#include "report.h"

#include "template.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const struct eh_report_writer eh_report_writers[] = {
    {"report.json", eh__write_json},
    {"junit.xml", eh__write_junit},
    {"report.html", eh__write_html},
    {"summary.md", eh__write_md},
    {NULL, NULL},
};

/* Views of the document. */

const char *eh__string(const json_t *obj, const char *key, size_t *len)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return NULL;
    if (len)
        *len = json_string_length(v);
    return json_string_value(v);
}

static const char *string_or_empty(const json_t *obj, const char *key)
{
    const char *s = eh__string(obj, key, NULL);
    return s ? s : "";
}

static enum eh_verdict verdict_of(const json_t *obj)
{
    const char *name = eh__string(obj, "verdict", NULL);
    enum eh_verdict v;
    if (name == NULL || !eh_verdict_parse(name, &v))
        return EH_ERROR;
    return v;
}

bool eh__scenario_at(const json_t *report, size_t i, struct eh__scenario_view *out)
{
    const json_t *sc = json_array_get(json_object_get(report, "scenarios"), i);
    if (sc == NULL)
        return false;
    const json_t *checks = json_object_get(sc, "checks");
    const json_t *roles = json_object_get(sc, "roles");
    *out = (struct eh__scenario_view){
        .json = sc,
        .name = string_or_empty(sc, "name"),
        .kind = string_or_empty(sc, "kind"),
        .description = string_or_empty(sc, "description"),
        .reason = string_or_empty(sc, "reason"),
        .file = string_or_empty(sc, "file"),
        .pcap = eh__string(sc, "pcap", NULL),
        .verdict = verdict_of(sc),
        .duration_s = json_number_value(json_object_get(sc, "duration_ms")) / 1000.0,
        .checks = json_is_array(checks) ? checks : NULL,
        .roles = json_is_object(roles) ? roles : NULL,
    };
    return true;
}

bool eh__check_at(const struct eh__scenario_view *s, size_t i, struct eh__check_view *out)
{
    const json_t *c = json_array_get(s->checks, i);
    if (c == NULL)
        return false;
    *out = (struct eh__check_view){
        .expect = string_or_empty(c, "expect"),
        .kind = string_or_empty(c, "kind"),
        .who = string_or_empty(c, "who"),
        .reason = string_or_empty(c, "reason"),
        .verdict = verdict_of(c),
    };
    return true;
}

bool eh__role_at(const struct eh__scenario_view *s, size_t i, struct eh__role_view *out)
{
    static const char *const names[] = {"server", "client"};
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        const json_t *r = json_object_get(s->roles, names[k]);
        if (!json_is_object(r) || i-- > 0)
            continue;
        const json_t *argv = json_object_get(r, "argv");
        const json_t *events = json_object_get(r, "events");
        size_t out_len = 0, err_len = 0;
        const char *out_s = eh__string(r, "stdout", &out_len);
        const char *err_s = eh__string(r, "stderr", &err_len);
        *out = (struct eh__role_view){
            .name = names[k],
            .json = r,
            .kind = string_or_empty(r, "kind"),
            .argv = json_is_array(argv) ? argv : NULL,
            .events = json_is_array(events) ? events : NULL,
            .out = out_s ? out_s : "",
            .err = err_s ? err_s : "",
            .out_len = out_len,
            .err_len = err_len,
            .out_total = json_integer_value(json_object_get(r, "stdout_bytes")),
            .err_total = json_integer_value(json_object_get(r, "stderr_bytes")),
        };
        return true;
    }
    return false;
}

const json_t *eh__report_implementation(const json_t *report)
{
    const json_t *impls = json_object_get(report, "implementations");
    const json_t *impl = json_array_get(impls, 0);
    return json_array_size(impls) == 1 && json_is_object(impl) ? impl : NULL;
}

const char *eh__report_name(const json_t *report)
{
    const char *name = eh__string(eh__report_implementation(report), "name", NULL);
    return name ? name : "echoharness";
}

void eh__report_counts(const json_t *report, struct eh__counts *out)
{
    *out = (struct eh__counts){0};
    struct eh__scenario_view s;
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        out->total++;
        out->n[s.verdict]++;
    }
}

bool eh__verdict_is_problem(enum eh_verdict v)
{
    return v != EH_PASS && v != EH_SKIP;
}

size_t eh__counts_failed(const struct eh__counts *c)
{
    return c->n[EH_FAIL] + c->n[EH_ERROR] + c->n[EH_TIMED_OUT];
}

void eh__headline(const struct eh__counts *c, char *buf, size_t len)
{
    size_t failed = eh__counts_failed(c), skipped = c->n[EH_SKIP];
    const char *noun = c->total == 1 ? "scenario" : "scenarios";
    if (c->total == 0)
        snprintf(buf, len, "no scenarios ran");
    else if (failed > 0)
        snprintf(buf, len, "%zu of %zu %s failed", failed, c->total, noun);
    else if (skipped > 0)
        snprintf(buf, len, "%zu passed, %zu skipped", c->n[EH_PASS], skipped);
    else if (c->total == 1)
        snprintf(buf, len, "the 1 scenario passed");
    else
        snprintf(buf, len, "all %zu scenarios passed", c->total);
}

void eh__exit_text(const json_t *exit, char *buf, size_t len)
{
    const json_t *code = json_object_get(exit, "code");
    const char *sig = eh__string(exit, "signal", NULL);
    const char *why = eh__string(exit, "not_started", NULL);
    if (json_is_integer(code))
        snprintf(buf, len, "exit code %" JSON_INTEGER_FORMAT, json_integer_value(code));
    else if (sig)
        snprintf(buf, len, "killed by %s (%" JSON_INTEGER_FORMAT ")", sig,
                 json_integer_value(json_object_get(exit, "signo")));
    else if (json_is_true(json_object_get(exit, "stopped_by_harness")))
        snprintf(buf, len, "stopped by the harness");
    else if (why)
        snprintf(buf, len, "not started: %s", why);
    else
        snprintf(buf, len, "unknown");
}

/* Markup built on base/escape.h. */

/* The next backtick at or after p that stands alone (not part of "``"), or
 * NULL. */
static const char *single_backtick(const char *p)
{
    for (const char *q = strchr(p, '`'); q; q = strchr(q, '`')) {
        size_t run = strspn(q, "`");
        if (run == 1)
            return q;
        q += run;
    }
    return NULL;
}

void eh__escape_code_spans(FILE *out, const char *s, enum eh_esc_mode text_mode, const char *open,
                           const char *close, enum eh_esc_mode code_mode)
{
    const char *p = s;
    for (;;) {
        const char *tick = single_backtick(p);
        const char *end = tick ? single_backtick(tick + 1) : NULL;
        if (end == NULL) {
            eh_escape_str(out, p, text_mode);
            return;
        }
        eh_escape(out, p, (size_t)(tick - p), text_mode);
        fputs(open, out);
        eh_escape(out, tick + 1, (size_t)(end - tick - 1), code_mode);
        fputs(close, out);
        p = end + 1;
    }
}

void eh__escape_argv(FILE *out, const json_t *argv, enum eh_esc_mode mode)
{
    size_t n = json_array_size(argv), i;
    const json_t *arg;
    char **words = calloc(n + 1, sizeof(*words));
    if (words == NULL)
        return;
    json_array_foreach(argv, i, arg) words[i] =
        (char *)(json_is_string(arg) ? json_string_value(arg) : "");
    char *line = eh_argv_join(words); /* quoted as a POSIX shell reads it */
    if (line != NULL)
        eh_escape_str(out, line, mode);
    free(line);
    free(words);
}

/* Writing a directory. */

/* Writes one format to dir/file through a temporary name in dir, so that a
 * reader never sees a half-written file. */
static eh_status write_one(const json_t *report, const char *dir, const struct eh_report_writer *w,
                           struct eh_error *err)
{
    char path[4096], tmp[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, w->file);
    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, w->file);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        eh_error_set(err, "%s: cannot create: %s", tmp, strerror(errno));
        return EH_ERR;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        eh_error_set(err, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return EH_ERR;
    }
    fchmod(fd, 0644);
    eh_status st = w->write(report, f, err);
    if (st == EH_OK && (fflush(f) != 0 || ferror(f) || fsync(fd) != 0)) {
        eh_error_set(err, "%s: write failed: %s", path, strerror(errno));
        st = EH_ERR;
    }
    if (fclose(f) != 0 && st == EH_OK) {
        eh_error_set(err, "%s: write failed: %s", path, strerror(errno));
        st = EH_ERR;
    }
    if (st == EH_OK && rename(tmp, path) != 0) {
        eh_error_set(err, "%s: cannot replace: %s", path, strerror(errno));
        st = EH_ERR;
    }
    if (st != EH_OK)
        unlink(tmp);
    return st;
}

/* Writes the formats of writers into dir. */
static eh_status write_formats(const json_t *report, const char *dir,
                               const struct eh_report_writer *writers, struct eh_error *err)
{
    if (eh_mkdir_p(dir, err) != EH_OK)
        return EH_ERR;
    eh_status st = EH_OK;
    for (const struct eh_report_writer *w = writers; w->file; w++)
        if (write_one(report, dir, w, err) != EH_OK)
            st = EH_ERR; /* keep writing the other formats */
    return st;
}

eh_status eh_report_write_all(const json_t *report, const char *dir, struct eh_error *err)
{
    if (!eh_report_is_index(report))
        return write_formats(report, dir, eh_report_writers, err);
    eh_status st = EH_OK;
    size_t i;
    const json_t *impl;
    json_array_foreach(json_object_get(report, "implementations"), i, impl)
    {
        const char *name = eh__string(impl, "name", NULL);
        json_t *sub = name ? eh_report_for_implementation(report, name) : NULL;
        char sub_dir[4096];
        snprintf(sub_dir, sizeof(sub_dir), "%s/%s", dir, name ? name : "");
        if (sub != NULL && write_formats(sub, sub_dir, eh_report_writers, err) != EH_OK)
            st = EH_ERR;
        json_decref(sub);
    }
    if (write_formats(report, dir, eh_report_index_writers, err) != EH_OK)
        st = EH_ERR;
    return st;
}

/* The counts of a verdict tally as a "summary" object. */
static json_t *summary_of(const struct eh__counts *c)
{
    json_t *summary = json_object();
    json_object_set_new(summary, "total", json_integer((json_int_t)c->total));
    for (int v = 0; v < EH_VERDICT_COUNT; v++)
        json_object_set_new(summary, eh_verdict_name((enum eh_verdict)v),
                            json_integer((json_int_t)c->n[v]));
    return summary;
}

void eh_report_summarize(json_t *report)
{
    struct eh__counts c;
    eh__report_counts(report, &c);
    json_object_set_new(report, "summary", summary_of(&c));
    size_t i;
    json_t *impl;
    json_array_foreach(json_object_get(report, "implementations"), i, impl)
    {
        const char *name = eh__string(impl, "name", NULL);
        struct eh__counts ic = {0};
        struct eh__scenario_view s;
        for (size_t k = 0; eh__scenario_at(report, k, &s); k++) {
            const char *of = eh__string(s.json, "implementation", NULL);
            if (name && of && strcmp(name, of) == 0) {
                ic.total++;
                ic.n[s.verdict]++;
            }
        }
        json_object_set_new(impl, "summary", summary_of(&ic));
    }
}

bool eh_report_is_index(const json_t *report)
{
    const char *layout = eh__string(report, "layout", NULL);
    return layout != NULL && strcmp(layout, "index") == 0;
}

json_t *eh_report_for_implementation(const json_t *report, const char *name)
{
    const json_t *impl = NULL, *v;
    size_t i;
    json_array_foreach(json_object_get(report, "implementations"), i, v)
    {
        const char *n = eh__string(v, "name", NULL);
        if (n && strcmp(n, name) == 0)
            impl = v;
    }
    if (impl == NULL)
        return NULL;
    json_t *sub = json_copy((json_t *)report); /* shallow: the results are shared */
    json_t *one = json_copy((json_t *)impl);
    json_object_del(one, "report");
    json_object_set_new(sub, "layout", json_string("single"));
    json_object_set_new(sub, "implementations", json_pack("[o]", one));
    json_t *results = json_array();
    json_array_foreach(json_object_get(report, "scenarios"), i, v)
    {
        const char *of = eh__string(v, "implementation", NULL);
        if (of && strcmp(of, name) == 0)
            json_array_append(results, (json_t *)v);
    }
    json_object_set_new(sub, "scenarios", results);
    eh_report_summarize(sub);
    return sub;
}

size_t eh_report_missing_shards(const json_t *report, char *buf, size_t len)
{
    const json_t *shard = json_object_get(report, "shard");
    json_int_t of = json_integer_value(json_object_get(shard, "of"));
    const json_t *parts = json_object_get(shard, "parts");
    size_t missing = 0, used = 0;
    if (len > 0)
        buf[0] = '\0';
    for (json_int_t k = 1; shard != NULL && k <= of; k++) {
        bool have = false;
        size_t i;
        const json_t *p;
        json_array_foreach(parts, i, p) have |= json_integer_value(p) == k;
        if (have)
            continue;
        if (used < len)
            used += (size_t)snprintf(buf + used, len - used, "%s%" JSON_INTEGER_FORMAT,
                                     missing ? ", " : "", k);
        missing++;
    }
    return missing;
}

uint64_t eh_report_fnv1a64(uint64_t h, const void *s, size_t len)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

unsigned eh_report_shard_of(const char *impl, const char *scenario, unsigned n)
{
    uint64_t h = eh_report_fnv1a64(EH_FNV1A64_INIT, impl, strlen(impl));
    h = eh_report_fnv1a64(h, "/", 1);
    h = eh_report_fnv1a64(h, scenario, strlen(scenario));
    return n ? (unsigned)(h % n) + 1 : 1;
}

/* Diff. */

/* True if the results of a or of b name more than one implementation:
 * results are then matched by "implementation/name". Two reports of one
 * implementation each are matched by name, whatever their names. */
static bool many_implementations(const json_t *a, const json_t *b)
{
    const json_t *reports[] = {a, b};
    for (size_t r = 0; r < 2; r++) {
        const char *first = NULL;
        struct eh__scenario_view s;
        for (size_t i = 0; eh__scenario_at(reports[r], i, &s); i++) {
            const char *impl = eh__string(s.json, "implementation", NULL);
            if (impl == NULL)
                continue;
            if (first != NULL && strcmp(first, impl) != 0)
                return true;
            first = impl;
        }
    }
    return false;
}

/* The key a result is matched by, into buf. */
static const char *result_key(const struct eh__scenario_view *s, bool by_impl, char *buf,
                              size_t len)
{
    const char *impl = eh__string(s->json, "implementation", NULL);
    if (!by_impl || impl == NULL)
        return s->name;
    snprintf(buf, len, "%s/%s", impl, s->name);
    return buf;
}

/* key -> RESULT object of every scenario (the first one of a key wins). */
static json_t *index_by_key(const json_t *report, bool by_impl)
{
    json_t *index = json_object();
    struct eh__scenario_view s;
    char buf[1024];
    for (size_t i = 0; eh__scenario_at(report, i, &s); i++) {
        const char *key = result_key(&s, by_impl, buf, sizeof(buf));
        if (json_object_get(index, key) == NULL)
            json_object_set(index, key, (json_t *)s.json);
    }
    return index;
}

/* What happened to a scenario between the two reports. Only a regression
 * fails the diff: a subset run (--tag, --filter) leaves scenarios out, and a
 * run against a program under test skips the behaviour scenarios, neither of
 * which is a regression. */
enum diff_change {
    DIFF_REGRESSION, /* in both; PASS before, FAIL, ERROR or TIMEOUT now */
    DIFF_FIXED,      /* in both; not PASS before, PASS now */
    DIFF_CHANGED,    /* in both; another change between verdicts that are not PASS */
    DIFF_NEW,        /* only in the new report */
    DIFF_SKIPPED,    /* in both; not SKIP before, SKIP now */
    DIFF_NOT_RUN,    /* only in the old report */
};
#define DIFF_CHANGE_COUNT 6

/* What happened to one scenario; false if nothing worth printing. */
static bool classify(const json_t *old_sc, const json_t *new_sc, enum diff_change *out)
{
    if (old_sc == NULL) {
        *out = DIFF_NEW;
        return true;
    }
    if (new_sc == NULL) {
        *out = DIFF_NOT_RUN;
        return true;
    }
    enum eh_verdict was = verdict_of(old_sc), now = verdict_of(new_sc);
    if (was == now)
        return false;
    if (now == EH_SKIP)
        *out = DIFF_SKIPPED;
    else if (was == EH_PASS)
        *out = DIFF_REGRESSION; /* now is FAIL, ERROR or TIMEOUT */
    else if (now == EH_PASS)
        *out = DIFF_FIXED;
    else
        *out = DIFF_CHANGED;
    return true;
}

/* One line: "REGRESSION name: PASS -> FAIL (reason)", "not run name (was PASS)". */
static void print_change(FILE *out, enum diff_change c, const char *name, const json_t *old_sc,
                         const json_t *new_sc)
{
    static const char *const labels[DIFF_CHANGE_COUNT] = {
        [DIFF_REGRESSION] = "REGRESSION", [DIFF_FIXED] = "fixed",
        [DIFF_CHANGED] = "changed",       [DIFF_NEW] = "new",
        [DIFF_SKIPPED] = "skipped",       [DIFF_NOT_RUN] = "not run",
    };
    fprintf(out, "%s ", labels[c]);
    eh_escape_str(out, name, EH_ESC_TERM);
    if (new_sc == NULL) {
        fprintf(out, " (was %s)\n", eh_verdict_name(verdict_of(old_sc)));
        return;
    }
    fputs(": ", out);
    if (old_sc)
        fprintf(out, "%s -> ", eh_verdict_name(verdict_of(old_sc)));
    enum eh_verdict v = verdict_of(new_sc);
    const char *reason = string_or_empty(new_sc, "reason");
    fputs(eh_verdict_name(v), out);
    if (v != EH_PASS && reason[0] != '\0') {
        fputs(" (", out);
        eh_escape_str(out, reason, EH_ESC_TERM);
        fputc(')', out);
    }
    fputc('\n', out);
}

struct diff_entry {
    char *key;                     /* name, or implementation/name */
    const json_t *old_sc, *new_sc; /* NULL when absent from that report */
};

/* Every key once: those of the new report in its order, then those not run.
 * Caller frees each key and the array. */
static struct diff_entry *diff_entries(const json_t *old_report, const json_t *new_report,
                                       bool by_impl, size_t *n_out)
{
    json_t *old_index = index_by_key(old_report, by_impl);
    json_t *new_index = index_by_key(new_report, by_impl);
    size_t n = 0;
    struct diff_entry *entries =
        calloc(json_object_size(old_index) + json_object_size(new_index) + 1, sizeof(*entries));
    struct eh__scenario_view s;
    char buf[1024];
    for (size_t i = 0; entries && eh__scenario_at(new_report, i, &s); i++) {
        const char *key = result_key(&s, by_impl, buf, sizeof(buf));
        if (json_object_get(new_index, key) == s.json)
            entries[n++] =
                (struct diff_entry){strdup(key), json_object_get(old_index, key), s.json};
    }
    for (size_t i = 0; entries && eh__scenario_at(old_report, i, &s); i++) {
        const char *key = result_key(&s, by_impl, buf, sizeof(buf));
        if (json_object_get(old_index, key) == s.json && !json_object_get(new_index, key))
            entries[n++] = (struct diff_entry){strdup(key), s.json, NULL};
    }
    json_decref(old_index);
    json_decref(new_index);
    *n_out = n;
    return entries;
}

int eh_report_diff_count(const json_t *old_report, const json_t *new_report, FILE *out,
                         struct eh_report_diff_counts *counts)
{
    size_t n_entries = 0;
    struct diff_entry *entries = diff_entries(
        old_report, new_report, many_implementations(old_report, new_report), &n_entries);
    *counts = (struct eh_report_diff_counts){0};
    if (entries == NULL) { /* fail safe: a CI gate must not pass unchecked */
        fputs("diff: out of memory\n", out);
        counts->regressions = counts->changes = 1;
        return 1;
    }
    size_t n[DIFF_CHANGE_COUNT] = {0};
    for (int want = 0; want < DIFF_CHANGE_COUNT; want++) { /* regressions first */
        for (size_t i = 0; i < n_entries; i++) {
            const struct diff_entry *e = &entries[i];
            enum diff_change c;
            if (classify(e->old_sc, e->new_sc, &c) && (int)c == want) {
                print_change(out, c, e->key, e->old_sc, e->new_sc);
                n[c]++;
                if (c == DIFF_NEW && eh__verdict_is_problem(verdict_of(e->new_sc)))
                    counts->added_failing++;
            }
        }
    }
    fprintf(out, "%zu regression%s, %zu fixed, %zu changed, %zu new, %zu skipped, %zu not run\n",
            n[DIFF_REGRESSION], n[DIFF_REGRESSION] == 1 ? "" : "s", n[DIFF_FIXED], n[DIFF_CHANGED],
            n[DIFF_NEW], n[DIFF_SKIPPED], n[DIFF_NOT_RUN]);
    for (size_t i = 0; i < n_entries; i++)
        free(entries[i].key);
    free(entries);
    counts->regressions = n[DIFF_REGRESSION];
    counts->fixed = n[DIFF_FIXED];
    counts->changed = n[DIFF_CHANGED];
    counts->added = n[DIFF_NEW];
    counts->skipped = n[DIFF_SKIPPED];
    counts->not_run = n[DIFF_NOT_RUN];
    counts->changes = n[DIFF_REGRESSION] + n[DIFF_FIXED] + n[DIFF_CHANGED] + n[DIFF_SKIPPED] +
                      counts->added_failing;
    return (int)n[DIFF_REGRESSION];
}

int eh_report_diff(const json_t *old_report, const json_t *new_report, FILE *out)
{
    struct eh_report_diff_counts counts;
    return eh_report_diff_count(old_report, new_report, out, &counts);
}

/* Checks what eh_report_diff() relies on (see eh_report_load()); takes
 * report (NULL when jansson could not parse the text, jerr saying why) and
 * stores it in *out, or releases it. */
static eh_status check_report(json_t *report, const char *path, const json_error_t *jerr,
                              json_t **out, struct eh_error *err)
{
    *out = NULL;
    if (report == NULL) {
        if (jerr->line < 0)
            eh_error_set(err, "%s: %s", path, jerr->text);
        else
            eh_error_set(err, "%s:%d:%d: %s", path, jerr->line, jerr->column, jerr->text);
        return EH_ERR;
    }
    const json_t *scenarios = json_object_get(report, "scenarios");
    if (!json_is_array(scenarios)) {
        eh_error_set(err, "%s: $.scenarios: expected an array of scenario results", path);
        json_decref(report);
        return EH_ERR;
    }
    size_t i;
    const json_t *sc;
    json_array_foreach(scenarios, i, sc)
    {
        const char *verdict = eh__string(sc, "verdict", NULL);
        enum eh_verdict v;
        if (eh__string(sc, "name", NULL) == NULL) {
            eh_error_set(err, "%s: $.scenarios[%zu].name: expected a string", path, i);
        } else if (verdict == NULL || !eh_verdict_parse(verdict, &v)) {
            eh_error_set(err,
                         "%s: $.scenarios[%zu].verdict: expected PASS, FAIL, ERROR, TIMEOUT "
                         "or SKIP",
                         path, i);
        } else {
            continue;
        }
        json_decref(report);
        return EH_ERR;
    }
    *out = report;
    return EH_OK;
}

eh_status eh_report_load(const char *path, json_t **out, struct eh_error *err)
{
    json_error_t jerr;
    return check_report(json_load_file(path, JSON_ALLOW_NUL, &jerr), path, &jerr, out, err);
}

eh_status eh_report_load_text(const char *path, const char *text, size_t len, json_t **out,
                              struct eh_error *err)
{
    json_error_t jerr;
    return check_report(json_loadb(text, len, JSON_ALLOW_NUL, &jerr), path, &jerr, out, err);
}
