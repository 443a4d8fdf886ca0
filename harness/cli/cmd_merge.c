/* cmd_merge.c - `echoharness merge`: one report from the reports of a run's shards.
 *
 * Loads each REPORT.json (a shard's, from `echoharness run --shard K/N`),
 * merges them with eh_report_merge(), which refuses parts of different
 * selections, versions or shard counts, or a shard given twice, naming the
 * file; brings each result's capture from beside its part into the report
 * directory (a hard link, or a copy across file systems; a result whose
 * capture is not there loses its "pcap"), leaves in the pcap/ folders only
 * those captures, and writes every format as `run` does (one report, or one
 * per implementation and the index). Exit status: 0 every merged scenario
 * passed (or was skipped) and every shard was given, 1 one did not or a
 * shard is missing, 2 usage error, an unreadable report or parts that
 * cannot be merged.
 */
#include "cli.h"
#include "report.h"
#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void merge_usage(FILE *out)
{
    fputs("Usage: echoharness merge REPORT.json... --report-dir DIR\n"
          "Merge the report.json files of the shards of one run (echoharness run --shard K/N,\n"
          "each shard's report directory) into one report directory: report.json, junit.xml,\n"
          "report.html, summary.md, and the captures found beside each part in pcap/ (for a\n"
          "run of several implementations: NAME/ for each and the index). The parts must come\n"
          "from runs of one version with the same implementations, scenarios, --tag,\n"
          "--filter, --repeat and shard count N, each shard at most once.\n"
          "\n"
          "  --report-dir DIR  where the merged report goes (required)\n"
          "  -q, --quiet       only the line of totals\n"
          "  -h, --help        show this help\n"
          "\n"
          "Exit status: 0 every merged scenario passed (or was skipped) and every shard was\n"
          "given, 1 at least one did not or a shard is missing, 2 usage error, an unreadable\n"
          "report, or parts that cannot be merged (the message names the file).\n",
          out);
}

/* Copies src to dst through a temporary name beside dst. */
static bool copy_file(const char *src, const char *tmp)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = in < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    char buf[65536];
    ssize_t n = 0;
    while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n) {
            n = -1;
            break;
        }
    bool ok = in >= 0 && out >= 0 && n == 0;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        ok = false;
    return ok;
}

/* Brings src to dst (a hard link, else a copy); true if dst is src's
 * bytes afterwards (also when they are already the same file). */
static bool bring(const char *src, const char *dst)
{
    struct stat s, d;
    if (stat(src, &s) != 0)
        return false;
    if (stat(dst, &d) == 0 && s.st_dev == d.st_dev && s.st_ino == d.st_ino)
        return true;
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof(tmp), "%s.merge", dst);
    unlink(tmp);
    bool ok = link(src, tmp) == 0 || copy_file(src, tmp);
    if (ok && rename(tmp, dst) != 0)
        ok = false;
    if (!ok)
        unlink(tmp);
    return ok;
}

struct merge {
    char **paths; /* the parts */
    size_t n;
    json_t **parts;
    const char *dir; /* --report-dir */
    bool quiet;
    json_t *report;
    json_t *kept; /* "dir/pcap" -> {file: true}: the captures the report links */
};

/* The report directory of a result's implementation below base: base, or
 * base/<impl> in the index layout. */
static void impl_dir(const struct merge *m, const json_t *result, const char *base, char *out,
                     size_t len)
{
    const char *impl = eh__string(result, "implementation", NULL);
    if (eh_report_is_index(m->report) && impl != NULL)
        snprintf(out, len, "%s/%s", base, impl);
    else
        snprintf(out, len, "%s", base);
}

/* Brings one capture (rel: "pcap/x.pcap") of a result from part_dir;
 * false if it is not there. */
static bool bring_capture(struct merge *m, const json_t *result, const char *part_dir,
                          const char *rel)
{
    char from_dir[PATH_MAX], to_dir[PATH_MAX], src[2 * PATH_MAX], dst[2 * PATH_MAX];
    struct eh_error err = {0};
    if (strncmp(rel, "pcap/", 5) != 0 || strchr(rel + 5, '/') != NULL)
        return false;
    impl_dir(m, result, part_dir, from_dir, sizeof(from_dir));
    impl_dir(m, result, m->dir, to_dir, sizeof(to_dir));
    snprintf(src, sizeof(src), "%s/%s", from_dir, rel);
    snprintf(dst, sizeof(dst), "%s/pcap", to_dir);
    if (access(src, R_OK) != 0 || eh_mkdir_p(dst, &err) != EH_OK)
        return false;
    json_t *files = json_object_get(m->kept, dst);
    if (files == NULL)
        json_object_set_new(m->kept, dst, files = json_object());
    json_object_set_new(files, rel + 5, json_true());
    snprintf(dst + strlen(dst), sizeof(dst) - strlen(dst), "/%s", rel + 5);
    return bring(src, dst);
}

/* The captures of every result, from beside the part that holds it. */
static void bring_captures(struct merge *m)
{
    size_t i, k;
    json_t *result, *run;
    json_array_foreach(json_object_get(m->report, "scenarios"), i, result)
    {
        char part_dir[PATH_MAX] = ".";
        for (size_t p = 0; p < m->n; p++) { /* the part that holds this very result */
            const json_t *r;
            json_array_foreach(json_object_get(m->parts[p], "scenarios"), k, r) if (r == result)
            {
                char copy[PATH_MAX];
                snprintf(copy, sizeof(copy), "%s", m->paths[p]);
                snprintf(part_dir, sizeof(part_dir), "%s", dirname(copy));
            }
        }
        const char *pcap = eh__string(result, "pcap", NULL);
        if (pcap != NULL && !bring_capture(m, result, part_dir, pcap))
            json_object_del(result, "pcap"); /* never link a capture that is not there */
        json_array_foreach(json_object_get(json_object_get(result, "repeat"), "runs_detail"), k,
                           run)
        {
            const char *rel = eh__string(run, "pcap", NULL);
            if (rel != NULL)
                bring_capture(m, result, part_dir, rel);
        }
    }
}

/* Removes from each pcap/ folder the captures the report does not link. */
static void prune_captures(struct merge *m)
{
    const char *dir;
    json_t *files;
    json_object_foreach(m->kept, dir, files)
    {
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            if (len > 5 && strcmp(e->d_name + len - 5, ".pcap") == 0 &&
                json_object_get(files, e->d_name) == NULL)
                unlinkat(dirfd(d), e->d_name, 0);
        }
        if (d != NULL)
            closedir(d);
    }
}

/* Parses the options into m; the parts are the arguments left. */
static int parse_merge_options(struct merge *m, int argc, char **argv)
{
    static const struct option options[] = {
        {"report-dir", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0; /* glibc: full reset, in case getopt ran before */
    int opt;
    while ((opt = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
        if (opt == 'r') {
            m->dir = optarg;
        } else if (opt == 'q') {
            m->quiet = true;
        } else if (opt == 'h') {
            merge_usage(stdout);
            return EH_EXIT_PASS;
        } else {
            fputs("Try 'echoharness merge --help'.\n", stderr);
            return EH_EXIT_USAGE;
        }
    }
    if (optind >= argc || m->dir == NULL) {
        fprintf(stderr, "echoharness merge: expected REPORT.json... and --report-dir DIR\n");
        merge_usage(stderr);
        return EH_EXIT_USAGE;
    }
    m->paths = argv + optind;
    m->n = (size_t)(argc - optind);
    return -1;
}

/* The line of totals and the exit status. */
static int merge_summary(const struct merge *m)
{
    struct eh_error err = {0};
    const json_t *summary = json_object_get(m->report, "summary");
    json_int_t failed = json_integer_value(json_object_get(summary, "FAIL")) +
                        json_integer_value(json_object_get(summary, "ERROR")) +
                        json_integer_value(json_object_get(summary, "TIMEOUT"));
    char missing[256];
    size_t n_missing = eh_report_missing_shards(m->report, missing, sizeof(missing));
    int status = failed > 0 || n_missing > 0 ? EH_EXIT_NOT_PASSED : EH_EXIT_PASS;
    if (eh_report_write_all(m->report, m->dir, &err) != EH_OK) {
        fprintf(stderr, "echoharness merge: writing reports: %s\n", err.msg);
        status = EH_EXIT_USAGE;
    }
    if (n_missing > 0)
        fprintf(stderr,
                "echoharness merge: shard%s %s of %" JSON_INTEGER_FORMAT
                " not given: %s pairs are not in the merged report\n",
                n_missing == 1 ? "" : "s", missing,
                json_integer_value(json_object_get(json_object_get(m->report, "shard"), "of")),
                n_missing == 1 ? "its" : "their");
    printf("merged %zu report%s: %" JSON_INTEGER_FORMAT " passed, %" JSON_INTEGER_FORMAT
           " failed, %" JSON_INTEGER_FORMAT " skipped; reports in %s/\n",
           m->n, m->n == 1 ? "" : "s", json_integer_value(json_object_get(summary, "PASS")), failed,
           json_integer_value(json_object_get(summary, "SKIP")), m->dir);
    return status;
}

int eh_cmd_merge(int argc, char **argv)
{
    struct merge m = {0};
    int status = parse_merge_options(&m, argc, argv);
    if (status != -1)
        return status;
    struct eh_error err = {0};
    m.parts = calloc(m.n, sizeof(*m.parts));
    status = EH_EXIT_USAGE;
    bool loaded = true;
    for (size_t i = 0; loaded && i < m.n; i++)
        if (eh_report_load(m.paths[i], &m.parts[i], &err) != EH_OK) {
            fprintf(stderr, "echoharness merge: %s\n", err.msg);
            loaded = false;
        }
    char *joined = loaded ? eh_argv_join(argv) : NULL, *cmd = NULL;
    if (joined != NULL && asprintf(&cmd, "echoharness %s", joined) < 0)
        cmd = NULL;
    if (loaded && eh_report_merge(m.parts, (const char *const *)m.paths, m.n,
                                  cmd ? cmd : "echoharness merge", &m.report, &err) != EH_OK)
        fprintf(stderr, "echoharness merge: %s\n", err.msg);
    else if (loaded) {
        m.kept = json_object();
        bring_captures(&m);
        prune_captures(&m);
        status = merge_summary(&m);
    }
    free(joined);
    free(cmd);
    for (size_t i = 0; i < m.n; i++)
        json_decref(m.parts[i]);
    free(m.parts);
    json_decref(m.report);
    json_decref(m.kept);
    return status;
}
