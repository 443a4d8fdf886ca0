/* paths.h - where echoharness finds its default scenarios and helper programs.
 *
 * The same binary runs from a build tree (build/bin/echoharness, scenarios in
 * the source tree) and from an install prefix (bin/echoharness,
 * share/echoharness/scenarios, libexec/echoharness/echo-server, ...), and an
 * install may be moved to another prefix. So nothing here is an absolute
 * path: the build compiles in paths relative to the executable's directory
 * (CMakeLists.txt), and the executable's directory comes from
 * /proc/self/exe at run time.
 *
 * The default scenarios, the first that is a directory of:
 *   1. scenarios/ in the current directory (a checkout's top folder);
 *   2. EXE_DIR/../share/echoharness/scenarios (an install);
 *   3. EXE_DIR/../../scenarios (a build tree: build/bin -> the source tree).
 * The default helper programs (reference and faulty builds), the first
 * directory that holds an executable echo-server:
 *   1. EXE_DIR/../libexec/echoharness (an install);
 *   2. EXE_DIR (a build tree);
 * and EXE_DIR when neither does. (The relative parts are those of the
 * configured install directories; the ones shown are the defaults.)
 */
#ifndef EH_PATHS_H
#define EH_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* The directory of the running executable, into buf. False when
 * /proc/self/exe cannot be read or buf is too small. */
bool eh_paths_exe_dir(char *buf, size_t len);

/* The default scenarios directory into buf: "scenarios" when it is the
 * current directory's, otherwise a canonical absolute path. exe_dir is the
 * executable's directory (NULL: eh_paths_exe_dir()). False when none of the
 * places exists; then buf holds the places looked at, separated by ", ",
 * for an error message. */
bool eh_paths_scenarios(const char *exe_dir, char *buf, size_t len);

/* The default directory of the reference and faulty builds into buf (a
 * canonical absolute path when found). exe_dir as above. False only when
 * the executable's directory is unknown. */
bool eh_paths_programs(const char *exe_dir, char *buf, size_t len);

#endif
