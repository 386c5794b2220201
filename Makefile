# Makefile -- builds the chapters, runs the tests, weaves the book.
#
#   make              every chapter, as ./chNN_name at the top
#   make ch07         one chapter: ./ch07_vae
#   make test         everything with -Werror, then every test; ends "N passed, N failed"
#   make book         rewrite book.md's code blocks from the marked source regions
#   make book-check   fail if book.md differs from a fresh weave
#   make transcripts  re-run every `$ command` block of book.md, write its output
#   make transcripts-check  the same runs; fail where a quoted number differs
#   make plots        run the chapters the figures need, then gnuplot plots/*.gp
#   make bench        matrix-product GFLOP/s and ch07 seconds per epoch
#   make mnist        fetch full MNIST (70,000 digits, checksums verified) into data/mnist/
#   make fuzz         the IDX and checkpoint fuzzers, FUZZ_SECONDS=60 each (clang)
#   make clean        remove build/, out/ and the binaries
#   make test-ch07    one chapter's tests (test-common: the modules')
#   make student      the student edition, in out/student/ (tasks stubbed)
#   make grade        grade the tasks: a line per task, then "score = X/N";
#                     TASK=name grades one
#
# Knobs: CC=clang, PORTABLE=1 (no -march=native), MARCH=x86-64-v3 (another
# -march than native), SAN=1 (AddressSanitizer + UndefinedBehaviorSanitizer,
# built under build/san/), REF=1 (the plain layer alone: the loops the book
# shows, no fast forms; under build/ref/), JOBS=N (parallel tests).

CC       ?= cc
OPT      ?= -O3
JOBS     ?= 2

# The fast build uses the host's vector units where the compiler can;
# PORTABLE=1, or a compiler without -march=native, gives the portable build.
# MARCH names another target, e.g. x86-64-v3 (AVX2 and FMA, no AVX-512),
# which is how tests/test_mat_tiles.sh builds the products' other tile.
MARCH    ?= native
NATIVE   := $(if $(PORTABLE),,$(shell $(CC) -march=$(MARCH) -x c -c \
              -o /dev/null /dev/null 2>/dev/null && echo -march=$(MARCH)))
ifeq ($(NATIVE)$(PORTABLE),)
ifneq ($(MARCH),native)
$(error MARCH=$(MARCH): $(CC) does not accept -march=$(MARCH))
endif
endif

ifeq ($(SAN),1)
BUILD    := build/san
BINDIR   := build/san/bin
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
else
BUILD    := build
BINDIR   := .
SANFLAGS :=
endif

# REF=1: every chapter on the plain layer alone, the loops the book shows
# (common/layer.h), built under build/ref so that the default build is
# never touched; the binaries are build/ref/bin/chNN_name. (`override`:
# under BUILD/ref also when BUILD comes from the command line, as in the
# clang build.) tests/test_ch07_plain.sh trains ch07 on both layers:
# each build makes the other's ch07_vae too (by a second make), and the
# tests get both.
ifeq ($(REF),1)
FAST_BINDIR  := $(BINDIR)
override BUILD  := $(BUILD)/ref
override BINDIR := $(BUILD)/bin
PLAIN_BINDIR := $(BINDIR)
OTHER_VAE    := $(FAST_BINDIR)/ch07_vae
REFFLAGS     := -DREF
else
FAST_BINDIR  := $(BINDIR)
PLAIN_BINDIR := $(BUILD)/ref/bin
OTHER_VAE    := $(PLAIN_BINDIR)/ch07_vae
endif

# `make test` allows no warning. Every compile keeps what it printed in
# OBJ.warn and `make test` fails if any object of the build has one:
# -Werror's effect without -Werror in the flags stamp below (which makes
# any change of flags rebuild everything), so `make ch07` and `make
# test` share their objects instead of rebuilding each other's.
# WERROR=-Werror on the command line still turns them into errors.
WERROR   ?=

# -fno-math-errno: sqrt and friends need not set errno (nothing here reads
# it after them), so the compiler may use the vector square root. -O3
# vectorises the elementwise loops; neither changes a single result.
CFLAGS   := -std=c11 -Wall -Wextra $(WERROR) $(OPT) -g $(NATIVE) $(SANFLAGS) \
            $(REFFLAGS) -fno-math-errno \
            -D_XOPEN_SOURCE=700 -Icommon -pthread -MMD -MP
LDFLAGS  := $(SANFLAGS) -pthread
LDLIBS   := -lm

COMMON   := $(wildcard common/*.c)
CHAPTERS := $(sort $(wildcard chapters/ch[0-9][0-9]_*.c))
NAMES    := $(notdir $(CHAPTERS:.c=))
BINS     := $(addprefix $(BINDIR)/,$(NAMES))

# tests/test_*.c link the float build of common/; tests/gradcheck_*.c are
# compiled with the network's element type switched to double.
TEST_C   := $(sort $(wildcard tests/test_*.c))
GRAD_C   := $(sort $(wildcard tests/gradcheck_*.c))
TEST_SH  := $(sort $(wildcard tests/test_*.sh))
BENCH_C  := $(sort $(wildcard tests/bench_*.c))
GRADE_C  := $(sort $(wildcard tests/grade_*.c))
TESTS    := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_C) $(GRAD_C))
BENCHES  := $(patsubst tests/%.c,$(BUILD)/tests/%,$(BENCH_C))
GRADES   := $(patsubst tests/%.c,$(BUILD)/tests/%,$(GRADE_C))
WEAVE    := $(BUILD)/tests/weave
TRANSCRIPTS := $(BUILD)/tests/transcripts

LIB      := $(BUILD)/libcommon.a
LIB_DBL  := $(BUILD)/double/libcommon.a

.PHONY: all test book book-check transcripts transcripts-check plots bench \
        mnist clean tests fuzz student grade graders test-common FORCE
all: $(BINS)

# make chNN -> ./chNN_name
define chapter_alias
.PHONY: $(firstword $(subst _, ,$(1)))
$(firstword $(subst _, ,$(1))): $(BINDIR)/$(1)
endef
$(foreach n,$(NAMES),$(eval $(call chapter_alias,$(n))))

$(BUILD)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS)' > $@

# A compile whose warnings are also kept in $@.warn (see WERROR above).
KEEP_WARNINGS = 2>$@.warn; s=$$?; cat $@.warn >&2; exit $$s

$(BUILD)/%.o: %.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@ $(KEEP_WARNINGS)

$(BUILD)/double/%.o: %.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DREAL_IS_DOUBLE -c $< -o $@ $(KEEP_WARNINGS)

$(LIB): $(COMMON:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIB_DBL): $(COMMON:%.c=$(BUILD)/double/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(BINDIR)/ch%: $(BUILD)/chapters/ch%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/gradcheck_%: $(BUILD)/double/tests/gradcheck_%.o $(LIB_DBL)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The grader, like the gradient checks, computes in double.
$(BUILD)/tests/grade_%: $(BUILD)/double/tests/grade_%.o $(LIB_DBL)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/bench_%: $(BUILD)/tests/bench_%.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(WEAVE): $(BUILD)/tests/weave.o
	$(CC) $(LDFLAGS) $^ -o $@

$(TRANSCRIPTS): $(BUILD)/tests/transcripts.o
	$(CC) $(LDFLAGS) $^ -o $@

tests: $(BINS) $(TESTS) $(WEAVE) $(TRANSCRIPTS) $(GRADES) $(OTHER_VAE)

$(OTHER_VAE): FORCE
	@$(MAKE) --no-print-directory REF=$(if $(REF),,1) WERROR=$(WERROR) $@

# Every object `make test` uses, for the check of their warnings.
OBJECTS  := $(patsubst %.c,$(BUILD)/%.o,$(COMMON) $(CHAPTERS) $(TEST_C) \
              tests/weave.c) $(patsubst %.c,$(BUILD)/double/%.o,\
              $(COMMON) $(GRAD_C))

# Tests see SAN=1 under the sanitizers and REF=1 on the plain layer, where
# they may train for fewer steps; the default run checks the full figures.
test: tests
	@warned=$$(find $(addsuffix .warn,$(OBJECTS)) -size +0c 2>/dev/null); \
	if [ -n "$$warned" ]; then echo "make test: the compiler warned" \
	  "(a test build allows no warning):" >&2; cat $$warned >&2; \
	  exit 1; fi
	@BINDIR=$(BINDIR) BUILD=$(BUILD) JOBS=$(JOBS) SAN=$(SAN) REF=$(REF) \
	  FAST_BINDIR=$(FAST_BINDIR) PLAIN_BINDIR=$(PLAIN_BINDIR) \
	  tests/run.sh $(TESTS) $(TEST_SH)

# make test-chNN: the tests whose names carry _chNN_ (test_ch07_vae,
# gradcheck_ch07_vae, test_ch07_quality.sh); make test-common: all others
# (the modules, the weaver, the book, the classroom).
CH_IDS   := $(foreach n,$(NAMES),$(firstword $(subst _, ,$(n))))
chapter_tests = $(foreach t,$(TESTS) $(TEST_SH),$(if $(findstring \
                  _$(1)_,$(notdir $(t))),$(t)))
RUN_TESTS = @BINDIR=$(BINDIR) BUILD=$(BUILD) JOBS=$(JOBS) SAN=$(SAN) \
              REF=$(REF) FAST_BINDIR=$(FAST_BINDIR) \
              PLAIN_BINDIR=$(PLAIN_BINDIR) tests/run.sh

test-ch%: tests
	$(RUN_TESTS) $(call chapter_tests,ch$*)

test-common: tests
	$(RUN_TESTS) $(filter-out $(foreach c,$(CH_IDS),$(call \
	  chapter_tests,$(c))),$(TESTS) $(TEST_SH))

# The student edition: a copy of the project with every task's body a
# stub and the book's answers out (tests/student.sh, tests/stub.awk).
student: $(WEAVE)
	tests/student.sh $(WEAVE) out/student

# Grades the tasks (tests/grade.sh): the checks of tests/grade_chNN.c,
# then, once the tasks the VAE trains through pass, two epochs of chapter 7
# on the student's own plain layer (REF=1).
graders: $(GRADES)

grade: $(GRADES)
	@BUILD=$(BUILD) SAN=$(SAN) MAKE='$(MAKE)' TASK='$(TASK)' tests/grade.sh

WEAVE_SRC = $(CHAPTERS) $(wildcard common/*.[ch])

book: $(WEAVE)
	$(WEAVE) --write book.md $(WEAVE_SRC)

book-check: $(WEAVE)
	$(WEAVE) --check --strict book.md $(WEAVE_SRC)

# Every `$ command` block of book.md re-run: --write refreshes the quoted
# output, --check fails naming the chapter and line of any number other
# than a timing that differs. Minutes, so not part of `make test`.
# ONLY=ch08 limits either to the commands that contain "ch08".
transcripts: tests
	$(TRANSCRIPTS) --write book.md $(ONLY)

transcripts-check: tests
	$(TRANSCRIPTS) --check book.md $(ONLY)

# Each plots/*.gp names, on "# run:" lines, the chapter runs whose files it
# draws; they are run first, then gnuplot writes the PNG next to the script.
plots: all
	@command -v gnuplot >/dev/null || { echo "make plots: gnuplot not" \
	  "found; install it (Debian: apt-get install gnuplot-nox)" >&2; exit 1; }
	@for gp in plots/*.gp; do \
	  sed -n 's/^# run: //p' "$$gp" | while read -r cmd; do \
	    echo "$$cmd"; sh -c "$$cmd" >/dev/null || exit 1; done || exit 1; \
	  echo "gnuplot $$gp"; gnuplot "$$gp" || exit 1; done

bench: $(BENCHES) $(BINDIR)/ch07_vae
	@BINDIR=$(BINDIR) BUILD=$(BUILD) LOSS_FLAGS='$(NO_PRE)' \
	  PLAIN_FLAGS='-fno-tree-vectorize $(FMA_CHAINS)' tests/bench.sh

mnist:
	data/fetch-mnist.sh data/mnist

# make fuzz FUZZ_SECONDS=N: the fuzzers tests/fuzz_idx.c and
# tests/fuzz_checkpoint.c, built by clang with libFuzzer and the
# sanitizers under build/fuzz/, each run for N seconds from its
# committed corpus tests/fuzz/NAME/ (which `make test` replays). New
# inputs go to build/fuzz/NAME-corpus/, a crash to build/fuzz/crash-*.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -D_XOPEN_SOURCE=700 -Icommon \
                -pthread
fuzz:
	@mkdir -p build/fuzz
	@for f in idx checkpoint; do \
	  echo "$(FUZZ_CC) ... tests/fuzz_$$f.c common/*.c -o build/fuzz/fuzz_$$f"; \
	  $(FUZZ_CC) $(FUZZ_FLAGS) tests/fuzz_$$f.c $(COMMON) -lm \
	    -o build/fuzz/fuzz_$$f || exit 1; \
	  mkdir -p build/fuzz/$$f-corpus; \
	  build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=build/fuzz/ build/fuzz/$$f-corpus \
	    tests/fuzz/$$f || exit 1; \
	done

clean:
	rm -rf build out $(addprefix ./,$(NAMES))

# The matrix products: -O3 unrolls the micro-kernel into registers and
# -ffp-contract=fast lets a*b + c become one fused multiply-add (see
# common/mat_fast.c and the book's appendix A). The plain loops of
# common/mat.c get the same flag, so that both forms make the same
# multiply-adds and give the same bits. `private`: the flags stamp, a
# prerequisite, must not inherit them.
MAT_O    := $(foreach d,$(BUILD) $(BUILD)/double,$(d)/common/mat.o \
              $(d)/common/mat_fast.o)
$(MAT_O): private CFLAGS += -O3 -ffp-contract=fast
$(MAT_O): Makefile
# For the plain loops two more: gcc vectorises the innermost sum by
# multiplying two terms in one vector and adding them one by one, and
# its tuning for AMD cores splits a chain of fused multiply-adds into
# multiplies and adds; either way some a*b + sum would not be one FMA.
FMA_CHAINS := $(shell $(CC) -Werror --param=avoid-fma-max-bits=0 -x c -c \
                -o /dev/null /dev/null 2>/dev/null && \
                echo --param=avoid-fma-max-bits=0)
$(BUILD)/common/mat.o $(BUILD)/double/common/mat.o: \
  private CFLAGS += -fno-tree-vectorize $(FMA_CHAINS)
# The bench's roof: a*b + c as one FMA in its twelve chains.
$(BUILD)/tests/bench_mat.o: private CFLAGS += -ffp-contract=fast $(FMA_CHAINS)
$(BUILD)/tests/bench_mat.o: Makefile

# The losses: gcc's partial-redundancy elimination turns the clamp at the
# top of vmath_exp_nonpos into a branch, and a loop with a branch does not
# vectorise (appendix A). clang has no such pass, and refuses the flag.
NO_PRE   := $(shell $(CC) -Werror -fno-tree-pre -x c -c -o /dev/null \
              /dev/null 2>/dev/null && echo -fno-tree-pre)
$(BUILD)/common/loss_fast.o: private CFLAGS += $(NO_PRE)
$(BUILD)/common/loss_fast.o: Makefile

FORCE:

# Object files are built by chained rules; keep them, or make would delete
# them as intermediates and rebuild them on every run.
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
