/* cmd_run.c - `echoharness run`: run scenarios and write the reports.
 *
 * Parses run's options, loads and selects the scenarios, gathers the
 * implementations it judges (one, or several with --impl, --impl-client,
 * --impls), plans the (implementation, scenario) pairs and the --shard part
 * of them (plan.c), checks the commands and programs it is given before
 * anything runs, runs the pairs on a pool of -j worker threads (each in its
 * own network and PID namespace, see runner.h), prints progress and a
 * summary, writes the reports (one report directory, or with several
 * implementations one per implementation and an index) and turns the
 * outcome into the exit status: 0 every selected scenario passed (or was
 * skipped), 1 at least one did not, 2 usage or configuration error, 128+N
 * when stopped by signal N. With --baseline FILE the changes against FILE are
 * listed first, and the status is 1 only on a change of verdict against it
 * (struct eh_report_diff_counts's changes).
 */
#include "cli.h"

#include "escape.h"
#include "grade.h"
#include "paths.h"
#include "isolate.h"
#include "repeat.h"
#include "report.h"
#include "runner.h"
#include "template.h"

#include <dirent.h>
#include <errno.h>
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

static void usage_run(FILE *out)
{
    fputs("Usage: echoharness run [OPTION]... [SCENARIO.json|DIR]...\n"
          "Run scenarios, each in its own network and PID namespace, and write report.json,\n"
          "junit.xml, report.html, summary.md and pcap/<scenario>.pcap into the report\n"
          "directory. Without SCENARIO.json or DIR: every *.json below the first folder of\n"
          "./scenarios, ../share/echoharness/scenarios beside the echoharness executable\n"
          "(an install) and the source tree's scenarios/ (a build tree).\n"
          "\n"
          "One implementation (the reference builds by default):\n"
          "  --server-cmd CMD      run CMD as the server in scenarios whose server is under test;\n"
          "                        {host}, {port}, {transport} (tcp, udp) and {family} (ipv4,\n"
          "                        ipv6) are replaced; split into words like a shell would,\n"
          "                        but run without one (no pipes, no expansion)\n"
          "  --client-cmd CMD      the same for the client role\n"
          "  --require WHAT        tcp, udp, ipv4 or ipv6 (repeatable): a scenario over WHAT that\n"
          "                        the server under test does not serve (it binds other\n"
          "                        transports or families only) is FAIL instead of SKIP; one\n"
          "                        that no selected scenario is over is a usage error\n"
          "  --server-program NAME\n"
          "                        run NAME from the --bin-dir instead of the reference server\n"
          "                        build, with the same options (used to prove scenarios catch\n"
          "                        faulty builds)\n"
          "  --client-program NAME the same for the reference client build\n"
          "  --name NAME           the implementation's name in the reports (default: the\n"
          "                        command's program, the --server-program, or 'reference')\n"
          "Several implementations, each judged on the scenarios that apply to it (a role it\n"
          "gives is under test), in parallel as -j allows; the report directory then holds\n"
          "NAME/ (each one's report) and an index over all (the implementations x scenarios\n"
          "matrix):\n"
          "      --impl NAME=CMD   a server under test, CMD as for --server-cmd; repeatable\n"
          "      --impl-client NAME=CMD\n"
          "                        a client under test, CMD as for --client-cmd; repeatable\n"
          "      --impls FILE      the implementations FILE lists: {\"implementations\": "
          "[{\"name\",\n"
          "                        \"server\" and/or \"client\" (commands), \"transports\": "
          "[\"tcp\"],\n"
          "                        \"families\": [\"ipv4\"] (optional: those it serves)}]}\n"
          "\n"
          "  --port N              the port for every role (for programs with a hard-coded port,\n"
          "                        such as the tutorial's 65432); default: the scenario's\n"
          "  --report-dir DIR      where reports go (default: reports/latest)\n"
          "  -j, --jobs N          run N scenarios in parallel (default 1)\n"
          "      --repeat N        run each scenario N times (1..1000) and report the\n"
          "                        distribution of its timing-dependent outcomes; the\n"
          "                        verdict is the worst run's\n"
          "  -t, --tag TAG         only scenarios carrying TAG; repeat to narrow further\n"
          "                        (--tag tcp --tag ipv4: scenarios carrying both); from a\n"
          "                        folder, scenarios tagged load (long, heavy) run only with\n"
          "                        --tag load or a --filter of their whole name; a file\n"
          "                        named here always runs\n"
          "  -f, --filter PATTERN  only scenarios whose name matches PATTERN: a glob with *, ?\n"
          "                        or [ ('recv1-*'), else a part of the name ('echo'), or one\n"
          "                        scenario's whole name ('basic-echo'); repeat to add more\n"
          "                        (-f basic-echo -f 'server-*': scenarios either selects)\n"
          "      --shard K/N       run shard K (1..N) of N: the selected (implementation,\n"
          "                        scenario) pairs whose FNV-1a hash of 'impl/scenario' is K-1\n"
          "                        modulo N; 'auto' takes CI_NODE_INDEX/CI_NODE_TOTAL (GitLab);\n"
          "                        'echoharness merge' joins the shards' reports\n"
          "      --baseline FILE   compare with FILE, the report.json of an earlier run: list the\n"
          "                        changes first, and exit 1 only on a change of verdict (a\n"
          "                        regression, a fix, another change, a new skip) or a new\n"
          "                        scenario that fails; not for scenarios FILE has and this\n"
          "                        run has not (other shards)\n"
          "      --timeout-scale F multiply every deadline by F (for valgrind, sanitizers, slow\n"
          "                        machines; also EH_TIMEOUT_SCALE)\n"
          "      --no-namespaces   run on the host loopback with allocated ports instead of\n"
          "                        private namespaces\n"
          "      --bin-dir DIR     where the reference and faulty builds are (default:\n"
          "                        ../libexec/echoharness beside the echoharness executable\n"
          "                        when it holds them (an install), else its own folder)\n"
          "  -q, --quiet           no progress line, only the summary\n"
          "  -h, --help            show this help\n",
          out);
}

struct run_state {
    struct eh_scenario *const *scs;
    const struct eh__pair *pairs;
    const struct eh_run_config *cfgs; /* per implementation */
    const struct eh__impls *impls;
    bool label_impl;  /* several implementations: lines name "impl/scenario" */
    size_t n;         /* jobs: pairs times repeat */
    unsigned repeat;  /* runs of each pair (--repeat) */
    json_t **results; /* per job: pair i's run k is job i * repeat + k */
    size_t next;      /* next job to start */
    size_t done;      /* jobs finished */
    size_t counts[EH_VERDICT_COUNT];
    bool progress; /* a live progress line on a terminal */
    bool quiet;
    pthread_mutex_t lock;
};

/* "scenario", or "impl/scenario" in a run of several implementations. */
static const char *pair_label(const struct run_state *rs, const struct eh__pair *p, char *buf,
                              size_t len)
{
    if (!rs->label_impl)
        return rs->scs[p->sc]->name;
    snprintf(buf, len, "%s/%s", rs->impls->v[p->impl].name, rs->scs[p->sc]->name);
    return buf;
}

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

        const struct eh__pair *p = &rs->pairs[i / rs->repeat];
        json_t *r = eh_run_scenario(rs->scs[p->sc], &rs->cfgs[p->impl],
                                    rs->repeat > 1 ? (unsigned)(i % rs->repeat) + 1 : 0);
        enum eh_verdict v = EH_ERROR;
        eh_verdict_parse(json_string_value(json_object_get(r, "verdict")), &v);

        char label[512];
        pthread_mutex_lock(&rs->lock);
        rs->results[i] = r;
        rs->done++;
        rs->counts[v]++;
        if (rs->progress) {
            print_progress(rs, pair_label(rs, p, label, sizeof(label)));
        } else if (!rs->quiet) {
            fprintf(stderr, "%-7s %s (%lld ms)\n", eh_verdict_name(v),
                    pair_label(rs, p, label, sizeof(label)),
                    (long long)json_integer_value(json_object_get(r, "duration_ms")));
        }
        pthread_mutex_unlock(&rs->lock);
    }
}

/* Prints a string from a program under test on a terminal line: control
 * bytes are shown as escapes, never sent to the terminal. */
static void print_safe(FILE *out, const char *s)
{
    if (s != NULL)
        eh_escape(out, s, strlen(s), EH_ESC_ASCII);
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

/* Everything one run works with, filled stage by stage. */
struct run {
    /* parse_options() */
    struct eh_run_config cfg; /* the options every implementation shares, and the commands
                                 and programs of a run of one; cfg.bin_dir points into bin_dir */
    struct eh__selection sel;
    struct eh__impls impls; /* --impl, --impl-client, --impls; then the one of a run of one */
    const char *name;       /* --name */
    const char *baseline_path;
    unsigned shard_k, shard_n; /* --shard K/N; 0/0 without */
    char bin_dir[PATH_MAX];
    long jobs, repeat;
    double timeout_scale; /* --timeout-scale, else EH_TIMEOUT_SCALE, else 1.0 */
    bool quiet;
    /* gather_implementations() */
    bool index; /* several implementations (--impl, --impls): the index layout */
    /* prepare() */
    json_t *baseline;
    struct eh_scenario **scs;
    size_t n_scs;               /* scenarios selected */
    struct eh__plan plan;       /* the pairs */
    struct eh_run_config *cfgs; /* per implementation */
    char (*dirs)[PATH_MAX];     /* per implementation: its report directory */
    enum eh_isolation iso;
    char why[1024];         /* why namespaces are not available (and the capture hint), when not */
    json_t *not_applicable; /* a run of one with a command: the scenarios it does not apply to */
    /* run_pool() */
    char started[32]; /* UTC, when the first scenario started */
    int64_t t0;
    struct run_state rs;
    int stop_signo; /* the signal that interrupted the run, or 0 */
    /* collect_results() */
    size_t counts[EH_VERDICT_COUNT]; /* of the merged result of each pair */
    json_t *report;
    struct eh_report_diff_counts against; /* --baseline */
};

/* The stages return this to go on, or the exit status to stop with. */
#define RUN_GO (-1)

/* Parses a --port, --jobs or --repeat value in min..max into *out. */
static int parse_count(const char *option, const char *arg, long min, long max, long *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "echoharness run: %s: expected %ld..%ld, got '%s'\n", option, min, max,
                arg);
        return EH_EXIT_USAGE;
    }
    *out = v;
    return RUN_GO;
}

static int parse_timeout_scale(const char *arg, double *out)
{
    struct eh_error err = {0};
    if (eh_timeout_scale_parse("--timeout-scale", arg, out, &err) != EH_OK) {
        fprintf(stderr, "echoharness run: %s\n", err.msg);
        return EH_EXIT_USAGE;
    }
    return RUN_GO;
}

/* Applies one option of the implementations, shards and baseline. */
static int apply_run_option(struct run *r, int c, char *arg)
{
    switch (c) {
    case 'I':
    case 'J':
        return eh__impls_add(&r->impls, c == 'I' ? "--impl" : "--impl-client", arg, c == 'J')
                   ? RUN_GO
                   : EH_EXIT_USAGE;
    case 'F':
        return eh__impls_load(&r->impls, arg) ? RUN_GO : EH_EXIT_USAGE;
    case 'n':
        r->name = arg;
        return RUN_GO;
    case 'k':
        return eh__shard_parse(arg, &r->shard_k, &r->shard_n) ? RUN_GO : EH_EXIT_USAGE;
    case 'B':
        r->baseline_path = arg;
        return RUN_GO;
    default:
        fputs("Try 'echoharness run --help'.\n", stderr);
        return EH_EXIT_USAGE;
    }
}

/* Parses a --require value into r->cfg. */
static int parse_require(struct run *r, const char *arg)
{
    for (int t = 0; t < EH_TRANSPORT_COUNT; t++)
        if (strcmp(arg, eh_transport_name((enum eh_transport)t)) == 0) {
            r->cfg.require_transport[t] = true;
            return RUN_GO;
        }
    for (int f = 0; f < EH_FAMILY_COUNT; f++)
        if (strcmp(arg, eh_family_name((enum eh_family)f)) == 0) {
            r->cfg.require_family[f] = true;
            return RUN_GO;
        }
    fprintf(stderr, "echoharness run: --require: expected tcp, udp, ipv4 or ipv6, got '%s'\n", arg);
    return EH_EXIT_USAGE;
}

/* Applies one option (getopt_long's c and optarg) to r. */
static int apply_option(struct run *r, int c, char *arg)
{
    long port;
    switch (c) {
    case 'S':
        r->cfg.server_cmd = arg;
        return RUN_GO;
    case 'C':
        r->cfg.client_cmd = arg;
        return RUN_GO;
    case 's':
        r->cfg.server_program = arg;
        return RUN_GO;
    case 'c':
        r->cfg.client_program = arg;
        return RUN_GO;
    case 'p':
        if (parse_count("--port", arg, 1, 65535, &port) != RUN_GO)
            return EH_EXIT_USAGE;
        r->cfg.port = (int)port;
        return RUN_GO;
    case 'Q':
        return parse_require(r, arg);
    case 'r':
        r->cfg.report_dir = arg;
        return RUN_GO;
    case 'j':
        return parse_count("--jobs", arg, 1, 64, &r->jobs);
    case 'R':
        return parse_count("--repeat", arg, 1, 1000, &r->repeat);
    case 't':
        eh__selection_add_tag(&r->sel, arg);
        return RUN_GO;
    case 'f':
        eh__selection_add_filter(&r->sel, arg);
        return RUN_GO;
    case 'T':
        return parse_timeout_scale(arg, &r->timeout_scale);
    case 'N':
        r->cfg.force_host = true;
        return RUN_GO;
    case 'b':
        snprintf(r->bin_dir, sizeof(r->bin_dir), "%s", arg);
        return RUN_GO;
    case 'q':
        r->quiet = true;
        return RUN_GO;
    case 'h':
        usage_run(stdout);
        return EH_EXIT_PASS;
    default:
        return apply_run_option(r, c, arg);
    }
}

/* Stage 1: the options into r; optind is left at the first scenario argument. */
static int parse_options(struct run *r, int argc, char **argv)
{
    static const struct option opts[] = {
        {"server-cmd", required_argument, NULL, 'S'},
        {"client-cmd", required_argument, NULL, 'C'},
        {"server-program", required_argument, NULL, 's'},
        {"client-program", required_argument, NULL, 'c'},
        {"port", required_argument, NULL, 'p'},
        {"require", required_argument, NULL, 'Q'},
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
        {"impl", required_argument, NULL, 'I'},
        {"impl-client", required_argument, NULL, 'J'},
        {"impls", required_argument, NULL, 'F'},
        {"name", required_argument, NULL, 'n'},
        {"shard", required_argument, NULL, 'k'},
        {"baseline", required_argument, NULL, 'B'},
        {NULL, 0, NULL, 0},
    };
    int c, status = RUN_GO;
    while (status == RUN_GO && (c = getopt_long(argc, argv, "+j:t:f:qh", opts, NULL)) != -1)
        status = apply_option(r, c, optarg);
    return status;
}

/* The default name of the one implementation: the file name of its
 * command's program, its --server-program/--client-program, or "reference". */
static void default_name(const struct eh_run_config *cfg, char *buf, size_t len)
{
    static const struct eh_template_var vars[] = {
        {"host", "127.0.0.1"}, {"port", "7"}, {"transport", "tcp"}, {"family", "ipv4"}};
    const char *cmd = cfg->server_cmd ? cfg->server_cmd : cfg->client_cmd;
    char **av = NULL, why[256];
    struct eh_error err = {0};
    snprintf(buf, len, "%s",
             cfg->server_program   ? cfg->server_program
             : cfg->client_program ? cfg->client_program
                                   : "reference");
    if (cmd != NULL && eh_template_split(cmd, vars, 4, &av, &err) == EH_OK && av[0] != NULL) {
        const char *slash = strrchr(av[0], '/');
        snprintf(buf, len, "%s", slash ? slash + 1 : av[0]);
        if (!eh__impl_name_ok(buf, why, sizeof(why)))
            snprintf(buf, len, "under-test");
    }
    eh_argv_free(av);
}

/* The implementations: those of --impl, --impl-client and --impls (the
 * index layout), or the one of --server-cmd, --client-cmd,
 * --server-program, --client-program and --name. */
static int gather_implementations(struct run *r)
{
    const struct eh_run_config *cfg = &r->cfg;
    char name[128], why[256];
    r->index = r->impls.n > 0;
    if (r->index) {
        const char *single = cfg->server_cmd       ? "--server-cmd"
                             : cfg->client_cmd     ? "--client-cmd"
                             : cfg->server_program ? "--server-program"
                             : cfg->client_program ? "--client-program"
                             : r->name             ? "--name"
                                                   : NULL;
        if (single == NULL)
            return RUN_GO;
        fprintf(stderr,
                "echoharness run: %s judges one implementation; with --impl, --impl-client or "
                "--impls give each one as --impl NAME=CMD\n",
                single);
        return EH_EXIT_USAGE;
    }
    if (r->name != NULL && !eh__impl_name_ok(r->name, why, sizeof(why))) {
        fprintf(stderr, "echoharness run: --name: %s\n", why);
        return EH_EXIT_USAGE;
    }
    default_name(cfg, name, sizeof(name));
    struct eh__impl *impl = eh__impls_push(&r->impls, r->name ? r->name : name, "--name");
    const char *const from[] = {cfg->server_cmd, cfg->client_cmd, cfg->server_program,
                                cfg->client_program};
    char **to[] = {&impl->server_cmd, &impl->client_cmd, &impl->server_program,
                   &impl->client_program};
    for (size_t i = 0; i < 4; i++)
        *to[i] = from[i] ? strdup(from[i]) : NULL;
    return RUN_GO;
}

/* The builds, commands and programs of every implementation can be started. */
static int check_programs(struct run *r)
{
    if (!r->bin_dir[0] && !eh_paths_programs(NULL, r->bin_dir, sizeof(r->bin_dir))) {
        fputs("echoharness run: cannot find the reference builds; use --bin-dir\n", stderr);
        return EH_EXIT_USAGE;
    }
    r->cfg.bin_dir = r->bin_dir;
    for (size_t i = 0; i < r->impls.n; i++) {
        const struct eh__impl *impl = &r->impls.v[i];
        if ((impl->server_cmd &&
             !check_cmd(r->index ? impl->option : "--server-cmd", impl->server_cmd)) ||
            (impl->client_cmd &&
             !check_cmd(r->index ? impl->option : "--client-cmd", impl->client_cmd)) ||
            (impl->server_program &&
             !check_program("--server-program", r->bin_dir, impl->server_program)) ||
            (impl->client_program &&
             !check_program("--client-program", r->bin_dir, impl->client_program)))
            return EH_EXIT_USAGE;
    }
    return RUN_GO;
}

/* Namespaces, or the host loopback when they are not available or not
 * wanted; one scenario at a time when every one would listen on the same
 * host port. */
static void choose_isolation(struct run *r)
{
    r->iso = r->cfg.force_host ? EH_ISO_HOST : eh_isolate_probe(r->why, sizeof(r->why));
    if (r->cfg.force_host)
        snprintf(r->why, sizeof(r->why), "--no-namespaces was given");
    else if (r->iso == EH_ISO_HOST)
        fprintf(stderr,
                "echoharness: namespaces are not available (%s); running on the host "
                "loopback with allocated ports\n",
                r->why);
    char exe[PATH_MAX], capture[768];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    snprintf(exe + (n > 0 ? n : 0), sizeof(exe) - (size_t)(n > 0 ? n : 0), "%s",
             n > 0 ? "" : "echoharness");
    if (r->iso == EH_ISO_HOST &&
        !eh_isolate_host_capture_ok("/proc", geteuid() == 0, exe, capture, sizeof(capture))) {
        fprintf(stderr, "echoharness: %s\n", capture);
        size_t len = strlen(r->why);
        snprintf(r->why + len, sizeof(r->why) - len, "%s%s", len ? "; " : "", capture);
    }
    if (r->iso == EH_ISO_HOST && r->cfg.port != 0 && r->jobs > 1) {
        /* Every scenario would listen on the same host port at once. */
        fprintf(stderr,
                "echoharness: --port %d on the host loopback: running one scenario at a time "
                "instead of -j %ld\n",
                r->cfg.port, r->jobs);
        r->jobs = 1;
    }
}

/* A run of one implementation with --server-cmd or --client-cmd runs the
 * scenarios that judge a role a given command replaces (plan.c); the others
 * judge only the reference builds (or only the other role): they are not
 * run and not counted, their names kept in r->not_applicable and said once
 * on stderr. Exit status 2 when none is left. */
static int note_not_applicable(struct run *r)
{
    const struct eh__impl *impl = &r->impls.v[0];
    if (r->index || (impl->server_cmd == NULL && impl->client_cmd == NULL))
        return RUN_GO;
    const char *given = impl->server_cmd && impl->client_cmd ? "--server-cmd or --client-cmd"
                        : impl->server_cmd                   ? "--server-cmd"
                                                             : "--client-cmd";
    r->not_applicable = json_array();
    for (size_t s = 0; s < r->n_scs; s++) {
        bool planned = false;
        for (size_t k = 0; k < r->plan.n_selected && !planned; k++)
            planned = r->plan.selected[k].sc == s;
        if (!planned)
            json_array_append_new(r->not_applicable, json_string(r->scs[s]->name));
    }
    size_t dropped = json_array_size(r->not_applicable);
    if (dropped > 0) {
        fprintf(stderr,
                "echoharness: %zu selected scenario%s not run: %s judge%s no role %s "
                "replaces (echoharness list shows what each judges):",
                dropped, dropped == 1 ? "" : "s", dropped == 1 ? "it" : "they",
                dropped == 1 ? "s" : "", given);
        for (size_t i = 0; i < dropped; i++)
            fprintf(stderr, " %s", json_string_value(json_array_get(r->not_applicable, i)));
        fputc('\n', stderr);
    }
    if (r->plan.n_selected == 0) {
        fprintf(stderr,
                "echoharness run: no selected scenario judges a role that %s replaces; "
                "'echoharness list' shows which role each scenario judges\n",
                given);
        return EH_EXIT_USAGE;
    }
    return RUN_GO;
}

/* Each implementation's run configuration and report directory (DIR, or
 * DIR/<name> in the index layout), made and cleared of an earlier run's
 * captures. */
static int make_report_dirs(struct run *r)
{
    struct eh_error err = {0};
    r->cfgs = calloc(r->impls.n, sizeof(*r->cfgs));
    r->dirs = calloc(r->impls.n, sizeof(*r->dirs));
    for (size_t i = 0; i < r->impls.n; i++) {
        const struct eh__impl *impl = &r->impls.v[i];
        if (r->index)
            snprintf(r->dirs[i], sizeof(r->dirs[i]), "%s/%s", r->cfg.report_dir, impl->name);
        else
            snprintf(r->dirs[i], sizeof(r->dirs[i]), "%s", r->cfg.report_dir);
        if (eh_mkdir_p(r->dirs[i], &err) != EH_OK) {
            fprintf(stderr, "echoharness run: --report-dir: %s\n", err.msg);
            return EH_EXIT_USAGE;
        }
        remove_old_captures(r->dirs[i]);
        r->cfgs[i] = r->cfg;
        r->cfgs[i].report_dir = r->dirs[i];
        r->cfgs[i].server_cmd = impl->server_cmd;
        r->cfgs[i].client_cmd = impl->client_cmd;
        r->cfgs[i].server_program = impl->server_program;
        r->cfgs[i].client_program = impl->client_program;
    }
    return RUN_GO;
}

/* True if a selected scenario is over transport t (family < 0) or over
 * family f (t < 0). */
static bool some_scenario_over(const struct run *r, int t, int f)
{
    for (size_t i = 0; i < r->n_scs; i++)
        if ((t >= 0 && r->scs[i]->transport == (enum eh_transport)t) ||
            (f >= 0 && r->scs[i]->family == (enum eh_family)f))
            return true;
    return false;
}

/* A --require that no selected scenario is over would check nothing: a
 * usage error rather than a silent pass ("--require ipv6" with only IPv4
 * scenarios selected). */
static int check_requires(const struct run *r)
{
    const char *what = NULL;
    for (int t = 0; t < EH_TRANSPORT_COUNT && what == NULL; t++)
        if (r->cfg.require_transport[t] && !some_scenario_over(r, t, -1))
            what = eh_transport_name((enum eh_transport)t);
    for (int f = 0; f < EH_FAMILY_COUNT && what == NULL; f++)
        if (r->cfg.require_family[f] && !some_scenario_over(r, -1, f))
            what = eh_family_name((enum eh_family)f);
    if (what == NULL)
        return RUN_GO;
    fprintf(stderr,
            "echoharness run: --require %s: none of the %zu selected scenarios is over %s, so it "
            "would check nothing ('echoharness list' shows their tags)\n",
            what, r->n_scs, what);
    return EH_EXIT_USAGE;
}

/* Stage 2: set the timeout scale, gather and check the implementations,
 * load the baseline, load and select the scenarios, plan the pairs, make the
 * report directories (without an earlier run's captures) and choose the
 * isolation. args are the scenario arguments. */
static int prepare(struct run *r, char *const *args, size_t n_args)
{
    size_t n_files;
    struct eh_error err = {0};
    eh_set_timeout_scale(r->timeout_scale); /* the one time: no thread runs yet */
    if (gather_implementations(r) != RUN_GO || check_programs(r) != RUN_GO)
        return EH_EXIT_USAGE;
    if (r->baseline_path && eh_report_load(r->baseline_path, &r->baseline, &err) != EH_OK) {
        fprintf(stderr, "echoharness run: --baseline: %s\n", err.msg);
        return EH_EXIT_USAGE;
    }
    if (!eh__scenarios_load(args, n_args, &r->sel, &r->scs, &r->n_scs, &n_files))
        return EH_EXIT_USAGE;
    char dir[PATH_MAX];
    if (n_args == 0 && !r->quiet && isatty(STDERR_FILENO) &&
        eh_paths_scenarios(NULL, dir, sizeof(dir))) /* which folder, when none was named */
        fprintf(stderr, "echoharness: %zu of the %zu scenarios in %s/\n", r->n_scs, n_files, dir);
    if (r->n_scs == 0) {
        fprintf(stderr, "echoharness run: no scenario selected of the %zu files read: %s\n",
                n_files, r->sel.why_none);
        return EH_EXIT_USAGE;
    }
    if (check_requires(r) != RUN_GO)
        return EH_EXIT_USAGE;
    if (!eh__plan_make(&r->impls, r->index, r->scs, r->n_scs, (unsigned)r->repeat, r->shard_k,
                       r->shard_n, &r->plan) ||
        note_not_applicable(r) != RUN_GO)
        return EH_EXIT_USAGE;
    if (r->shard_n > 0 && !r->quiet)
        fprintf(stderr, "echoharness: shard %u/%u: %zu of the %zu selected pairs\n", r->shard_k,
                r->shard_n, r->plan.n, r->plan.n_selected);
    if (make_report_dirs(r) != RUN_GO)
        return EH_EXIT_USAGE;
    choose_isolation(r);
    return RUN_GO;
}

/* Stage 3: every pair (times --repeat) on a pool of -j workers, until all
 * ran or a stop signal came. */
static void run_pool(struct run *r)
{
    struct run_state *rs = &r->rs;
    eh_utc_timestamp(r->started, sizeof(r->started));
    r->t0 = eh_now_us();
    rs->scs = r->scs;
    rs->pairs = r->plan.pairs;
    rs->cfgs = r->cfgs;
    rs->impls = &r->impls;
    rs->label_impl = r->index;
    rs->n = r->plan.n * (size_t)r->repeat;
    rs->repeat = (unsigned)r->repeat;
    rs->results = calloc(rs->n ? rs->n : 1, sizeof(json_t *));
    rs->progress = !r->quiet && isatty(STDERR_FILENO);
    rs->quiet = r->quiet;
    long jobs = (size_t)r->jobs > rs->n ? (long)rs->n : r->jobs;
    catch_stop_signals();
    print_progress(rs, NULL);
    pthread_t *threads = calloc((size_t)(jobs > 0 ? jobs : 1), sizeof(*threads));
    for (long i = 0; i < jobs; i++)
        pthread_create(&threads[i], NULL, run_worker, rs);
    for (long i = 0; i < jobs; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    if (rs->progress)
        fputc('\n', stderr);
    r->stop_signo = eh_isolate_interrupted();
}

/* result with "implementation" first, then its own fields; takes result. */
static json_t *with_implementation(json_t *result, const char *name)
{
    json_t *out = json_pack("{s:s}", "implementation", name), *v;
    const char *key;
    json_object_foreach(result, key, v) json_object_set(out, key, v);
    json_decref(result);
    return out;
}

/* Stage 4: a result for every job (SKIP for those an interruption kept
 * from running), then one per pair (repeated runs merged) in
 * rs.results[0..n), each naming its implementation, and the counts of those. */
static void collect_results(struct run *r)
{
    struct run_state *rs = &r->rs;
    size_t repeat = (size_t)r->repeat;
    if (r->stop_signo != 0) {
        char reason[128];
        snprintf(reason, sizeof(reason), "not run: echoharness was interrupted by %s",
                 eh_signal_name(r->stop_signo));
        for (size_t i = 0; i < rs->n; i++)
            if (rs->results[i] == NULL)
                rs->results[i] = eh_scenario_not_run(r->scs[r->plan.pairs[i / repeat].sc], reason);
    }
    for (size_t i = 0; i < r->plan.n; i++) {
        json_t *res =
            repeat > 1 ? eh_repeat_merge(&rs->results[i * repeat], repeat) : rs->results[i];
        res = with_implementation(res, r->impls.v[r->plan.pairs[i].impl].name);
        rs->results[i] = res;
        enum eh_verdict v = EH_ERROR;
        eh_verdict_parse(json_string_value(json_object_get(res, "verdict")), &v);
        r->counts[v]++;
    }
}

/* The "implementations" of the report, with "report" in the index layout. */
static json_t *implementations_json(const struct run *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->impls.n; i++) {
        json_t *o = eh__impl_json(&r->impls.v[i]);
        if (r->index)
            json_object_set_new(o, "report", json_pack("s++", r->impls.v[i].name, "/", ""));
        json_array_append_new(a, o);
    }
    return a;
}

/* Stage 5a: the report document (report.h) of the results, which it takes. */
static void build_report(struct run *r, char **argv)
{
    json_t *report = json_object();
    json_t *arr = json_array();
    for (size_t i = 0; i < r->plan.n; i++)
        json_array_append_new(arr, r->rs.results[i]);
    char *joined = eh_argv_join(argv), *cmd = NULL; /* quoted: it can be pasted into a shell */
    if (joined == NULL || asprintf(&cmd, "echoharness %s", joined) < 0)
        cmd = NULL;
    free(joined);
    json_object_set_new(report, "tool", json_string("echoharness"));
    json_object_set_new(report, "schema_version", json_integer(EH_REPORT_SCHEMA_VERSION));
    json_object_set_new(report, "version", json_string(EH_VERSION));
    json_object_set_new(report, "started", json_string(r->started));
    json_object_set_new(report, "duration_ms", json_integer((eh_now_us() - r->t0) / 1000));
    json_object_set_new(report, "timeout_scale", json_real(eh_timeout_scale()));
    json_object_set_new(report, "isolation", json_string(eh_isolation_name(r->iso)));
    if (r->iso == EH_ISO_HOST)
        json_object_set_new(report, "isolation_note", json_string(r->why));
    json_object_set_new(report, "command", json_string(cmd ? cmd : "echoharness run"));
    if (r->stop_signo != 0)
        json_object_set_new(report, "interrupted", json_string(eh_signal_name(r->stop_signo)));
    if (json_array_size(r->not_applicable) > 0)
        json_object_set(report, "not_applicable", r->not_applicable);
    json_object_set_new(report, "layout", json_string(r->index ? "index" : "single"));
    json_object_set_new(report, "implementations", implementations_json(r));
    json_object_set(report, "selection", r->plan.selection);
    if (r->shard_n > 0)
        json_object_set_new(
            report, "shard",
            json_pack("{s:i, s:[i]}", "of", (int)r->shard_n, "parts", (int)r->shard_k));
    json_object_set_new(report, "scenarios", arr);
    eh_report_summarize(report);
    free(cmd);
    r->report = report;
}

/* Which results print_results() prints. */
enum shown {
    SHOWN_PROBLEMS,   /* FAIL, ERROR, TIMEOUT */
    SHOWN_NOT_SERVED, /* SKIP: not served by the server under test */
    SHOWN_SKIPPED,    /* any other SKIP */
};

/* Prints the results of one class, "FAIL    pair: reason", under a heading
 * (none for the problems, which come first). */
static void print_results(const struct run *r, enum shown which)
{
    const json_t *arr = json_object_get(r->report, "scenarios");
    char label[512];
    bool first = true;
    for (size_t i = 0; i < r->plan.n; i++) {
        json_t *res = json_array_get(arr, i);
        enum eh_verdict v = EH_ERROR;
        eh_verdict_parse(json_string_value(json_object_get(res, "verdict")), &v);
        bool not_served = v == EH_SKIP && eh_grade_not_served(res);
        bool shown = false;
        switch (which) {
        case SHOWN_PROBLEMS:
            shown = v != EH_PASS && v != EH_SKIP;
            break;
        case SHOWN_NOT_SERVED:
            shown = not_served;
            break;
        case SHOWN_SKIPPED:
            shown = v == EH_SKIP && !not_served;
            break;
        }
        if (!shown)
            continue;
        if (first && which == SHOWN_NOT_SERVED)
            puts("not served by this implementation (not counted; --require makes them fail):");
        first = false;
        printf("%-7s %s: ", eh_verdict_name(v),
               pair_label(&r->rs, &r->plan.pairs[i], label, sizeof(label)));
        print_safe(stdout, json_string_value(json_object_get(res, "reason")));
        putchar('\n');
    }
}

/* The grade (grade.h) in one line: of the run, or of each implementation. */
static void print_grades(const struct run *r)
{
    for (size_t i = 0; i < r->impls.n; i++) {
        json_t *own = r->index ? eh_report_for_implementation(r->report, r->impls.v[i].name)
                               : json_incref(r->report);
        struct eh_grade g;
        char line[512];
        eh_grade_of(own, &g);
        eh_grade_line(&g, line, sizeof(line));
        if (g.apply + g.not_served + g.not_judged > 0)
            printf("grade%s%s: %s\n", r->index ? " of " : "", r->index ? r->impls.v[i].name : "",
                   line);
        json_decref(own);
    }
}

/* Stage 5b: with --baseline, the changes against it; every pair that did
 * not pass, with its reason, on stdout (the failures first, then those not
 * served, then the other skips); the reports into the report directory;
 * with --repeat, each pair's distribution. */
static int write_reports(struct run *r)
{
    const json_t *arr = json_object_get(r->report, "scenarios");
    char label[512];
    if (r->baseline != NULL) {
        printf("Against the baseline %s:\n", r->baseline_path);
        eh_report_diff_count(r->baseline, r->report, stdout, &r->against);
    }
    print_results(r, SHOWN_PROBLEMS);
    print_results(r, SHOWN_NOT_SERVED);
    print_results(r, SHOWN_SKIPPED);
    struct eh_error err = {0};
    int status = EH_EXIT_PASS;
    if (eh_report_write_all(r->report, r->cfg.report_dir, &err) != EH_OK) {
        fprintf(stderr, "echoharness: writing reports: %s\n", err.msg);
        status = EH_EXIT_USAGE;
    }
    if (r->repeat > 1) {
        for (size_t i = 0; i < r->plan.n; i++) {
            char line[1024];
            eh_repeat_describe(json_array_get(arr, i), line, sizeof(line));
            printf("%s: %s\n", pair_label(&r->rs, &r->plan.pairs[i], label, sizeof(label)), line);
        }
    }
    return status;
}

/* Stage 6: the line of totals, and the exit status: status (from writing
 * the reports) unless a scenario did not pass (with --baseline: a change
 * against the baseline) or a signal stopped the run. */
static int print_summary(const struct run *r, int status)
{
    const size_t *counts = r->counts;
    size_t not_passed = counts[EH_FAIL] + counts[EH_ERROR] + counts[EH_TIMED_OUT];
    print_grades(r);
    if (r->shard_n > 0)
        printf("shard %u/%u: ", r->shard_k, r->shard_n);
    if (r->index)
        printf("%zu implementations: ", r->impls.n);
    printf("%zu passed, %zu failed, %zu skipped (%zu error, %zu timeout) in %.1f s; reports in "
           "%s/\n",
           counts[EH_PASS], not_passed, counts[EH_SKIP], counts[EH_ERROR], counts[EH_TIMED_OUT],
           (double)(eh_now_us() - r->t0) / 1e6, r->cfg.report_dir);
    if (r->baseline != NULL) {
        const struct eh_report_diff_counts *d = &r->against;
        printf("against the baseline %s: %zu change%s (%zu regression%s, %zu fixed, %zu changed, "
               "%zu skipped, %zu new failing)%s\n",
               r->baseline_path, d->changes, d->changes == 1 ? "" : "s", d->regressions,
               d->regressions == 1 ? "" : "s", d->fixed, d->changed, d->skipped, d->added_failing,
               d->changes > 0 ? "; once they are wanted, make this report the baseline" : "");
        not_passed = d->changes;
    }
    if (status == EH_EXIT_PASS && not_passed > 0)
        status = EH_EXIT_NOT_PASSED;
    if (r->stop_signo != 0) {
        fprintf(stderr,
                "echoharness: interrupted by %s: %zu of %zu scenarios ran (any cut short is "
                "ERROR, the rest SKIP); the reports in %s/ are partial\n",
                eh_signal_name(r->stop_signo), r->rs.done, r->rs.n, r->cfg.report_dir);
        status = 128 + r->stop_signo; /* as a shell reports a death by that signal */
    }
    return status;
}

/* EH_DEBUG_FD_REPORT=1: the number of file descriptors open in this process,
 * on stderr at the start and the end of the run, for the tests that prove
 * a run leaks none whatever its scenarios do. */
static void debug_fd_report(const char *when)
{
    const char *v = getenv("EH_DEBUG_FD_REPORT");
    DIR *d = v != NULL && strcmp(v, "1") == 0 ? opendir("/proc/self/fd") : NULL;
    if (d == NULL)
        return;
    int n = -1; /* the directory's own descriptor is not counted */
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    fprintf(stderr, "echoharness: EH_DEBUG_FD_REPORT: %d open file descriptors at the %s of run\n",
            n - 2, when); /* "." and ".." */
}

int eh_cmd_run(int argc, char **argv, double timeout_scale)
{
    eh_isolate_prepare(); /* its pipe lasts as long as the process: counted from the start */
    debug_fd_report("start");
    struct run r = {
        .cfg.report_dir = "reports/latest", .jobs = 1, .repeat = 1, .timeout_scale = timeout_scale};
    pthread_mutex_init(&r.rs.lock, NULL);
    int status = parse_options(&r, argc, argv);
    if (status == RUN_GO)
        status = prepare(&r, argv + optind, (size_t)(argc - optind));
    if (status == RUN_GO) {
        /* While this is the only thread: every scenario's process is forked
         * from this copy of the harness, never from a worker (isolate.h). */
        struct eh_error fs_err = {0};
        if (eh_isolate_start(&fs_err) != EH_OK)
            fprintf(stderr, "echoharness: %s\n", fs_err.msg);
        run_pool(&r);
        collect_results(&r);
        build_report(&r, argv);
        status = print_summary(&r, write_reports(&r));
        eh_isolate_finish(); /* the last scenarios' processes end while the reports are written */
    }
    json_decref(r.report); /* holds the results */
    json_decref(r.baseline);
    json_decref(r.not_applicable);
    free(r.rs.results);
    free(r.cfgs);
    free(r.dirs);
    pthread_mutex_destroy(&r.rs.lock);
    eh__plan_free(&r.plan);
    eh__impls_free(&r.impls);
    eh__scenarios_free(r.scs, r.n_scs);
    free(r.sel.tags);
    free(r.sel.filters);
    debug_fd_report("end");
    return status;
}
