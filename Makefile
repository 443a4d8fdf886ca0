# echoharness: the two commands of the quick start.
#   make run   install what is missing, build, run scenarios/ -> reports/latest/
#   make test  install what is missing, build, run every test through CTest
#   make killmatrix   only the kill matrix (20 runs of every faulty case), its table printed
#   make test-load    only the 1000-connection load test
#   make install PREFIX=/opt/echoharness   build, then install (default /usr/local)
#   make fuzz, make test-asan, make test-valgrind: hardening runs (README "Hardening")
# Packages come from Debian (apt-get, as root or with sudo).

BUILD      ?= build
JOBS       ?= 2
CMAKE_ARGS ?=
# Arguments for `make run`, e.g. make run ARGS='--tag tutorial'
ARGS       ?=
PREFIX     ?= /usr/local

BUILD_PKGS := cmake make gcc pkg-config libpcap-dev libjansson-dev libnftables-dev check
TEST_PKGS  := tshark libxml2-utils socat iproute2 ethtool time clang-format python3-jsonschema nodejs \
              python3-yaml help2man man-db
# The browser that tests/integration/report-browser.sh opens report.html in.
# Installed apart: where apt cannot install it, that one test says why it
# was skipped and every other test still runs.
BROWSER_PKGS := chromium
# libclang-rt-dev holds libFuzzer and the sanitizer runtimes (only recommended by clang).
FUZZ_PKGS     := clang libclang-rt-dev
VALGRIND_PKGS := valgrind
# make fuzz: seconds per target, and a subset, e.g. FUZZ_TARGETS='decode flow'
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test-load all build run test install deps test-deps bench format format-check clean fuzz test-asan killmatrix \
	test-valgrind

all: build

# Installs the packages in $(1) that dpkg does not list as installed.
define install_missing
	@missing=""; \
	for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(BUILD_PKGS))

test-deps: deps
	$(call install_missing,$(TEST_PKGS))
	-$(call install_missing,$(BROWSER_PKGS))

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/bin/echoharness run --report-dir reports/latest $(ARGS)

# Every test, the kill matrix (about 16 minutes) and the 1000-connection load
# included; those two run alone, after the others (CTest RUN_SERIAL).
test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-load: test-deps build
	cd $(BUILD) && ctest --output-on-failure -L load

# Every scenario proven able to fail, 20 runs of 20 (tests/integration/killmatrix.sh),
# with its table printed.
killmatrix: test-deps build
	cd $(BUILD) && ctest --output-on-failure -V -L killmatrix

# echoharness in PREFIX/bin, the reference and faulty builds in
# PREFIX/libexec/echoharness, scenarios, baseline and schema in
# PREFIX/share/echoharness, documentation and the man page (built when
# help2man is installed) in PREFIX/share/doc/echoharness and PREFIX/share/man.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: test-deps build
	bench/analyze
	bench/scenarios
	bench/load

# libFuzzer targets of fuzz/, built with clang in build-fuzz, FUZZ_SECONDS each.
fuzz: deps
	$(call install_missing,$(FUZZ_PKGS))
	[ -f build-fuzz/CMakeCache.txt ] || CC=clang cmake -S . -B build-fuzz -DEH_FUZZ=ON
	cmake --build build-fuzz --target fuzz-targets -j $(JOBS)
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Every test but the kill matrix (its 20 repeats of every case would take
# hours instrumented; `make killmatrix` is the matrix) under AddressSanitizer
# and UBSan; any report fails the test.
test-asan: test-deps
	[ -f build-asan/CMakeCache.txt ] || cmake -S . -B build-asan -DEH_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && EH_TIMEOUT_SCALE=3 \
	  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -LE killmatrix

# The integration tests with every echoharness under valgrind's memcheck (its
# forked children too, not the programs they exec); an error or a definite or
# indirect leak, in any of those processes, fails the test: lib.bash sends
# memcheck's output to a log per test and reads it (tests/valgrind.supp).
# Not the load test: memcheck runs the capture thread some 50 times slower
# than the kernel hands it the load's 80000 packets, so what it would show is
# a full capture ring, not a memory error; test-asan runs it instrumented.
VALGRIND ?= valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --track-fds=no --trace-children=no --vgdb=no \
	--suppressions=$(CURDIR)/tests/valgrind.supp
# Its own build-valgrind/, whose CTest time limits are 10 times as long.
test-valgrind: test-deps
	$(call install_missing,$(VALGRIND_PKGS))
	[ -f build-valgrind/CMakeCache.txt ] || cmake -S . -B build-valgrind -DEH_TEST_TIMEOUT_SCALE=10
	cmake --build build-valgrind -j $(JOBS)
	cd build-valgrind && EH_WRAPPER='$(VALGRIND)' EH_TIMEOUT_SCALE=10 \
	  ctest --output-on-failure -j $(JOBS) -L integration -LE load

# Every C file of the project, as the format check sees it.
C_SOURCES = $(shell find base reference harness servers clients tests/unit fuzz bench \
              -name '*.[ch]' 2>/dev/null | sort)

format:
	clang-format -i $(C_SOURCES)

format-check:
	clang-format --dry-run --Werror $(C_SOURCES)

clean:
	rm -rf $(BUILD)
