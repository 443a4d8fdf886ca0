/* main.c - the echoharness command line.
 *
 * A thin layer over the core library: parses options, loads and selects
 * scenarios, runs them (in parallel with -j), prints progress and a summary,
 * writes the reports and turns the outcome into the exit status:
 * 0 every selected scenario passed (or was skipped), 1 at least one did not,
 * 2 usage, configuration or scenario-file error. Only this file exits.
 */
#include "analyze.h"
#include "eh.h"
#include "isolate.h"
#include "repeat.h"
#include "report.h"
#include "runner.h"
#include "scenario.h"
#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_PASS 0
#define EXIT_NOT_PASSED 1
#define EXIT_USAGE 2

static const char *const default_scenarios[] = {"scenarios"};

static void usage_main(FILE *out)
{
    fputs("Usage: echoharness COMMAND [OPTION]... [ARG]...\n"
          "A conformance and behaviour harness for TCP and UDP echo implementations (RFC 862).\n"
          "\n"
          "Commands:\n"
          "  run [SCENARIO.json|DIR]...   run scenarios (default: scenarios/) and write reports\n"
          "  list [SCENARIO.json|DIR]...  list scenarios with their kind, tags and description\n"
          "  validate FILE...             check scenario files without running them\n"
          "  analyze FILE.pcap            wire analysis of any capture (pcap or pcapng)\n"
          "  diff OLD.json NEW.json       compare two report.json files; exit 1 on regressions\n"
          "\n"
          "Run 'echoharness COMMAND --help' for a command's options.\n"
          "Exit status: 0 all selected scenarios passed, 1 at least one did not,\n"
          "2 usage, configuration or scenario-file error, 128+N when stopped by signal N\n"
          "(130: Ctrl-C; the reports of what ran are still written).\n",
          out);
}

static void usage_run(FILE *out)
{
    fputs("Usage: echoharness run [OPTION]... [SCENARIO.json|DIR]...\n"
          "Run scenarios (default: every *.json below scenarios/), each in its own network and\n"
          "PID namespace, and write report.json, junit.xml, report.html, summary.md and\n"
          "pcap/<scenario>.pcap into the report directory.\n"
          "\n"
          "  --server-cmd CMD      run CMD as the server in scenarios whose server is under test;\n"
          "                        {host}, {port}, {transport} (tcp, udp) and {family} (ipv4,\n"
          "                        ipv6) are replaced; split into words like a shell would,\n"
          "                        but run without one (no pipes, no expansion)\n"
          "  --client-cmd CMD      the same for the client role\n"
          "  --port N              the port for every role (for programs with a hard-coded port,\n"
          "                        such as the tutorial's 65432); default: the scenario's\n"
          "  --server-program NAME run build/bin/NAME instead of the reference server build, with\n"
          "                        the same options (used to prove scenarios catch faulty builds)\n"
          "  --client-program NAME the same for the reference client build\n"
          "  --report-dir DIR      where reports go (default: reports/latest)\n"
          "  -j, --jobs N          run N scenarios in parallel (default 1)\n"
          "      --repeat N        run each scenario N times (1..1000) and report the\n"
          "                        distribution of its timing-dependent outcomes; the\n"
          "                        verdict is the worst run's\n"
          "  -t, --tag TAG         only scenarios carrying TAG; repeat to narrow further\n"
          "                        (--tag tcp --tag ipv4: scenarios carrying both)\n"
          "  -f, --filter GLOB     only scenarios whose name matches GLOB (e.g. 'recv1-*')\n"
          "      --timeout-scale F multiply every deadline by F (for valgrind, sanitizers, slow\n"
          "                        machines; also EH_TIMEOUT_SCALE)\n"
          "      --no-namespaces   run on the host loopback with allocated ports instead of\n"
          "                        private namespaces\n"
          "      --bin-dir DIR     where the reference builds are (default: beside echoharness)\n"
          "  -q, --quiet           no progress line, only the summary\n"
          "  -h, --help            show this help\n",
          out);
}

static void usage_list(FILE *out)
{
    fputs("Usage: echoharness list [-t TAG] [-f GLOB] [SCENARIO.json|DIR]...\n"
          "List scenarios (default: scenarios/) as name, kind, tags and description.\n"
          "  -t, --tag TAG    only scenarios carrying TAG (repeat: carrying every TAG)\n"
          "  -f, --filter GLOB only scenarios whose name matches GLOB\n"
          "Exit status 2 if a file does not load.\n",
          out);
}

static void usage_validate(FILE *out)
{
    fputs("Usage: echoharness validate FILE|DIR...\n"
          "Check scenario files: JSON syntax, keys, types and ranges. Prints the first error\n"
          "of each file as FILE:LINE:COLUMN: $.json.path: message on stderr.\n"
          "Exit status 0 if all are valid, 2 otherwise.\n",
          out);
}

/* Scenario selection shared by run and list. */
struct selection {
    char **tags;
    size_t n_tags;
    const char *filter;
};

static bool selected(const struct selection *sel, const struct eh_scenario *sc)
{
    if (sel->filter && fnmatch(sel->filter, sc->name, 0) != 0)
        return false;
    for (size_t i = 0; i < sel->n_tags; i++) /* every tag given must be carried */
        if (!eh_scenario_has_tag(sc, sel->tags[i]))
            return false;
    return true;
}

/* Loads every scenario named by args (or the default folder). Prints each
 * error; returns false if any file did not load. */
static bool load_all(char *const *args, size_t n_args, const struct selection *sel,
                     struct eh_scenario ***out, size_t *n_out, size_t *n_files)
{
    char **paths = NULL;
    size_t n_paths = 0;
    struct eh_error err = {0};
    bool ok = true, by_default = n_args == 0;

    *out = NULL;
    *n_out = 0;
    *n_files = 0;
    if (by_default) {
        args = (char *const *)default_scenarios;
        n_args = 1;
    }
    if (eh_scenario_find(args, n_args, &paths, &n_paths, &err) != EH_OK) {
        fprintf(stderr, "echoharness: %s%s\n", err.msg,
                by_default ? " (the default scenarios/ is looked up in the current directory: "
                             "run from the repository's top folder, or name scenario files or "
                             "folders)"
                           : "");
        return false;
    }
    *out = calloc(n_paths ? n_paths : 1, sizeof(**out));
    *n_out = 0;
    *n_files = n_paths;
    for (size_t i = 0; i < n_paths; i++) {
        struct eh_scenario *sc = NULL;
        eh_error_clear(&err);
        if (eh_scenario_load(paths[i], &sc, &err) != EH_OK) {
            fprintf(stderr, "%s\n", err.msg);
            ok = false;
        } else if (sel == NULL || selected(sel, sc)) {
            (*out)[(*n_out)++] = sc;
        } else {
            eh_scenario_free(sc);
        }
        free(paths[i]);
    }
    free(paths);
    return ok;
}

static void free_all(struct eh_scenario **scs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eh_scenario_free(scs[i]);
    free(scs);
}

/* ---- run ---- */

struct run_state {
    struct eh_scenario **scs;
    size_t n;        /* jobs: scenarios times repeat */
    unsigned repeat; /* runs of each scenario (--repeat) */
    const struct eh_run_config *cfg;
    json_t **results; /* per job: scenario i's run k is job i * repeat + k */
    size_t next;      /* next job to start */
    size_t done;      /* jobs finished */
    size_t counts[EH_VERDICT_COUNT];
    bool progress; /* a live progress line on a terminal */
    bool quiet;
    pthread_mutex_t lock;
};

static void print_progress(struct run_state *rs, const char *last)
{
    if (!rs->progress)
        return;
    fprintf(
        stderr, "\r\033[K[%zu/%zu] %zu passed, %zu failed, %zu error, %zu timeout, %zu skip%s%s",
        rs->done, rs->n, rs->counts[EH_PASS], rs->counts[EH_FAIL], rs->counts[EH_ERROR],
        rs->counts[EH_TIMED_OUT], rs->counts[EH_SKIP], last ? "  last: " : "", last ? last : "");
    fflush(stderr);
}

/* Ctrl-C (SIGINT), SIGTERM, SIGHUP: the first one stops the run
 * (eh_isolate_interrupt() kills the running scenarios, no new one starts)
 * and the reports of what ran are still written; a second one of the same
 * kind kills the harness at once (its children die with it). */
static void on_stop_signal(int signo)
{
    eh_isolate_interrupt(signo);
    signal(signo, SIG_DFL);
}

static void catch_stop_signals(void)
{
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction old, sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        /* A signal ignored at start stays ignored (nohup, a shell's background job). */
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN &&
            signals[i] != SIGTERM)
            continue;
        sigaction(signals[i], &sa, NULL);
    }
}

static void *run_worker(void *arg)
{
    struct run_state *rs = arg;
    for (;;) {
        pthread_mutex_lock(&rs->lock);
        size_t i = rs->next++;
        pthread_mutex_unlock(&rs->lock);
        if (i >= rs->n || eh_isolate_interrupted())
            return NULL;

        const struct eh_scenario *sc = rs->scs[i / rs->repeat];
        json_t *r =
            eh_run_scenario(sc, rs->cfg, rs->repeat > 1 ? (unsigned)(i % rs->repeat) + 1 : 0);
        enum eh_verdict v = EH_ERROR;
        eh_verdict_parse(json_string_value(json_object_get(r, "verdict")), &v);

        pthread_mutex_lock(&rs->lock);
        rs->results[i] = r;
        rs->done++;
        rs->counts[v]++;
        if (rs->progress) {
            print_progress(rs, sc->name);
        } else if (!rs->quiet) {
            fprintf(stderr, "%-7s %s (%lld ms)\n", eh_verdict_name(v), sc->name,
                    (long long)json_integer_value(json_object_get(r, "duration_ms")));
        }
        pthread_mutex_unlock(&rs->lock);
    }
}

/* Prints a string from a program under test on a terminal line: control
 * bytes are shown as escapes, never sent to the terminal. */
static void print_safe(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
}

static bool default_bin_dir(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    return true;
}

/* True if execvp() could start prog: a path with '/' is checked as it is,
 * a bare name is looked up in PATH. Otherwise why says what is wrong. */
static bool runnable(const char *prog, char *why, size_t len)
{
    if (strchr(prog, '/') != NULL) {
        struct stat st;
        if (stat(prog, &st) != 0 || access(prog, X_OK) != 0) {
            snprintf(why, len, "%s: %s", prog, strerror(errno));
            return false;
        }
        if (S_ISDIR(st.st_mode)) {
            snprintf(why, len, "%s: %s", prog, strerror(EISDIR));
            return false;
        }
        return true;
    }
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;; p++) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char full[PATH_MAX];
        struct stat st;
        snprintf(full, sizeof(full), "%.*s%s%s", (int)n, p, n ? "/" : "", prog);
        if (stat(full, &st) == 0 && !S_ISDIR(st.st_mode) && access(full, X_OK) == 0)
            return true;
        if (colon == NULL)
            break;
        p = colon;
    }
    snprintf(why, len, "%s: not found in PATH", prog);
    return false;
}

/* Checks a --server-cmd/--client-cmd before anything runs: the template
 * splits and its program can be started. */
static bool check_cmd(const char *option, const char *cmd)
{
    static const struct eh_template_var vars[] = {
        {"host", "127.0.0.1"}, {"port", "65432"}, {"transport", "tcp"}, {"family", "ipv4"}};
    struct eh_error err = {0};
    char **av = NULL, why[PATH_MAX + 64];
    bool ok = eh_template_split(cmd, vars, sizeof(vars) / sizeof(vars[0]), &av, &err) == EH_OK;
    if (!ok)
        fprintf(stderr, "echoharness run: %s: %s\n", option, err.msg);
    else if (!(ok = runnable(av[0], why, sizeof(why))))
        fprintf(stderr, "echoharness run: %s: cannot run %s\n", option, why);
    eh_argv_free(av);
    return ok;
}

/* Checks a --server-program/--client-program: bin_dir/NAME can be started. */
static bool check_program(const char *option, const char *bin_dir, const char *name)
{
    char path[PATH_MAX], why[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", bin_dir, name);
    if (runnable(path, why, sizeof(why)))
        return true;
    fprintf(stderr, "echoharness run: %s: cannot run %s\n", option, why);
    return false;
}

/* Removes the captures an earlier run left in DIR/pcap, so that a report
 * directory never mixes two runs' captures. Only *.pcap files there. */
static void remove_old_captures(const char *report_dir)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/pcap", report_dir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".pcap") == 0)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"server-cmd", required_argument, NULL, 'S'},
        {"client-cmd", required_argument, NULL, 'C'},
        {"server-program", required_argument, NULL, 's'},
        {"client-program", required_argument, NULL, 'c'},
        {"port", required_argument, NULL, 'p'},
        {"report-dir", required_argument, NULL, 'r'},
        {"jobs", required_argument, NULL, 'j'},
        {"repeat", required_argument, NULL, 'R'},
        {"tag", required_argument, NULL, 't'},
        {"filter", required_argument, NULL, 'f'},
        {"timeout-scale", required_argument, NULL, 'T'},
        {"no-namespaces", no_argument, NULL, 'N'},
        {"bin-dir", required_argument, NULL, 'b'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct eh_run_config cfg = {.report_dir = "reports/latest"};
    struct selection sel = {0};
    char bin_dir[PATH_MAX] = "";
    long jobs = 1, repeat = 1;
    bool quiet = false;
    char *end;
    int c;

    while ((c = getopt_long(argc, argv, "+j:t:f:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'S':
            cfg.server_cmd = optarg;
            break;
        case 'C':
            cfg.client_cmd = optarg;
            break;
        case 's':
            cfg.server_program = optarg;
            break;
        case 'c':
            cfg.client_program = optarg;
            break;
        case 'p': {
            long port = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || port < 1 || port > 65535) {
                fprintf(stderr, "echoharness run: --port: expected 1..65535, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg.port = (int)port;
            break;
        }
        case 'r':
            cfg.report_dir = optarg;
            break;
        case 'j':
            jobs = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || jobs < 1 || jobs > 64) {
                fprintf(stderr, "echoharness run: --jobs: expected 1..64, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'R':
            repeat = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || repeat < 1 || repeat > 1000) {
                fprintf(stderr, "echoharness run: --repeat: expected 1..1000, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 't':
            sel.tags = realloc(sel.tags, (sel.n_tags + 1) * sizeof(*sel.tags));
            sel.tags[sel.n_tags++] = optarg;
            break;
        case 'f':
            sel.filter = optarg;
            break;
        case 'T': {
            double f = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' || !(f > 0.0) || f > 1000.0) {
                fprintf(stderr,
                        "echoharness run: --timeout-scale: expected a number in (0, 1000], "
                        "got '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            eh_set_timeout_scale(f);
            break;
        }
        case 'N':
            cfg.force_host = true;
            break;
        case 'b':
            snprintf(bin_dir, sizeof(bin_dir), "%s", optarg);
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage_run(stdout);
            return EXIT_PASS;
        default:
            fputs("Try 'echoharness run --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (!bin_dir[0] && !default_bin_dir(bin_dir, sizeof(bin_dir))) {
        fputs("echoharness run: cannot find the reference builds; use --bin-dir\n", stderr);
        return EXIT_USAGE;
    }
    cfg.bin_dir = bin_dir;
    if ((cfg.server_cmd && !check_cmd("--server-cmd", cfg.server_cmd)) ||
        (cfg.client_cmd && !check_cmd("--client-cmd", cfg.client_cmd)) ||
        (cfg.server_program && !check_program("--server-program", bin_dir, cfg.server_program)) ||
        (cfg.client_program && !check_program("--client-program", bin_dir, cfg.client_program))) {
        free(sel.tags);
        return EXIT_USAGE;
    }

    struct eh_scenario **scs;
    size_t n, n_files;
    bool ok = load_all(argv + optind, (size_t)(argc - optind), &sel, &scs, &n, &n_files);
    if (!ok) {
        free_all(scs, n);
        free(sel.tags);
        return EXIT_USAGE;
    }
    if (n == 0) {
        fprintf(stderr,
                "echoharness run: no scenario selected (%zu files read; tags are lower-case, "
                "'echoharness list' shows them)\n",
                n_files);
        free_all(scs, n);
        free(sel.tags);
        return EXIT_USAGE;
    }

    struct eh_error dir_err = {0};
    if (eh_mkdir_p(cfg.report_dir, &dir_err) != EH_OK) {
        fprintf(stderr, "echoharness run: --report-dir: %s\n", dir_err.msg);
        free_all(scs, n);
        free(sel.tags);
        return EXIT_USAGE;
    }
    remove_old_captures(cfg.report_dir);

    char why[256] = "";
    enum eh_isolation iso = cfg.force_host ? EH_ISO_HOST : eh_isolate_probe(why, sizeof(why));
    if (iso == EH_ISO_HOST && !cfg.force_host)
        fprintf(stderr,
                "echoharness: namespaces are not available (%s); running on the host "
                "loopback with allocated ports\n",
                why);

    if (iso == EH_ISO_HOST && cfg.port != 0 && jobs > 1) {
        /* Every scenario would listen on the same host port at once. */
        fprintf(stderr,
                "echoharness: --port %d on the host loopback: running one scenario at a time "
                "instead of -j %ld\n",
                cfg.port, jobs);
        jobs = 1;
    }

    /* While this is the only thread: every scenario's process is forked
     * from this copy of the harness, never from a worker (isolate.h). */
    struct eh_error fs_err = {0};
    if (eh_isolate_start(&fs_err) != EH_OK)
        fprintf(stderr, "echoharness: %s\n", fs_err.msg);

    char started[32];
    eh_utc_timestamp(started, sizeof(started));
    int64_t t0 = eh_now_us();
    struct run_state rs = {
        .scs = scs,
        .n = n * (size_t)repeat,
        .repeat = (unsigned)repeat,
        .cfg = &cfg,
        .results = calloc(n * (size_t)repeat, sizeof(json_t *)),
        .progress = !quiet && isatty(STDERR_FILENO),
        .quiet = quiet,
    };
    pthread_mutex_init(&rs.lock, NULL);
    if ((size_t)jobs > rs.n)
        jobs = (long)rs.n;
    catch_stop_signals();
    print_progress(&rs, NULL);
    pthread_t *threads = calloc((size_t)jobs, sizeof(*threads));
    for (long i = 0; i < jobs; i++)
        pthread_create(&threads[i], NULL, run_worker, &rs);
    for (long i = 0; i < jobs; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    if (rs.progress)
        fputc('\n', stderr);
    int stop_signo = eh_isolate_interrupted();
    if (stop_signo != 0) {
        char reason[128];
        snprintf(reason, sizeof(reason), "not run: echoharness was interrupted by %s",
                 eh_signal_name(stop_signo));
        for (size_t i = 0; i < rs.n; i++)
            if (rs.results[i] == NULL)
                rs.results[i] = eh_scenario_not_run(scs[i / rs.repeat], reason);
    }

    /* One result per scenario (repeated runs merged), and the counts of those. */
    size_t counts[EH_VERDICT_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        json_t *r = repeat > 1 ? eh_repeat_merge(&rs.results[i * (size_t)repeat], (size_t)repeat)
                               : rs.results[i];
        rs.results[i] = r;
        enum eh_verdict v = EH_ERROR;
        eh_verdict_parse(json_string_value(json_object_get(r, "verdict")), &v);
        counts[v]++;
    }

    json_t *report = json_object();
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, rs.results[i]);
    char *joined = eh_argv_join(argv), *cmd = NULL; /* quoted: it can be pasted into a shell */
    if (joined == NULL || asprintf(&cmd, "echoharness %s", joined) < 0)
        cmd = NULL;
    free(joined);
    json_object_set_new(report, "tool", json_string("echoharness"));
    json_object_set_new(report, "version", json_string(EH_VERSION));
    json_object_set_new(report, "started", json_string(started));
    json_object_set_new(report, "duration_ms", json_integer((eh_now_us() - t0) / 1000));
    json_object_set_new(report, "timeout_scale", json_real(eh_timeout_scale()));
    json_object_set_new(report, "isolation", json_string(eh_isolation_name(iso)));
    if (iso == EH_ISO_HOST)
        json_object_set_new(report, "isolation_note",
                            json_string(cfg.force_host ? "--no-namespaces was given" : why));
    json_object_set_new(report, "command", json_string(cmd ? cmd : "echoharness run"));
    if (stop_signo != 0)
        json_object_set_new(report, "interrupted", json_string(eh_signal_name(stop_signo)));
    json_object_set_new(report, "scenarios", arr);
    eh_report_summarize(report);
    free(cmd);

    /* The summary: every scenario that did not pass, with its reason. */
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(arr, i);
        const char *v = json_string_value(json_object_get(r, "verdict"));
        if (v && strcmp(v, "PASS") != 0) {
            printf("%-7s %s: ", v, scs[i]->name);
            print_safe(stdout, json_string_value(json_object_get(r, "reason")));
            putchar('\n');
        }
    }
    struct eh_error err = {0};
    int status = EXIT_PASS;
    if (eh_report_write_all(report, cfg.report_dir, &err) != EH_OK) {
        fprintf(stderr, "echoharness: writing reports: %s\n", err.msg);
        status = EXIT_USAGE;
    }
    if (repeat > 1) {
        for (size_t i = 0; i < n; i++) {
            char line[1024];
            eh_repeat_describe(json_array_get(arr, i), line, sizeof(line));
            printf("%s: %s\n", scs[i]->name, line);
        }
    }
    size_t not_passed = counts[EH_FAIL] + counts[EH_ERROR] + counts[EH_TIMED_OUT];
    printf("%zu passed, %zu failed, %zu skipped (%zu error, %zu timeout) in %.1f s; reports in "
           "%s/\n",
           counts[EH_PASS], not_passed, counts[EH_SKIP], counts[EH_ERROR], counts[EH_TIMED_OUT],
           (double)(eh_now_us() - t0) / 1e6, cfg.report_dir);
    if (status == EXIT_PASS && not_passed > 0)
        status = EXIT_NOT_PASSED;
    if (stop_signo != 0) {
        fprintf(stderr,
                "echoharness: interrupted by %s: %zu of %zu scenarios ran (any cut short is "
                "ERROR, the rest SKIP); the reports in %s/ are partial\n",
                eh_signal_name(stop_signo), rs.done, n, cfg.report_dir);
        status = 128 + stop_signo; /* as a shell reports a death by that signal */
    }
    eh_isolate_finish(); /* the last scenarios' processes end while the reports are written */

    json_decref(report);
    free(rs.results);
    pthread_mutex_destroy(&rs.lock);
    free_all(scs, n);
    free(sel.tags);
    return status;
}

/* ---- list, validate ---- */

static int cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tag", required_argument, NULL, 't'},
        {"filter", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct selection sel = {0};
    int c;
    while ((c = getopt_long(argc, argv, "+t:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            sel.tags = realloc(sel.tags, (sel.n_tags + 1) * sizeof(*sel.tags));
            sel.tags[sel.n_tags++] = optarg;
            break;
        case 'f':
            sel.filter = optarg;
            break;
        case 'h':
            usage_list(stdout);
            return EXIT_PASS;
        default:
            fputs("Try 'echoharness list --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    struct eh_scenario **scs;
    size_t n, n_files;
    bool ok = load_all(argv + optind, (size_t)(argc - optind), &sel, &scs, &n, &n_files);
    for (size_t i = 0; i < n; i++) {
        printf("%-32s %-12s ", scs[i]->name, scs[i]->kind);
        for (size_t t = 0; t < scs[i]->n_tags; t++)
            printf("%s%s", t ? "," : "", scs[i]->tags[t]);
        printf("\n    %s\n", scs[i]->description);
    }
    free_all(scs, n);
    free(sel.tags);
    return ok ? EXIT_PASS : EXIT_USAGE;
}

static int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage_validate(stdout);
            return EXIT_PASS;
        default:
            fputs("Try 'echoharness validate --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("echoharness validate: expected at least one FILE\n", stderr);
        return EXIT_USAGE;
    }
    struct eh_scenario **scs;
    size_t n, n_files;
    bool ok = load_all(argv + optind, (size_t)(argc - optind), NULL, &scs, &n, &n_files);
    for (size_t i = 0; i < n; i++)
        printf("%s: ok\n", scs[i]->path);
    free_all(scs, n);
    return ok ? EXIT_PASS : EXIT_USAGE;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a peer's close is an event, never our death */
    const char *scale = getenv("EH_TIMEOUT_SCALE");
    if (scale != NULL) {
        char *end;
        double f = strtod(scale, &end);
        if (*scale == '\0' || *end != '\0' || !(f > 0.0) || f > 1000.0) {
            fprintf(stderr,
                    "echoharness: EH_TIMEOUT_SCALE: expected a number in (0, 1000], got "
                    "'%s'\n",
                    scale);
            return EXIT_USAGE;
        }
    }
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return EXIT_PASS;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("echoharness %s\n", EH_VERSION);
        return EXIT_PASS;
    }
    argc--;
    argv++;
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc, argv);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc, argv);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc, argv);
    if (strcmp(cmd, "analyze") == 0)
        return eh_analyze_main(argc, argv);
    if (strcmp(cmd, "diff") == 0)
        return eh_diff_main(argc, argv);
    fprintf(stderr, "echoharness: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return EXIT_USAGE;
}
