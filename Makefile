# listenq: conformance and fuzzing harness for the Linux TCP listen queues.
# `make help` lists the targets.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DOCDIR ?= $(PREFIX)/share/doc/listenq
DATADIR ?= $(PREFIX)/share/listenq
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
VERSION := $(shell sed -n 's/^\#define LISTENQ_VERSION "\(.*\)"/\1/p' harness/cli/main.c)

CC ?= cc
CLANG ?= clang
PKG_CONFIG ?= pkg-config
LIBNET_CONFIG ?= libnet-config
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
SANITIZE ?=

# A sanitizer build gets a directory of its own, so it never mixes objects
# with the plain build.
ifeq ($(strip $(SANITIZE)),)
BUILD ?= build
SAN_FLAGS :=
else
BUILD ?= build/sanitize
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -g -fno-omit-frame-pointer
endif

# Flags every listenq object is built with; the user's CFLAGS come after the
# warnings so that they can tune optimisation, never silence -Werror.
LQ_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wvla -Wformat=2 -Wno-format-nonliteral -I. -Iharness
LQ_DEPFLAGS = -MMD -MP

PCAP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcap 2>/dev/null)
PCAP_LIBS := $(shell $(PKG_CONFIG) --libs libpcap 2>/dev/null || echo -lpcap)
MNL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmnl 2>/dev/null)
MNL_LIBS := $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)
JANSSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson 2>/dev/null)
JANSSON_LIBS := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson)
# libnet 1.1.x ships libnet-config, not a .pc file; its --defines are
# deprecated BSD feature macros we do not need (libnet.h sets byte order).
LIBNET_CFLAGS := $(shell $(LIBNET_CONFIG) --cflags 2>/dev/null)
LIBNET_LIBS := $(shell $(LIBNET_CONFIG) --libs 2>/dev/null || echo -lnet)
LIBS := $(LIBNET_LIBS) $(PCAP_LIBS) $(MNL_LIBS) $(JANSSON_LIBS) -lm

ALL_CFLAGS = $(LQ_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS)

# Quiet by default (one line per file); make V=1 prints the whole commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n'
endif
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

MODEL_SRC := $(sort $(wildcard model/*.c))
HARNESS_SRC := $(sort $(filter-out harness/cli/main.c,$(wildcard harness/*/*.c)))
MODEL_OBJ := $(MODEL_SRC:%.c=$(BUILD)/obj/%.o)
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/harness/cli/main.o
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBMODEL := $(BUILD)/libmodel.a
LIBLISTENQ := $(BUILD)/liblistenq.a
LISTENQ := $(BUILD)/listenq

.PHONY: all check test unit run bench fuzz fuzz-smoke clean install install-files kselftest-install kselftest-install-files uninstall format \
	format-check deps-build deps-check deps-run deps-fuzz matrix help lint coverage-model mutate regress-bench

all: $(LISTENQ)

help:
	@echo 'make               build build/listenq (and its libraries)'
	@echo 'make check         build and run every test tier this machine can run (alias: test)'
	@echo 'make unit          build the unit-test programs only (make check runs them)'
	@echo 'make run           the conformance suite against this kernel (needs root)'
	@echo 'make bench         print performance figures as "name: value" lines'
	@echo 'make fuzz          build the libFuzzer targets (clang) into build/fuzz/'
	@echo 'make matrix        run the fast suite on several kernels in VMs (see docs/matrix.md)'
	@echo 'make coverage-model  branch coverage of model/ by corpus/conformance (gcov, model only)'
	@echo 'make mutate        mutation testing of the model (slow; MUTATE_FLAGS, see docs/mutation.md)'
	@echo 'make regress-bench revert/apply real listen-path commits in 6.12.117 and show the matrix catches each'
	@echo 'make format        reformat the C sources; make format-check only checks'
	@echo 'make lint          static checks of the C sources (cppcheck, ci/lint.sh)'
	@echo 'make install       install listenq, its data, man page and completion under $$(DESTDIR)$$(PREFIX)'
	@echo 'make clean         remove build/'
	@echo 'Variables: CC CFLAGS CPPFLAGS LDFLAGS SANITIZE=address,undefined PREFIX DESTDIR'

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) $(LQ_DEPFLAGS) -c -o $@ $<

# Where an installed listenq finds its data (util/datadir.h; a tree installed
# elsewhere with DESTDIR is found next to the binary).
$(BUILD)/obj/harness/util/datadir.o: LQ_CFLAGS += -DLQ_DATADIR='"$(DATADIR)"'

# Only the modules that talk to a library see its headers.
$(BUILD)/obj/harness/live/inject.o: LQ_CFLAGS += $(LIBNET_CFLAGS)
$(BUILD)/obj/harness/live/capture.o $(BUILD)/obj/harness/wire/pcapout.o \
	$(BUILD)/obj/harness/wire/pcapin.o: LQ_CFLAGS += $(PCAP_CFLAGS)
$(BUILD)/obj/harness/live/netns.o $(BUILD)/obj/harness/live/diag.o: LQ_CFLAGS += $(MNL_CFLAGS)
$(BUILD)/obj/harness/replay/recording.o $(BUILD)/obj/harness/matrix/matrix.o \
	$(BUILD)/obj/harness/matrix/matrix_report.o $(BUILD)/obj/harness/util/json.o \
	$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard harness/report/*.c)) \
	$(BUILD)/obj/harness/cli/cmd_fuzz.o $(BUILD)/obj/harness/cli/cmd_kcidb.o \
	$(BUILD)/obj/harness/cli/bench.o: \
	LQ_CFLAGS += $(JANSSON_CFLAGS)

$(LIBMODEL): $(MODEL_OBJ)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIBLISTENQ): $(HARNESS_OBJ)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LISTENQ): $(MAIN_OBJ) $(LIBLISTENQ) $(LIBMODEL)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBLISTENQ) $(LIBMODEL) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBLISTENQ) $(LIBMODEL) tests/tap.h tests/model_test.h tests/kernel_dress.h
	@mkdir -p $(@D)
	$(say) TEST $@
	$(Q)$(CC) $(ALL_CFLAGS) -Itests $(ALL_LDFLAGS) -o $@ $< $(LIBLISTENQ) $(LIBMODEL) $(LIBS)

# Builds the unit-test programs; `make check` (tests/run.sh) runs them.
unit: $(TEST_BIN) $(BUILD)/listenq-test

# The same command with test-only switches (--model-bug: a deliberately wrong
# model rule, for the tests that show the differential runner catches it).
$(BUILD)/obj-test/cmd_run.o: harness/cli/cmd_run.c
	@mkdir -p $(@D)
	$(say) CC $< "(test switches)"
	$(Q)$(CC) $(ALL_CFLAGS) $(LQ_DEPFLAGS) -DLQ_TEST_SWITCHES -c -o $@ $<

$(BUILD)/listenq-test: $(MAIN_OBJ) $(BUILD)/obj-test/cmd_run.o $(LIBLISTENQ) $(LIBMODEL)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(BUILD)/obj-test/cmd_run.o $(LIBLISTENQ) $(LIBMODEL) $(LIBS)

# Installs the Debian packages a purpose needs when they are missing.
deps-build:
	@sh ci/deps.sh build
deps-check:
	@sh ci/deps.sh check
deps-run:
	@sh ci/deps.sh run
deps-fuzz:
	@sh ci/deps.sh fuzz

# The dependency installers must run before the compiler looks for headers,
# so the build itself is a sub-make.
check test: deps-check
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory fuzz-build-if-clang
	@sh tests/run.sh $(BUILD)

run: deps-run
	@$(MAKE) --no-print-directory all
	$(LISTENQ) run --family both $(RUN_FLAGS) corpus/conformance

bench: deps-build
	@$(MAKE) --no-print-directory all
	@sh ci/bench.sh $(BUILD)

FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TARGETS := listenq_model_fuzzer listenq_parse_fuzzer listenq_diff_fuzzer
FUZZ_SAN ?= address,undefined
FUZZ_CFLAGS ?= -O1 -g
fuzz: deps-fuzz
	@$(MAKE) --no-print-directory fuzz-build

fuzz-build:
	@sh fuzz/build.sh "$(FUZZ_DIR)" "$(CLANG)" "$(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN)" \
		"$(LIBS)" "-fsanitize=fuzzer,$(FUZZ_SAN)"

# make check builds the fuzz targets too, when clang has libFuzzer.
fuzz-build-if-clang:
	@if command -v $(CLANG) >/dev/null 2>&1 && [ -d fuzz ] && [ -f fuzz/build.sh ]; then \
		$(MAKE) --no-print-directory fuzz-build; fi

# Branch coverage of model/ by the conformance corpus, model only (gcov).
coverage-model: deps-build
	@sh ci/coverage-model.sh $(BUILD)/coverage

# The mutants of tests/mutants/mutants.txt through the detectors (root for the
# live ones; the fuzz detector needs clang). Slow: not part of make check.
MUTATE_FLAGS ?= --fuzz-time 20
mutate: deps-build
	@sh ci/mutate.sh --build $(BUILD) $(MUTATE_FLAGS)

matrix: all
	@sh ci/deps.sh matrix
	$(LISTENQ) matrix $(MATRIX_FLAGS)

# The proof on real kernels (docs/matrix.md): Debian's 6.12.117 built once,
# then each commit of tests/regress/table.txt reverted or applied, rebuilt
# and judged by the matrix. Long (a kernel build); not part of make check.
regress-bench:
	@sh ci/deps.sh regress
	@$(MAKE) --no-print-directory all
	sh ci/regress/bench.sh

C_FILES = $(shell find model harness fuzz tests -name '*.[ch]' 2>/dev/null | sort)
format:
	clang-format -i $(C_FILES)

format-check:
	@sh ci/format-check.sh

lint:
	@sh ci/deps.sh lint
	@sh ci/lint.sh

# Everything the installed tool needs: the binary, its data (the corpus, the
# reference recordings, the matrix scripts; util/datadir.h finds them next to
# the binary, so a DESTDIR tree works wherever it is), a man page made from
# docs/cli.md, bash completion and the docs. install-files installs what is
# built already (LISTENQ=path to choose the binary).
MAN_PAGE := $(BUILD)/listenq.1
$(MAN_PAGE): docs/cli.md dist/mkman.sh harness/cli/main.c
	@mkdir -p $(@D)
	$(say) MAN $@
	$(Q)sh dist/mkman.sh "$(VERSION)" "$(DOCDIR)" <docs/cli.md >$@.tmp && mv $@.tmp $@

install: all $(MAN_PAGE)
	@$(MAKE) --no-print-directory install-files

install-files: $(MAN_PAGE)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR)/ci/matrix \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(LISTENQ) $(DESTDIR)$(BINDIR)/listenq
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	cp -R docs $(DESTDIR)$(DOCDIR)/
	rm -rf $(DESTDIR)$(DATADIR)/corpus $(DESTDIR)$(DATADIR)/pcaps
	cp -R corpus pcaps $(DESTDIR)$(DATADIR)/
	install -m 0755 ci/matrix/*.sh $(DESTDIR)$(DATADIR)/ci/matrix/
	install -m 0644 $(MAN_PAGE) $(DESTDIR)$(MANDIR)/man1/listenq.1
	install -m 0644 dist/listenq.bash-completion $(DESTDIR)$(BASHCOMPDIR)/listenq

# A kselftest target: DESTDIR/listenq laid out as tools/testing/selftests/listenq
# (run scripts, config fragment, settings, the binary and its data) and
# DESTDIR/kselftest-list.txt, for the kernel's run_kselftest.sh
# (docs/ci-integration.md, "kselftest and NIPA").
KSFT_PROGS := conformance.sh replay.sh
kselftest-install: all
	@$(MAKE) --no-print-directory kselftest-install-files

kselftest-install-files:
	@test -n "$(DESTDIR)" || { echo 'usage: make kselftest-install DESTDIR=DIR' >&2; exit 2; }
	install -d $(DESTDIR)/listenq
	install -m 0755 $(LISTENQ) $(DESTDIR)/listenq/listenq
	install -m 0755 $(KSFT_PROGS:%=dist/kselftest/%) $(DESTDIR)/listenq/
	install -m 0644 dist/kselftest/config dist/kselftest/settings dist/kselftest/Makefile \
		$(DESTDIR)/listenq/
	rm -rf $(DESTDIR)/listenq/corpus $(DESTDIR)/listenq/pcaps
	cp -R corpus pcaps $(DESTDIR)/listenq/
	touch $(DESTDIR)/kselftest-list.txt
	for t in $(KSFT_PROGS); do grep -qx "listenq:$$t" $(DESTDIR)/kselftest-list.txt || \
		echo "listenq:$$t" >>$(DESTDIR)/kselftest-list.txt; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/listenq $(DESTDIR)$(MANDIR)/man1/listenq.1 \
		$(DESTDIR)$(BASHCOMPDIR)/listenq
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR)

clean:
	rm -rf build

-include $(MODEL_OBJ:.o=.d) $(HARNESS_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(BUILD)/obj-test/cmd_run.d
