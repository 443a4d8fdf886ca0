/* main.c - the echoharness command line: dispatch over the commands.
 *
 * A thin layer over the harness libraries. main() handles what comes before
 * a command (--help, --version, the EH_TIMEOUT_SCALE check) and hands the
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
          "\n"
          "Run 'echoharness COMMAND --help' for a command's options.\n"
          "Exit status: 0 all selected scenarios passed, 1 at least one did not,\n"
          "2 usage, configuration or scenario-file error, 128+N when stopped by signal N\n"
          "(130: Ctrl-C; the reports of what ran are still written).\n",
          out);
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"run", eh_cmd_run},         {"list", eh_cmd_list}, {"validate", eh_cmd_validate},
    {"analyze", eh_cmd_analyze}, {"diff", eh_cmd_diff},
};

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
            return EH_EXIT_USAGE;
        }
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
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "echoharness: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return EH_EXIT_USAGE;
}
