/* report.h - the report document and its writers.
 *
 * The report is one JSON document (written as report.json); every other
 * format is a view of it, written by one entry of eh_report_writers. The
 * document:
 *
 * {
 *   "tool": "echoharness", "schema_version": 6, "version": "0.1.0",
 *   "started": "2026-11-26T14:32:48Z", "duration_ms": 1234,
 *   "timeout_scale": 1.0,
 *   "isolation": "namespaces" | "host-loopback",
 *   "isolation_note": "why the fallback was used" (only when host-loopback),
 *   "command": "echoharness run --server-cmd ...",
 *   "interrupted": "SIGINT" (only when a signal stopped the run),
 *   "layout": "single" | "index",
 *   "implementations": [ IMPL, ... ],
 *   "selection": {"hash": "16 hex digits", "pairs": ["impl/scenario", ...]},
 *   "shard": {"of": 3, "parts": [2]}  (only for a --shard run or a merge of such),
 *   "not_applicable": ["recv1-partial-echo", ...]  (a run of one with --server-cmd or
 *                     --client-cmd: the scenarios that judge no role a given command
 *                     replaces, not run),
 *   "scenarios": [ RESULT, ... ]      (in the order of selection.pairs),
 *   "summary": {"total": 5, "PASS": 5, "FAIL": 0, "ERROR": 0, "TIMEOUT": 0, "SKIP": 0}
 * }
 *
 * layout "single": the report directory holds this one report (a run without
 * --impl/--impls: one implementation). layout "index" (--impl, --impls): the
 * directory holds each implementation's own report in <name>/ (the four
 * formats and its pcap/), and this document, with every implementation's
 * results, as the index: report.json, junit.xml with one <testsuite> per
 * implementation, report.html with the implementations x scenarios matrix,
 * summary.md with the same grid. eh_report_write_all() writes either.
 *
 * IMPL: {"name": "socat", "server_command": "socat ...", "client_command",
 *        "server_program", "client_program" (each only when given),
 *        "transports": ["tcp"], "families": ["ipv4"] (only when restricted),
 *        "report": "socat/" (layout index only), "summary": {...}}
 *
 * selection.pairs lists every (implementation, scenario) pair the run
 * selected before --shard took its part, as "impl/scenario"; selection.hash
 * is FNV-1a 64 over the implementations (name, commands, programs,
 * transports, families), the --repeat count, the layout and the pairs, so
 * that reports of the same selection, and only those, can be merged.
 *
 * RESULT (built by runner.c, one per scenario and implementation):
 * {
 *   "implementation": "socat",
 *   "name": "basic-echo", "file": "scenarios/basic-echo.json",
 *   "description": "...", "kind": "conformance", "tags": ["tcp", ...],
 *   "verdict": "PASS" | "FAIL" | "ERROR" | "TIMEOUT" | "SKIP",
 *   "reason": "one line: the first failing check's reason, or why ERROR/TIMEOUT/SKIP",
 *   "duration_ms": 120, "isolation": "namespaces",
 *   "endpoint": {"transport": "tcp", "family": "ipv4", "host": "127.0.0.1", "port": 65432},
 *   "roles": {
 *     "server": {"kind": "reference" | "under-test" | "scripted",
 *                "argv": ["echo-server", ...],
 *                "exit": {"code": 0} | {"signal": "SIGPIPE", "signo": 13}
 *                        | {"stopped_by_harness": true} | {"not_started": "why"},
 *                "runtime_ms": 12,
 *                "stdout": "...", "stdout_bytes": 10, "stderr": "...", "stderr_bytes": 0,
 *                "events": [ {event}, ... ],
 *                "clock": {"zero_us": -1950, "error_us": 9, "anchors": 5}
 *                         (the log's t_us 0 on the wire's axis, see timeline.h)},
 *     "client": { same }
 *   },
 *   "checks": [
 *     {"expect": "$.expect[0]", "kind": "exit", "who": "server" (only for kinds that name a role),
 *      "verdict": "PASS", "reason": "expected exit code 0, got exit code 0",
 *      "evidence": {...}}
 *   ],
 *   "not_served": {"needs": "udp/ipv4", "bound": "tcp/ipv4", "required": false}
 *                 (the server under test bound the port over other transports or families),
 *   "network": {"mtu": 1500, "loss_percent": 3, "applied": true, "why": "...",
 *               "retransmitted_segments": {"client": 11, "server": 10},
 *               "retransmitted_bytes": {"client": 13836, "server": 12784}}
 *              (only for a scenario with network conditions, netcond.h),
 *   "pcap": "pcap/basic-echo.pcap"  (relative to the implementation's report directory;
 *                                    absent without capture),
 *   "client_port_window": [14528, 14559]  (scenarios with client_port_window: the
 *                         ip_local_port_range set for the run, or a string saying why not),
 *   "wire": { analysis of the capture, see analyze.h }  (absent without capture),
 *   "wire_text": "the same analysis as the table `echoharness analyze` prints",
 *   "repeat": { runs, verdict counts and distributions, see repeat.h }  (--repeat only)
 * }
 *
 * reports/schema/report.schema.json is the schema of this document and
 * reports/README.md describes it; EH_REPORT_SCHEMA_VERSION goes up by one
 * with any change to the document's fields, and the schema with it.
 *
 * Every string taken from a program under test (stdout, stderr, event
 * fields, echoed bytes) is stored as it came (JSON-escaped by jansson) and
 * escaped again by each writer for its own format (HTML, XML, Markdown).
 */
#ifndef EH_REPORT_H
#define EH_REPORT_H

#include "eh.h"
#include "escape.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The report's "schema_version". */
#define EH_REPORT_SCHEMA_VERSION 6

struct eh_report_writer {
    const char *file; /* "report.json", "junit.xml", "report.html", "summary.md" */
    eh_status (*write)(const json_t *report, FILE *out, struct eh_error *err);
};

/* The writers, terminated by an entry whose file is NULL. */
extern const struct eh_report_writer eh_report_writers[];
/* The writers of an index layout's top directory (report_index.c). */
extern const struct eh_report_writer eh_report_index_writers[];

/* Writes every format into dir (created if missing; files replaced
 * atomically through a temporary name): for layout "index", each
 * implementation's report into dir/<name>/ and the index into dir. */
eh_status eh_report_write_all(const json_t *report, const char *dir, struct eh_error *err);

/* Fills "summary" of the report, and of each of its "implementations", from
 * the "scenarios" verdicts. */
void eh_report_summarize(json_t *report);

/* True if the report has the index layout. */
bool eh_report_is_index(const json_t *report);

/* The report of the implementation named name: the top-level fields of
 * report, "layout" "single", "implementations" holding that one (without
 * "report"), its results and their summary. NULL if there is none. Caller
 * frees with json_decref(). */
json_t *eh_report_for_implementation(const json_t *report, const char *name);

/* FNV-1a 64 of len bytes of s, continuing from h (start with
 * EH_FNV1A64_INIT). */
#define EH_FNV1A64_INIT 0xcbf29ce484222325ULL
uint64_t eh_report_fnv1a64(uint64_t h, const void *s, size_t len);

/* The shard (1..n) of the pair impl/scenario: FNV-1a 64 of
 * "impl/scenario", modulo n, plus 1. It depends on the pair's name alone,
 * so adding a scenario never moves another one to another shard. */
unsigned eh_report_shard_of(const char *impl, const char *scenario, unsigned n);

/* Merges reports of the same selection (parts of one --shard N run, or one
 * report alone) into *out: the results in the order of selection.pairs,
 * "shard.parts" the union of the parts', "started" the earliest, "duration_ms"
 * the longest, "isolation" host-loopback when any part was, "command" the
 * given one, the summaries recomputed. Refuses, with an error naming the file
 * ("PATH: ..."), a part that is not schema_version EH_REPORT_SCHEMA_VERSION,
 * whose version, selection.hash, layout or shard count differs from the
 * first part's, that repeats a shard part or a result another part holds.
 * paths[i] names parts[i]. Caller frees *out with json_decref(). */
eh_status eh_report_merge(json_t *const *parts, const char *const *paths, size_t n,
                          const char *command, json_t **out, struct eh_error *err);

/* The shards (of "shard.of") that no part of report holds, as "2, 4" in
 * buf; returns how many. 0 for a report without "shard". */
size_t eh_report_missing_shards(const json_t *report, char *buf, size_t len);

/* Compares two report.json documents by scenario name and prints one line per
 * difference, regressions first, then a line of totals that counts the same
 * lines:
 *   "REGRESSION name: PASS -> FAIL (reason)"  in both, PASS before and FAIL,
 *                                             ERROR or TIMEOUT now
 *   "fixed name: FAIL -> PASS"                in both, not PASS before, PASS now
 *   "changed name: FAIL -> ERROR (reason)"    in both, any other change of verdict
 *   "new name: PASS"                          only in new_report
 *   "skipped name: PASS -> SKIP (reason)"     in both, SKIP now and not before (a
 *                                             behaviour scenario against a program
 *                                             under test)
 *   "not run name (was PASS)"                 only in old_report (a --tag or
 *                                             --filter subset run)
 *   "1 regression, 1 fixed, 0 changed, 0 new, 0 skipped, 2 not run"
 * Returns the number of regressions; skipped and not-run scenarios are not
 * regressions. Results are matched by "name", or by "implementation/name"
 * when one of the reports holds results of more than one implementation; the
 * lines then name them so. */
int eh_report_diff(const json_t *old_report, const json_t *new_report, FILE *out);

/* What eh_report_diff() counted. */
struct eh_report_diff_counts {
    size_t regressions, fixed, changed, added, skipped, not_run;
    size_t added_failing; /* of added: those that FAIL, ERROR or TIMEOUT */
    /* What `run --baseline` fails on: every change of verdict (regressions,
     * fixed, changed, skipped) and the added results that fail; not the
     * results old_report has and new_report has not (other shards, a subset
     * run), nor added ones that pass or are skipped. */
    size_t changes;
};

/* eh_report_diff(), filling *counts. */
int eh_report_diff_count(const json_t *old_report, const json_t *new_report, FILE *out,
                         struct eh_report_diff_counts *counts);

/* Loads the report.json at path and checks what eh_report_diff() relies on:
 * an object whose "scenarios" is an array of objects with a string "name"
 * and a known "verdict". Errors name the file and the place:
 * "FILE:LINE:COL: message" (JSON syntax) or "FILE: $.json.path: message".
 * Caller frees *out (NULL on error) with json_decref(). */
eh_status eh_report_load(const char *path, json_t **out, struct eh_error *err);

/* The same for len bytes of report text already in memory (NUL bytes
 * allowed); path names it in messages. Caller frees *out (NULL on error)
 * with json_decref(). */
eh_status eh_report_load_text(const char *path, const char *text, size_t len, json_t **out,
                              struct eh_error *err);

/* Internal to the report writers (report*.c): read-only views of the
 * document with defaults for missing or mistyped fields, so that every writer
 * walks scenarios, checks and roles the same way, and the one escaper for
 * bytes that came from programs under test. Strings are lent by the document. */

struct eh__scenario_view {
    const json_t *json;      /* the RESULT object */
    const char *name;        /* "" when missing */
    const char *kind;        /* "behaviour", "conformance"; "" when missing */
    const char *description; /* "" when missing */
    const char *reason;      /* "" when missing */
    const char *file;        /* "" when missing */
    const char *pcap;        /* relative to the report directory; NULL when absent */
    enum eh_verdict verdict; /* EH_ERROR when missing or unknown */
    double duration_s;       /* seconds, from duration_ms */
    const json_t *checks;    /* array, or NULL */
    const json_t *roles;     /* object, or NULL */
};

struct eh__check_view {
    const char *expect;      /* "$.expect[0]"; "" when missing */
    const char *kind;        /* "exit", "event", ...; "" when missing */
    const char *who;         /* "server", "client"; "" when missing */
    const char *reason;      /* "" when missing */
    enum eh_verdict verdict; /* EH_ERROR when missing or unknown */
};

struct eh__role_view {
    const char *name;             /* "server" or "client" */
    const json_t *json;           /* the role object */
    const char *kind;             /* "reference", "under-test", "scripted"; "" when missing */
    const json_t *argv;           /* array, or NULL */
    const json_t *events;         /* array, or NULL */
    const char *out, *err;        /* captured stdout and stderr as kept (may hold NUL) */
    size_t out_len, err_len;      /* bytes kept */
    int64_t out_total, err_total; /* bytes the program wrote (stdout_bytes, stderr_bytes) */
};

struct eh__counts {
    size_t total;
    size_t n[EH_VERDICT_COUNT]; /* indexed by enum eh_verdict */
};

/* Fills *out with scenario i of report; false when there is no such scenario.
 * Loop: for (size_t i = 0; eh__scenario_at(report, i, &s); i++). */
bool eh__scenario_at(const json_t *report, size_t i, struct eh__scenario_view *out);
/* Check i of a scenario; false past the end. */
bool eh__check_at(const struct eh__scenario_view *s, size_t i, struct eh__check_view *out);
/* Role i of a scenario in the order server, client, skipping absent roles;
 * false past the end. */
bool eh__role_at(const struct eh__scenario_view *s, size_t i, struct eh__role_view *out);
/* Counts the scenarios' verdicts. */
void eh__report_counts(const json_t *report, struct eh__counts *out);
/* The implementation of a single-implementation report: its IMPL object,
 * or NULL (none recorded, or several). */
const json_t *eh__report_implementation(const json_t *report);
/* The name a report goes by in titles and junit.xml's <testsuite>: its
 * implementation's name, else "echoharness". */
const char *eh__report_name(const json_t *report);
/* FAIL, ERROR and TIMEOUT: the verdicts a report lists as problems. */
bool eh__verdict_is_problem(enum eh_verdict v);
/* The scenarios that failed: FAIL + ERROR + TIMEOUT, those that make `run`
 * exit 1 (SKIP does not). */
size_t eh__counts_failed(const struct eh__counts *c);
/* The headline of a report, as `run`'s exit status judges it, into buf:
 * "2 of 9 scenarios failed", "5 passed, 4 skipped", "all 5 scenarios passed",
 * "the 1 scenario passed" or "no scenarios ran". */
void eh__headline(const struct eh__counts *c, char *buf, size_t len);
/* A role's "exit" object as text: "exit code 0", "killed by SIGPIPE (13)",
 * "stopped by the harness", "not started: why", or "unknown". */
void eh__exit_text(const json_t *exit, char *buf, size_t len);
/* A string member, or NULL when missing or not a string; *len (may be NULL)
 * gets its length in bytes. */
const char *eh__string(const json_t *obj, const char *key, size_t *len);

/* Writes the NUL-terminated s with Markdown code spans (text between a pair
 * of single backticks, as in scenario descriptions) marked up: text outside a
 * span escaped for text_mode, each span as open, its text escaped for
 * code_mode, close. Only single backticks delimit a span; a backtick without
 * a partner and runs such as "``" stay text.
 * HTML: (TEXT, "<code>", "</code>", TEXT); Markdown: (MD, "`", "`", TERM). */
void eh__escape_code_spans(FILE *out, const char *s, enum eh_esc_mode text_mode, const char *open,
                           const char *close, enum eh_esc_mode code_mode);
/* Writes an argv array as one escaped command line that a POSIX shell reads
 * back as the same words (eh_argv_join(): arguments separated by spaces, any
 * argument with a character outside [A-Za-z0-9%+,-./:=@_] in single quotes). */
void eh__escape_argv(FILE *out, const json_t *argv, enum eh_esc_mode mode);

/* The drawings of report.html (report_svg.c). */
/* The scenario's ladder diagrams, one per connection and UDP exchange of its
 * "wire" (at most 6), each with the roles' socket calls beside their lanes
 * and the close class under it; nothing when it has no wire analysis. Uses
 * the markers eh-syn, eh-data, eh-ack, eh-fin, eh-rst and eh-udp, which the
 * page defines once. */
void eh__html_ladders(FILE *out, const struct eh__scenario_view *s);
/* A histogram of SVG bars per fact of a --repeat result's "repeat"
 * distribution, its values in the order the runs first met them; nothing
 * when it has none. */
void eh__html_histograms(FILE *out, const json_t *repeat);

/* SHA-256 (FIPS 180-4) of len bytes (sha256.c). */
void eh__sha256(const void *data, size_t len, uint8_t out[32]);
#define EH__CSP_HASH_LEN 64
/* The Content-Security-Policy source of text: "sha256-<base64 digest>". */
void eh__csp_hash(const char *text, char out[EH__CSP_HASH_LEN]);

/* The writers of eh_report_writers, one per report_<format>.c. */
eh_status eh__write_json(const json_t *report, FILE *out, struct eh_error *err);
eh_status eh__write_junit(const json_t *report, FILE *out, struct eh_error *err);
eh_status eh__write_html(const json_t *report, FILE *out, struct eh_error *err);
eh_status eh__write_md(const json_t *report, FILE *out, struct eh_error *err);
/* The index layout's report.html and summary.md (report_index.c). */
eh_status eh__write_index_html(const json_t *report, FILE *out, struct eh_error *err);
eh_status eh__write_index_md(const json_t *report, FILE *out, struct eh_error *err);

#endif
