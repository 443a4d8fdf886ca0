/* paths.c - the default scenarios and helper-program directories.
 *
 * Tries the places paths.h lists, in order, each relative to the current
 * directory or to the executable's directory. EH_REL_SCENARIOS_INSTALL,
 * EH_REL_SCENARIOS_BUILD and EH_REL_PROGRAMS_INSTALL are set by
 * CMakeLists.txt from the configured install directories, relative to the
 * directory the executable is in, so that a moved install still works.
 */
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(EH_REL_SCENARIOS_INSTALL) || !defined(EH_REL_SCENARIOS_BUILD) ||                      \
    !defined(EH_REL_PROGRAMS_INSTALL)
#error                                                                                             \
    "CMakeLists.txt defines EH_REL_SCENARIOS_INSTALL, EH_REL_SCENARIOS_BUILD, EH_REL_PROGRAMS_INSTALL"
#endif

bool eh_paths_exe_dir(char *buf, size_t len)
{
    if (len < 2)
        return false;
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0 || (size_t)n >= len - 1)
        return false;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash == NULL)
        return false;
    if (slash == buf)
        slash[1] = '\0'; /* an executable in / */
    else
        *slash = '\0';
    return true;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dir/rel canonicalised into buf when it is a directory (and, if has is not
 * NULL, holds an executable named has). */
static bool try_dir(const char *dir, const char *rel, const char *has, char *buf, size_t len)
{
    char path[PATH_MAX], real[PATH_MAX];
    if (rel[0] == '/')
        snprintf(path, sizeof(path), "%s", rel);
    else if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path))
        return false;
    if (!is_dir(path) || realpath(path, real) == NULL)
        return false;
    if (has != NULL) {
        char prog[PATH_MAX];
        struct stat st;
        if ((size_t)snprintf(prog, sizeof(prog), "%s/%s", real, has) >= sizeof(prog) ||
            stat(prog, &st) != 0 || !S_ISREG(st.st_mode) || access(prog, X_OK) != 0)
            return false;
    }
    if ((size_t)snprintf(buf, len, "%s", real) >= len)
        return false;
    return true;
}

bool eh_paths_scenarios(const char *exe_dir, char *buf, size_t len)
{
    char own[PATH_MAX];
    if (is_dir("scenarios")) {
        snprintf(buf, len, "scenarios");
        return true;
    }
    if (exe_dir == NULL && eh_paths_exe_dir(own, sizeof(own)))
        exe_dir = own;
    if (exe_dir != NULL && (try_dir(exe_dir, EH_REL_SCENARIOS_INSTALL, NULL, buf, len) ||
                            try_dir(exe_dir, EH_REL_SCENARIOS_BUILD, NULL, buf, len)))
        return true;
    if (exe_dir == NULL)
        snprintf(buf, len, "./scenarios (the executable's directory is unknown)");
    else
        snprintf(buf, len, "./scenarios, %s/%s, %s/%s", exe_dir, EH_REL_SCENARIOS_INSTALL, exe_dir,
                 EH_REL_SCENARIOS_BUILD);
    return false;
}

bool eh_paths_programs(const char *exe_dir, char *buf, size_t len)
{
    char own[PATH_MAX];
    if (exe_dir == NULL) {
        if (!eh_paths_exe_dir(own, sizeof(own)))
            return false;
        exe_dir = own;
    }
    if (try_dir(exe_dir, EH_REL_PROGRAMS_INSTALL, "echo-server", buf, len) ||
        try_dir(exe_dir, ".", "echo-server", buf, len))
        return true;
    return (size_t)snprintf(buf, len, "%s", exe_dir) < len;
}
