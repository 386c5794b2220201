#!/usr/bin/env bash
# test_explore.sh -- the latent explorer (--explore) as a person uses it:
# the chapters run in a terminal that tmux provides (a private server of
# fixed size), keys are typed with send-keys and the screen is read with
# capture-pane. Checks that an arrow key moves z by one step (0.25, the
# header's z) and changes the picture, that a digit key changes ch08's
# label and its picture, and that q, Ctrl-C and SIGTERM each leave the
# terminal as it was (stty in the same pane: icanon, echo, isig back),
# with exit statuses 0, 130 and 143. Also the refusals: no terminal, no
# --load, a latent of 1, ch08's --cond half. Without tmux it says so
# and is skipped (.ci/run installs it).
. "$(dirname "$0")/lib.sh"

ch07=$BINDIR/ch07_vae
ch08=$BINDIR/ch08_cvae
tiny="--hidden 32 --test-size 300 --no-preview"
train="--epochs 1 --train-size 1000 --iw 2 --eval-samples 1"

# The refusals need no terminal: they come before any work.
check_rejects "explore refuses without a terminal" 'terminal' \
    "$ch07" --latent 2 --load x.bin --explore
check_rejects "explore refuses without --load" 'needs a trained model' \
    "$ch07" --latent 2 --explore
check_rejects "explore refuses a latent of 1" 'fewer than 2' \
    "$ch07" --latent 1 --load x.bin --explore

if ! command -v tmux >/dev/null; then
    echo "skipped: tmux is not installed (the explorer is tested through it)"
    check_summary
fi

"$ch07" --latent 2 $tiny $train --out "$TMP/m7" >"$TMP/train7" 2>&1 ||
    fail "ch07 trains a 2-D model" "$(tail -n 3 "$TMP/train7")"
"$ch07" --latent 3 $tiny $train --out "$TMP/m73" >"$TMP/train73" 2>&1 ||
    fail "ch07 trains a 3-D model" "$(tail -n 3 "$TMP/train73")"
"$ch08" $tiny $train --per-digit 5 --classifier-epochs 1 \
    --classifier-hidden 16 --out "$TMP/m8" >"$TMP/train8" 2>&1 ||
    fail "ch08 trains a CVAE" "$(tail -n 3 "$TMP/train8")"

# A tmux server of our own (its socket in TMP), a 100 x 40 window
# running a plain shell with the prompt "$ ".
sock=$TMP/tmux.sock
tm() { tmux -S "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
tm -f /dev/null new-session -d -s explore -x 100 -y 40 \
    "env PS1='$ ' bash --norc --noprofile"
screen() { tm capture-pane -t explore -p "$@"; }
type_line() { tm send-keys -t explore "$1" Enter; }

# wait_for PATTERN: until the screen shows a line matching the extended
# regex (20 s at most, 120 under the sanitizers); false if it never does.
wait_for() {
    local tries=200
    [ "${SAN:-0}" = 1 ] && tries=1200
    for _ in $(seq "$tries"); do
        screen | grep -Eq -- "$1" && return 0
        sleep 0.1
    done
    return 1
}

# The picture: the screen with its colours, less the two header lines.
picture() { screen -e | tail -n +3; }

# explore CMD...: clears the pane and starts CMD, which prints its exit
# status as "status N" when it ends; waits for the explorer's header.
explore() {
    type_line "clear; $*; echo \"status \$?\""
    wait_for '^z = \('
}

# terminal_restored NAME: in the same pane, stty shows line editing,
# echo and signal keys on again.
terminal_restored() {
    type_line "clear; echo \"modes: \$(stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\n' ' ')\""
    if wait_for '^modes: ' &&
        screen | grep -Eq '^modes: isig icanon echo *$'; then
        ok "$1"
    else
        fail "$1" "$(screen | grep -E '^modes: ' || echo 'no modes line')"
    fi
}

# expected_map LATENT_TSV: the map the explorer should draw at z = 0,
# computed here from the training run's latent.tsv (every test image's
# mean code and label): 25 x 13 cells over [-R, R]^2, R = 3 or the
# furthest mean's coordinate rounded up; each digit at its mean's cell
# (the larger digit where two share one); '+' at z = 0 if that is empty.
expected_map() {
    awk -F'\t' 'NR > 1 { s1[$3] += $1; s2[$3] += $2; n[$3]++ }
    END {
        R = 3
        for (d in n) {
            m1[d] = s1[d] / n[d]; m2[d] = s2[d] / n[d]
            a = m1[d] < 0 ? -m1[d] : m1[d]; b = m2[d] < 0 ? -m2[d] : m2[d]
            if (a > R) R = int(a) + (a > int(a))
            if (b > R) R = int(b) + (b > int(b))
        }
        for (r = 0; r < 13; r++) for (c = 0; c < 25; c++) cell[r, c] = "."
        for (d = 0; d <= 9; d++) if (d in n) {
            c = int((m1[d] + R) / (2 * R) * 24 + 0.5)
            r = int((R - m2[d]) / (2 * R) * 12 + 0.5)
            cell[r, c] = d
        }
        if (cell[6, 12] == ".") cell[6, 12] = "+"
        for (r = 0; r < 13; r++) {
            line = ""; for (c = 0; c < 25; c++) line = line cell[r, c]
            print line
        }
    }' "$1"
}

# ---- chapter 7: arrows, q ----------------------------------------------
load7="$ch07 --latent 2 $tiny --load $TMP/m7/vae.bin --explore"
if explore "$load7"; then ok "ch07 explorer starts"; else
    fail "ch07 explorer starts" "$(screen | head -n 5)"; fi
check "ch07 starts at z = (0, 0)" wait_for '^z = \(\+0\.00, \+0\.00\)'
map=$(screen | sed -n 4,16p | grep -oE '[.+0-9]{25}$')
want=$(expected_map "$TMP/m7/latent.tsv")
check "ch07's map: each digit at its test images' mean (latent.tsv)" \
    [ "$map" = "$want" ]
before=$(picture)
tm send-keys -t explore Right
check "right arrow moves z1 by one step" wait_for '^z = \(\+0\.25, \+0\.00\)'
after=$(picture)
check "right arrow changes the picture" [ "$before" != "$after" ]
tm send-keys -t explore Up Up
check "up arrow moves z2 by one step each" \
    wait_for '^z = \(\+0\.25, \+0\.50\)'
tm send-keys -t explore Left Left Down
check "left and down arrows move back" wait_for '^z = \(-0\.25, \+0\.25\)'
tm send-keys -t explore q
check "q exits with status 0" wait_for '^status 0$'
terminal_restored "q restores the terminal"

# ---- Ctrl-C, SIGTERM ---------------------------------------------------
explore "$load7" || fail "ch07 explorer starts again" "$(screen | head -n 5)"
tm send-keys -t explore C-c
check "Ctrl-C exits with status 130" wait_for '^status 130$'
terminal_restored "Ctrl-C restores the terminal"

explore "$load7" || fail "ch07 explorer starts again" "$(screen | head -n 5)"
shell=$(tm display-message -p -t explore '#{pane_pid}')
pid=$(pgrep -P "$shell" | head -n 1)
[ -n "$pid" ] && kill -TERM "$pid"
check "SIGTERM ends it (status 143)" wait_for '^status 143$'
terminal_restored "SIGTERM restores the terminal"

# ---- a latent of 3: z3 held at 0, said in the header -------------------
explore "$ch07 --latent 3 $tiny --load $TMP/m73/vae.bin --explore" ||
    fail "ch07 explorer starts on a 3-D latent" "$(screen | head -n 5)"
check "a 3-D latent: the header says z3 is held at 0" \
    wait_for '^z = \(\+0\.00, \+0\.00\) in z1, z2; z3 held at 0'
tm send-keys -t explore q
wait_for '^status 0$' || fail "q exits the 3-D explorer" "$(screen)"

# ---- chapter 8: the label ---------------------------------------------
load8="$ch08 $tiny --load $TMP/m8/cvae.bin --explore"
explore "$load8" || fail "ch08 explorer starts" "$(screen | head -n 5)"
check "ch08 starts with label 0" wait_for 'label 0$'
before=$(picture)
tm send-keys -t explore 7
check "digit key 7 sets the label" wait_for '^z = \(\+0\.00, \+0\.00\) +label 7$'
after=$(picture)
check "a new label changes the picture" [ "$before" != "$after" ]
tm send-keys -t explore Right
check "the arrow keeps the label" wait_for '^z = \(\+0\.25, \+0\.00\) +label 7$'
tm send-keys -t explore q
check "ch08: q exits with status 0" wait_for '^status 0$'
terminal_restored "ch08: q restores the terminal"

type_line "clear; $ch08 $tiny --cond half --load x.bin --explore; echo \"status \$?\""
check "ch08 refuses --explore with --cond half" \
    eval "wait_for '^status 2$' && screen | grep -q 'explore: only with --cond label'"

check_summary
