# echoharness: the two commands of the quick start.
#   make run   install what is missing, build, run scenarios/ -> reports/latest/
#   make test  install what is missing, build, run every test through CTest
#   make install PREFIX=/opt/echoharness   build, then install (default /usr/local)
# Packages come from Debian (apt-get, as root or with sudo).

BUILD      ?= build
JOBS       ?= 2
CMAKE_ARGS ?=
# Arguments for `make run`, e.g. make run ARGS='--tag tutorial'
ARGS       ?=
PREFIX     ?= /usr/local

BUILD_PKGS := cmake make gcc pkg-config libpcap-dev libjansson-dev libnftables-dev check
TEST_PKGS  := tshark libxml2-utils socat iproute2 ethtool time clang-format python3-jsonschema \
              python3-yaml help2man man-db
# The browser that tests/integration/report-browser.sh opens report.html in.
# Installed apart: where apt cannot install it, that one test says why it
# was skipped and every other test still runs.
BROWSER_PKGS := chromium
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build run test install deps test-deps bench format format-check clean

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

test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# echoharness in PREFIX/bin, the reference and faulty builds in
# PREFIX/libexec/echoharness, scenarios, baseline and schema in
# PREFIX/share/echoharness, documentation and the man page (built when
# help2man is installed) in PREFIX/share/doc/echoharness and PREFIX/share/man.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: test-deps build
	bench/analyze
	bench/scenarios

# Every C file of the project, as the format check sees it.
C_SOURCES = $(shell find base reference harness servers clients tests/unit fuzz bench \
              -name '*.[ch]' 2>/dev/null | sort)

format:
	clang-format -i $(C_SOURCES)

format-check:
	clang-format --dry-run --Werror $(C_SOURCES)

clean:
	rm -rf $(BUILD)
