# SPDX-License-Identifier: LGPL-2.1-or-later
# libpassthru: plain Makefile. `make`, `make check`, `make check-asan`,
# `make run`, `make install PREFIX=... DESTDIR=...`, `make bench`.

VERSION := $(shell sed -n 's/^\#define PT_VERSION "\(.*\)"/\1/p' include/passthru/version.h)
SOVERSION := $(firstword $(subst ., ,$(VERSION)))

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
LIBEXECDIR ?= $(PREFIX)/libexec
# Our helper programs (passthru-init); the library also finds them beside
# itself, so a build tree and a relocated install work too.
HELPERDIR := $(LIBEXECDIR)/passthru
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
# Linked into libpassthru.so; the .pc file lists exactly these.
LINK_MODULES := libudev
# Loaded on first use with dlopen (libpassthru/base/dlopen-*.c): only their
# headers are needed to build, they are neither linked nor in the .pc file.
DLOPEN_MODULES := libpulse json-c xcb xau libdrm
# Suites also link json-c to read the JSON they check; umockdev: testbeds
# (fake sysfs, /dev, /proc) for the GPUs this machine lacks.
TEST_MODULES := criterion umockdev-1.0 json-c
# Empty when a module is missing (pkg-config prints nothing then); the
# check-build-deps targets below stop the build with the module's name first.
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LINK_MODULES) $(DLOPEN_MODULES) 2>/dev/null)
DEPS_LIBS := $(shell $(PKG_CONFIG) --libs $(LINK_MODULES) 2>/dev/null)
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_MODULES) 2>/dev/null)
TEST_LIBS := $(shell $(PKG_CONFIG) --libs $(TEST_MODULES) 2>/dev/null)

BUILD ?= build
WERROR ?= 1
SANITIZE ?=
OPT ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes $(if $(filter 1,$(WERROR)),-Werror)
SANFLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
CFLAGS ?=
LDFLAGS ?=
ALL_CFLAGS := -std=gnu11 $(OPT) $(WARNINGS) $(SANFLAGS) -D_GNU_SOURCE -Iinclude $(DEPS_CFLAGS) $(CFLAGS)

# The library's layers, one folder each: base (errors, processes, files,
# optional libraries) -> producers (GPUs, NVIDIA driver, display, audio,
# Wayland) -> plan -> launch (backends, supervision) and emit (CDI, nspawn
# settings) -> report (probe, doctor). Private headers are found by name.
LIB_LAYERS := base producers plan launch emit report
LIB_INCLUDES := $(LIB_LAYERS:%=-Ilibpassthru/%) -Ilibpassthru/gen
LIB_SRCS := $(sort $(foreach l,$(LIB_LAYERS),$(wildcard libpassthru/$(l)/*.c)))
LIB_OBJS := $(LIB_SRCS:libpassthru/%.c=$(BUILD)/obj/%.o)
TOOLS := passthru-probe passthru-launch
TOOL_BINS := $(TOOLS:%=$(BUILD)/%)
EXAMPLE_BINS := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
TEST_SRCS := $(sort $(wildcard tests/test-*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TEST_HELPERS := $(filter-out $(TEST_SRCS) tests/escape-probe.c,$(wildcard tests/*.c))
TEST_HELPER_OBJS := $(TEST_HELPERS:tests/%.c=$(BUILD)/tests/%.o)
SO := $(BUILD)/libpassthru.so.$(VERSION)
SONAME := libpassthru.so.$(SOVERSION)
AR_LIB := $(BUILD)/libpassthru.a

.PHONY: all lib tools helpers tests check check-asan run deps install uninstall clean bench format \
	check-build-deps check-test-deps

all: lib tools helpers

lib: $(SO) $(AR_LIB) $(BUILD)/libpassthru.pc
tools: $(TOOL_BINS)
helpers: $(BUILD)/passthru-init
tests: $(TEST_BINS) $(BUILD)/tests/escape-probe $(EXAMPLE_BINS)

# Each compile writes its header dependencies next to its output (-MMD);
# -MP keeps a removed header from breaking the next build.
DEPFLAGS = -MMD -MP
-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d $(BUILD)/examples/*.d $(BUILD)/*.d)

# A missing -dev package stops the build here, named, instead of as a
# missing header in the first file that includes it.
check-build-deps:
	@scripts/install-deps --check-modules $(LINK_MODULES) $(DLOPEN_MODULES)
check-test-deps:
	@scripts/install-deps --check-modules $(TEST_MODULES)

$(BUILD)/obj/%.o: libpassthru/%.c | check-build-deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -fPIC -fvisibility=hidden $(LIB_INCLUDES) -c $< -o $@

$(BUILD)/obj/launch/launch.o: ALL_CFLAGS += -DPT_HELPERDIR='"$(HELPERDIR)"'

# The container's init under nspawn: static, so that a container root
# needs nothing of ours; no sanitizer (it runs inside the container).
$(BUILD)/passthru-init: libexec/passthru-init.c | $(BUILD)
	$(CC) -std=gnu11 -Os $(WARNINGS) -D_GNU_SOURCE -static $< -o $@

$(SO): $(LIB_OBJS) libpassthru/libpassthru.sym
	$(CC) $(SANFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=libpassthru/libpassthru.sym \
		-Wl,-z,defs -o $@ $(LIB_OBJS) $(DEPS_LIBS) $(LDFLAGS)
	ln -sf libpassthru.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libpassthru.so

$(AR_LIB): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

# Tools link the shared library and see only the public headers. The rpath
# finds it beside them in build/ and in ../lib once installed.
$(BUILD)/%: tools/%.c $(SO)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $< -o $@ -L$(BUILD) -lpassthru -Wl,-rpath,'$$ORIGIN:$$ORIGIN/../lib' $(LDFLAGS)

# Examples are what another program does: public headers, the shared library.
$(BUILD)/examples/%: examples/%.c $(SO) | $(BUILD)/examples
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $< -o $@ -L$(BUILD) -lpassthru -Wl,-rpath,'$$ORIGIN/..' $(LDFLAGS)

# Tests link the static archive (internal functions are testable) and the
# helpers in tests/*.c that are not suites.
$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/tests check-build-deps check-test-deps
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(LIB_INCLUDES) -Itests $(TEST_CFLAGS) -c $< -o $@

# Kept: make would delete them as intermediates and relink every suite.
.SECONDARY: $(TEST_HELPER_OBJS)
$(BUILD)/tests/%: tests/%.c $(TEST_HELPER_OBJS) $(AR_LIB) | $(BUILD)/tests check-test-deps
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(LIB_INCLUDES) -Itests $(TEST_CFLAGS) $< $(TEST_HELPER_OBJS) -o $@ \
		$(AR_LIB) $(DEPS_LIBS) $(TEST_LIBS) $(LDFLAGS)

# A static program the confinement suite copies into container roots that
# have no C library of their own; it tries each escape and says what worked.
$(BUILD)/tests/escape-probe: tests/escape-probe.c | $(BUILD)/tests
	$(CC) -std=gnu11 $(OPT) $(WARNINGS) -D_GNU_SOURCE -static $< -o $@

# ---- the seccomp filter, built once at build time ----
# libseccomp builds the native backend's filter here, not at every launch:
# seccomp-gen writes the program as a C array that seccomp-filter.c embeds,
# so the library neither links libseccomp nor spends ~1 ms per launch on
# the same program. A cross build sets CC_FOR_BUILD for the generator; the
# header refuses to compile for an architecture it was not made for.
SECCOMP_MODULES := libseccomp
SECCOMP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(SECCOMP_MODULES) 2>/dev/null)
SECCOMP_LIBS := $(shell $(PKG_CONFIG) --libs $(SECCOMP_MODULES) 2>/dev/null)
CC_FOR_BUILD ?= $(CC)
SECCOMP_GEN_SRCS := libpassthru/gen/seccomp-gen.c libpassthru/gen/seccomp-build.c libpassthru/base/error.c
$(BUILD)/gen/seccomp-gen: $(SECCOMP_GEN_SRCS) libpassthru/gen/seccomp-build.h | $(BUILD)/gen check-build-deps
	$(CC_FOR_BUILD) -std=gnu11 -O2 $(WARNINGS) -D_GNU_SOURCE -Iinclude $(LIB_INCLUDES) -Ilibpassthru $(SECCOMP_CFLAGS) \
		$(SECCOMP_GEN_SRCS) -o $@ $(SECCOMP_LIBS)
$(BUILD)/gen/seccomp-bpf.h: $(BUILD)/gen/seccomp-gen
	$< $@.tmp && mv $@.tmp $@
$(BUILD)/obj/launch/seccomp-filter.o: $(BUILD)/gen/seccomp-bpf.h
$(BUILD)/obj/launch/seccomp-filter.o: ALL_CFLAGS += -I$(BUILD)/gen
# The suite builds the program again with the libseccomp installed now
# and compares it with the embedded one.
$(BUILD)/gen/seccomp-build.o: libpassthru/gen/seccomp-build.c | $(BUILD)/gen check-build-deps
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(LIB_INCLUDES) -Ilibpassthru $(SECCOMP_CFLAGS) -c $< -o $@
$(BUILD)/tests/test-seccomp-filter: $(BUILD)/gen/seccomp-build.o
$(BUILD)/tests/test-seccomp-filter: TEST_HELPER_OBJS += $(BUILD)/gen/seccomp-build.o
$(BUILD)/tests/test-seccomp-filter: TEST_CFLAGS += $(SECCOMP_CFLAGS)
$(BUILD)/tests/test-seccomp-filter: LDFLAGS += $(SECCOMP_LIBS)
check-build-deps: check-seccomp-deps
.PHONY: check-seccomp-deps
check-seccomp-deps:
	@scripts/install-deps --check-modules $(SECCOMP_MODULES)
$(BUILD)/gen:
	mkdir -p $@
-include $(wildcard $(BUILD)/gen/*.d)

# Written again whenever PREFIX and friends change, so an install never
# ships a .pc that points at another prefix.
PC_SED := -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	  -e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES_PRIVATE@|$(LINK_MODULES)|' -e 's|@LIBS_PRIVATE@||'
$(BUILD)/libpassthru.pc: pkgconfig/libpassthru.pc.in include/passthru/version.h FORCE | $(BUILD)
	sed $(PC_SED) $< > $@.tmp
	cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

.PHONY: FORCE
FORCE:

$(BUILD) $(BUILD)/obj $(BUILD)/tests $(BUILD)/examples:
	mkdir -p $@

deps:
	@scripts/install-deps

# Targets that install packages first build in a second make: this one read
# the pkg-config flags before the packages were there (empty on a fresh
# machine); the second reads them again. Every suite runs even when one
# fails; the summary line counts them.
check: deps
	$(MAKE) all tests
	@scripts/run-tests $(BUILD)

check-asan: deps
	$(MAKE) BUILD=build-asan SANITIZE=address,undefined OPT="-O1 -g" all tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		scripts/run-tests build-asan

run: deps
	$(MAKE) all
	@scripts/demo $(BUILD)

bench: deps
	$(MAKE) all
	@bench/run $(BUILD)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/passthru $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(HELPERDIR)
	install -m 0755 $(BUILD)/passthru-init $(DESTDIR)$(HELPERDIR)/
	install -m 0755 $(SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libpassthru.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libpassthru.so
	install -m 0644 $(AR_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 0644 include/passthru/*.h $(DESTDIR)$(INCLUDEDIR)/passthru/
	install -m 0644 $(BUILD)/libpassthru.pc $(DESTDIR)$(PKGCONFIGDIR)/

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(LIBDIR)/libpassthru.* \
	      $(DESTDIR)$(PKGCONFIGDIR)/libpassthru.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/passthru $(DESTDIR)$(HELPERDIR)

format:
	clang-format -i include/passthru/*.h libpassthru/*/*.[ch] tools/*.c tests/*.[ch]

clean:
	rm -rf build build-asan

# ---- fuzzing (libFuzzer): `make fuzz FUZZ_SECONDS=N` ---------------------
# Each tests/fuzz/fuzz-*.c is linked with the library's objects built again
# by clang with ASan/UBSan and coverage (fuzzer-no-link) in $(FUZZ_BUILD),
# then run for FUZZ_SECONDS on its corpus in tests/fuzz/corpus/NAME.
# (ld.so.cache: tests/fuzz/fuzz-ld-so-cache.c.)
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -Iinclude $(LIB_INCLUDES) $(DEPS_CFLAGS)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_OBJS := $(LIB_SRCS:libpassthru/%.c=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: libpassthru/%.c $(wildcard libpassthru/*/*.h include/passthru/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -fvisibility=hidden -c $< -o $@

$(FUZZ_BUILD)/obj/launch/launch.o: FUZZ_CFLAGS += -DPT_HELPERDIR='"$(HELPERDIR)"'
# The generated seccomp program is the main build's (no parser in it).
$(FUZZ_BUILD)/obj/launch/seccomp-filter.o: $(BUILD)/gen/seccomp-bpf.h
$(FUZZ_BUILD)/obj/launch/seccomp-filter.o: FUZZ_CFLAGS += -I$(BUILD)/gen

$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_OBJS) -o $@ $(DEPS_LIBS) $(LDFLAGS)

# The clang objects are kept between runs (make would delete them as
# intermediates of the harnesses).
.SECONDARY: $(FUZZ_OBJS)
.PHONY: fuzz fuzz-build clean-fuzz
fuzz-build: $(FUZZ_BINS)
fuzz: deps
	$(MAKE) fuzz-build
	@tests/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS)
clean-fuzz:
	rm -rf $(FUZZ_BUILD)

# ---- Documentation and shell completion ----------------------------------
# Man pages are written in scdoc (man/*.scd, Debian package scdoc) and built
# with everything else; bash completion is installed where bash-completion
# loads it on demand, one file per command name.
SCDOC ?= scdoc
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MAN_PAGES := $(patsubst man/%.scd,$(BUILD)/man/%,$(wildcard man/*.scd))

.PHONY: man install-docs uninstall-docs
all: man
man: $(MAN_PAGES)
install: install-docs
uninstall: uninstall-docs

$(BUILD)/man/%: man/%.scd | $(BUILD)
	@command -v $(SCDOC) >/dev/null || { echo "missing build dependency: $(SCDOC) (Debian package scdoc); run 'make deps' as root" >&2; exit 1; }
	@mkdir -p $(@D)
	$(SCDOC) < $< > $@.tmp
	mv $@.tmp $@

install-docs: man
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(filter %.3,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 completion/passthru-launch $(DESTDIR)$(BASHCOMPDIR)/
	ln -sf passthru-launch $(DESTDIR)$(BASHCOMPDIR)/passthru-probe

uninstall-docs:
	rm -f $(patsubst $(BUILD)/man/%,$(DESTDIR)$(MANDIR)/man1/%,$(filter %.1,$(MAN_PAGES))) \
	      $(patsubst $(BUILD)/man/%,$(DESTDIR)$(MANDIR)/man3/%,$(filter %.3,$(MAN_PAGES))) \
	      $(TOOLS:%=$(DESTDIR)$(BASHCOMPDIR)/%)
