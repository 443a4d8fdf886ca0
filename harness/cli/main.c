/* main.c - the echoharness command line: dispatch over the commands.
 *
 * A thin layer over the harness libraries. main() handles what comes before
 * a command (--help, --version, reading EH_TIMEOUT_SCALE) and hands the
 * rest of the command line to one eh_cmd_*() per command (cli.h), whose
 * return value is the exit status: 0 every selected scenario passed (or was
 * skipped), 1 at least one did not, 2 usage, configuration or scenario-file
 * error. Only this program exits; the commands return.
 */
#include "cli.h"
#include "eh.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
          "  merge REPORT.json... --report-dir DIR\n"
          "                               one report from the reports of a run's shards\n"
          "\n"
          "Run 'echoharness COMMAND --help' for a command's options.\n"
          "Exit status: 0 all selected scenarios passed, 1 at least one did not,\n"
          "2 usage, configuration or scenario-file error, 128+N when stopped by signal N\n"
          "(130: Ctrl-C; the reports of what ran are still written).\n",
          out);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a peer's close is an event, never our death */
    /* Checked for every command; run sets the scale from it, or from its
     * --timeout-scale, before it starts any thread. */
    const char *env_scale = getenv("EH_TIMEOUT_SCALE");
    double scale = 1.0;
    struct eh_error err = {0};
    if (env_scale != NULL &&
        eh_timeout_scale_parse("EH_TIMEOUT_SCALE", env_scale, &scale, &err) != EH_OK) {
        fprintf(stderr, "echoharness: %s\n", err.msg);
        return EH_EXIT_USAGE;
    }
    if (argc < 2) {
        usage_main(stderr);
        return EH_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return EH_EXIT_PASS;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("echoharness %s\n", EH_VERSION);
        return EH_EXIT_PASS;
    }
    argc--;
    argv++;
    if (strcmp(cmd, "run") == 0)
        return eh_cmd_run(argc, argv, scale);
    if (strcmp(cmd, "list") == 0)
        return eh_cmd_list(argc, argv);
    if (strcmp(cmd, "validate") == 0)
        return eh_cmd_validate(argc, argv);
    if (strcmp(cmd, "analyze") == 0)
        return eh_cmd_analyze(argc, argv);
    if (strcmp(cmd, "diff") == 0)
        return eh_cmd_diff(argc, argv);
    if (strcmp(cmd, "merge") == 0)
        return eh_cmd_merge(argc, argv);
    fprintf(stderr, "echoharness: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return EH_EXIT_USAGE;
}
