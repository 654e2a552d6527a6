# mentord: a plain Makefile.  `make` builds daemon/mentord and
# client/mentorctl; `make help` lists the other targets.

CC	?= cc
PREFIX	?= /usr/local
DESTDIR	?=
BUILD	?= build
CFLAGS	?= -O2 -g
SAN	?=
WERROR	?=

PKGS	= libzmq libsodium lmdb libevent libevent_openssl openssl jansson inih libzip
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -DMENTOR_DATADIR=\"$(PREFIX)/share/mentord/data\" \
	-DMENTOR_WEBDIR=\"$(PREFIX)/share/mentord/web\" \
	-Wall -Wextra -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes $(WERROR) $(SAN) \
	-Iinclude -Iprotocol -Idaemon $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
LIBS	= $(PKG_LIBS) -lpthread -lm

PROTO_SRC  = $(wildcard protocol/*.c)
DAEMON_SRC = $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLIENT_SRC = $(wildcard client/*.c)
UNIT_SRC   = $(wildcard tests/unit/test_*.c)
FUZZ_SRC   = $(wildcard tests/fuzz/fuzz_*.c)

PROTO_OBJ  = $(PROTO_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ = $(DAEMON_SRC:%.c=$(BUILD)/%.o)
CLIENT_OBJ = $(CLIENT_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
REPLAY_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/replay_%)
TOOL_BIN   = $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(wildcard tests/tools/*.c))
BENCH_BIN  = $(patsubst tests/bench/%.c,$(BUILD)/tests/%,$(wildcard tests/bench/bench_*.c))

LIBPROTO  = $(BUILD)/libmentorproto.a
LIBDAEMON = $(BUILD)/libmentord.a

.PHONY: all deps test unit check-fuzz integration demo bench install deb \
	uninstall clean asan ubsan fuzz help format regen-rosters fault

all: daemon/mentord client/mentorctl

help:
	@echo "targets: all test demo bench install clean asan ubsan fuzz deps"

deps:
	@contrib/install-deps --check >/dev/null 2>&1 || contrib/install-deps

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIBPROTO): $(PROTO_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBDAEMON): $(DAEMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

daemon/mentord: $(BUILD)/daemon/main.o $(LIBDAEMON) $(LIBPROTO)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The client links the protocol library and the one daemon file that says
# where a node lives; nothing of the daemon's engine.
CLIENT_DAEMON_OBJ = $(BUILD)/daemon/nodedir.o

client/mentorctl: $(CLIENT_OBJ) $(CLIENT_DAEMON_OBJ) $(LIBPROTO)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBDAEMON) $(LIBPROTO)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $^ $(ALL_LDFLAGS) $(CMOCKA_LIBS) $(LIBS)

# The fuzz corpus is replayed by an ordinary build of each harness.
$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(LIBDAEMON) $(LIBPROTO)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

$(BUILD)/tests/%: tests/tools/%.c $(LIBPROTO)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

$(BUILD)/tests/bench_%: tests/bench/bench_%.c $(LIBDAEMON) $(LIBPROTO)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(REPLAY_BIN) $(TOOL_BIN)
	@$(MAKE) --no-print-directory fault
	@tests/run.sh $(BUILD)

# Rewrites the roster golden files (tests/data/rosters/*.out) on purpose.
regen-rosters: $(BUILD)/tests/test_roster
	@ROSTER_REGEN=1 $(BUILD)/tests/test_roster >/dev/null; git diff --stat tests/data/rosters

# The fault-injection build: mentord with -DMENTOR_FAULT (store_fault in
# daemon/store.h) in build-fault/, for tests/integration/test_fault.sh.
fault:
	@$(MAKE) --no-print-directory BUILD=build-fault \
	    CFLAGS="$(CFLAGS) -DMENTOR_FAULT" build-fault/bin/mentord

$(BUILD)/bin/mentord: $(BUILD)/daemon/main.o $(LIBDAEMON) $(LIBPROTO)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

unit: all $(UNIT_BIN)
	@tests/run.sh $(BUILD) unit

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    CFLAGS="-O1 -g" build-asan/libmentorproto.a \
	    $(UNIT_SRC:tests/unit/%.c=build-asan/tests/%) \
	    $(FUZZ_SRC:tests/fuzz/%.c=build-asan/tests/replay_%)
	@ASAN_OPTIONS=detect_leaks=1 tests/run.sh build-asan unit fuzz

ubsan:
	@$(MAKE) --no-print-directory BUILD=build-ubsan \
	    SAN="-fsanitize=undefined -fno-sanitize-recover=all" \
	    CFLAGS="-O1 -g" \
	    $(UNIT_SRC:tests/unit/%.c=build-ubsan/tests/%) \
	    $(FUZZ_SRC:tests/fuzz/%.c=build-ubsan/tests/replay_%)
	@tests/run.sh build-ubsan unit fuzz

# libFuzzer builds: build-fuzz/fuzz_NAME; run one with its corpus, e.g.
#   build-fuzz/fuzz_msg tests/fuzz/corpus/msg -max_total_time=60
fuzz:
	@mkdir -p build-fuzz
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	    echo "clang $$n"; \
	    clang -std=c11 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	    -Iinclude -Iprotocol -Idaemon $(PKG_CFLAGS) -o build-fuzz/$$n $$f \
	    $(PROTO_SRC) $(DAEMON_SRC) $(LIBS) || exit 1; done

bench: deps all $(BENCH_BIN) $(TOOL_BIN) fault
	@tests/bench/run.sh $(BUILD)

demo: deps all
	@contrib/demo.sh

# Where the service files and completions go; a package sets them to
# /usr/lib/... and /usr/share/zsh/vendor-completions.
UNITDIR		?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR	?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR	?= $(PREFIX)/share/zsh/site-functions

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/mentord \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 daemon/mentord client/mentorctl $(DESTDIR)$(PREFIX)/bin/
	install -m 644 daemon/mentord.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 client/mentorctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 644 client/mentord-formats.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	cp -R contrib/data $(DESTDIR)$(PREFIX)/share/mentord/
	if [ -d web ]; then cp -R web $(DESTDIR)$(PREFIX)/share/mentord/; fi
	sed 's|/usr/local/bin/|$(PREFIX)/bin/|' contrib/systemd/mentord.service \
	    >$(DESTDIR)$(UNITDIR)/mentord.service
	chmod 644 $(DESTDIR)$(UNITDIR)/mentord.service
	install -m 644 contrib/systemd/sysusers.conf \
	    $(DESTDIR)$(SYSUSERSDIR)/mentord.conf
	install -m 644 contrib/systemd/tmpfiles.conf \
	    $(DESTDIR)$(TMPFILESDIR)/mentord.conf
	install -m 644 contrib/completion/mentorctl.bash \
	    $(DESTDIR)$(BASHCOMPDIR)/mentorctl
	install -m 644 contrib/completion/_mentorctl $(DESTDIR)$(ZSHCOMPDIR)/

# make deb: build-deb/mentord_VERSION_ARCH.deb from the tracked files and
# contrib/debian (needs debhelper, dpkg-dev and lintian; not run by test).
deb:
	rm -rf build-deb
	mkdir -p build-deb/mentord
	git ls-files -z | xargs -0 cp -P --parents -t build-deb/mentord
	cp -R contrib/debian build-deb/mentord/debian
	cd build-deb/mentord && dpkg-buildpackage -us -uc -b
	lintian --info build-deb/*.changes

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mentord $(DESTDIR)$(PREFIX)/bin/mentorctl \
	    $(DESTDIR)$(PREFIX)/share/man/man8/mentord.8 \
	    $(DESTDIR)$(PREFIX)/share/man/man1/mentorctl.1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5/mentord-formats.5 \
	    $(DESTDIR)$(UNITDIR)/mentord.service \
	    $(DESTDIR)$(SYSUSERSDIR)/mentord.conf \
	    $(DESTDIR)$(TMPFILESDIR)/mentord.conf \
	    $(DESTDIR)$(BASHCOMPDIR)/mentorctl $(DESTDIR)$(ZSHCOMPDIR)/_mentorctl
	rm -rf $(DESTDIR)$(PREFIX)/share/mentord

format:
	clang-format -i include/*.h protocol/*.c daemon/*.[ch] client/*.[ch]

clean:
	rm -rf build build-asan build-ubsan build-fuzz build-deb build-fault daemon/mentord \
	    client/mentorctl

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
