/* report.h - the report document and its writers.
 *
 * The report is one JSON document (written as report.json); every other
 * format is a view of it, written by one entry of eh_report_writers. The
 * document:
 *
 * {
 *   "tool": "echoharness", "schema_version": 2, "version": "0.1.0",
 *   "started": "2026-11-26T14:32:48Z", "duration_ms": 1234,
 *   "timeout_scale": 1.0,
 *   "isolation": "namespaces" | "host-loopback",
 *   "isolation_note": "why the fallback was used" (only when host-loopback),
 *   "command": "echoharness run --server-cmd ...",
 *   "summary": {"total": 5, "PASS": 5, "FAIL": 0, "ERROR": 0, "TIMEOUT": 0, "SKIP": 0},
 *   "scenarios": [ RESULT, ... ]      (in the order the scenarios were given)
 * }
 *
 * RESULT (built by runner.c, one per scenario):
 * {
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
 *                "events": [ {event}, ... ]},
 *     "client": { same }
 *   },
 *   "checks": [
 *     {"expect": "$.expect[0]", "kind": "exit", "who": "server" (only for kinds that name a role),
 *      "verdict": "PASS", "reason": "expected exit code 0, got exit code 0",
 *      "evidence": {...}}
 *   ],
 *   "pcap": "pcap/basic-echo.pcap"  (relative to the report directory; absent without capture),
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
#define EH_REPORT_SCHEMA_VERSION 2

struct eh_report_writer {
    const char *file; /* "report.json", "junit.xml", "report.html", "summary.md" */
    eh_status (*write)(const json_t *report, FILE *out, struct eh_error *err);
};

/* The writers, terminated by an entry whose file is NULL. */
extern const struct eh_report_writer eh_report_writers[];

/* Writes every format into dir (created if missing; files replaced
 * atomically through a temporary name). */
eh_status eh_report_write_all(const json_t *report, const char *dir, struct eh_error *err);

/* Fills "summary" of the report from its "scenarios" verdicts. */
void eh_report_summarize(json_t *report);

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
 * regressions. */
int eh_report_diff(const json_t *old_report, const json_t *new_report, FILE *out);

/* Loads the report.json at path and checks what eh_report_diff() relies on:
 * an object whose "scenarios" is an array of objects with a string "name"
 * and a known "verdict". Errors name the file and the place:
 * "FILE:LINE:COL: message" (JSON syntax) or "FILE: $.json.path: message".
 * Caller frees *out (NULL on error) with json_decref(). */
eh_status eh_report_load(const char *path, json_t **out, struct eh_error *err);

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

/* The writers of eh_report_writers, one per report_<format>.c. */
eh_status eh__write_json(const json_t *report, FILE *out, struct eh_error *err);
eh_status eh__write_junit(const json_t *report, FILE *out, struct eh_error *err);
eh_status eh__write_html(const json_t *report, FILE *out, struct eh_error *err);
eh_status eh__write_md(const json_t *report, FILE *out, struct eh_error *err);

#endif
