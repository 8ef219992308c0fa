#!/bin/sh
# ci/mutate.sh: mutation testing of the model (make mutate).
#
# A mutant is one small change to a model rule, written down in
# tests/mutants/mutants.txt as the exact text it replaces: seen from the
# other side of the comparison it is a kernel with that rule changed, so a
# clean live run means something only if the live detectors kill it.
# Every mutant is built in a tree of its own (a copy of the sources and of
# the base build under WORK/trees/ID, so only the mutated file recompiles)
# and run through the detectors:
#   unit    the unit tests (tests/run.sh BUILD unit)
#   fast    build/listenq run --fast --family both corpus/conformance (live)
#   corpus  build/listenq run --family both corpus/conformance        (live)
#   long    build/listenq run corpus/long (minutes of waiting; live)
#   fuzz    build/listenq fuzz --jobs 1 --time N          (live, differential)
# The live detectors run in that order and stop at the first kill; the unit
# tests run for the mutants they miss (or every mutant, when not root). The output is a table and the lines
#   mutation_live_kill_rate: X   (killed by a live detector / non-equivalent)
#   mutation_kill_rate: X        (killed by any detector / non-equivalent)
# Mutants marked equivalent run too (a kill contradicts the claim and is
# reported) but are left out of both rates.
#
# usage: ci/mutate.sh [--fuzz-time S] [--detectors LIST] [--only ID,ID...]
#                     [--mutants FILE] [--build DIR] [--work DIR] [--keep]
#                     [--no-baseline] [--jobs N] [--check]
#   --jobs N  N mutants at a time (the live detectors mostly wait on timers;
#             the live harness runs each in namespaces of its own)
#   --check   only verify that every mutant's text still occurs exactly once
#             in its file (after a rebase: refresh the entries it names)
# Exit: 0 done (whatever the rates), 1 a claimed-equivalent mutant was killed
# or the baseline failed a detector, 2 bad mutants file or stale entries,
# 3 the base build failed.
set -u
# The shell reads a script as it runs it: run from a private copy, so that
# editing or rebasing the tree during a long run changes nothing.
if [ -z "${LQ_MUTATE_ROOT:-}" ]; then
    LQ_MUTATE_ROOT=$(cd "$(dirname "$0")/.." && pwd)
    copy=$(mktemp "${TMPDIR:-/tmp}/listenq-mutate.XXXXXX") || exit 3
    cp "$0" "$copy" || exit 3
    LQ_MUTATE_ROOT=$LQ_MUTATE_ROOT LQ_MUTATE_COPY=$copy sh "$copy" "$@"
    rc=$?
    rm -f "$copy"
    exit "$rc"
fi
cd "$LQ_MUTATE_ROOT" || exit 3
root=$LQ_MUTATE_ROOT

fuzz_time=20
detectors=unit,fast,corpus,long,fuzz
only=""
mutants=tests/mutants/mutants.txt
build=build
work=""
keep=0
baseline=1
check_only=0
jobs=1
one=""
args="$*" # for the per-mutant runs (paths without blanks)
while [ $# -gt 0 ]; do
    case "$1" in
    --fuzz-time) fuzz_time=$2; shift 2 ;;
    --detectors) detectors=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --mutants) mutants=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-baseline) baseline=0; shift ;;
    --check) check_only=1; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    --one) one=$2; shift 2 ;; # internal: one mutant, its row into WORK/rows
    -h | --help) sed -n '2,/^set -u/p' "$LQ_MUTATE_ROOT/ci/mutate.sh" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci/mutate.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
work=${work:-$build/mutate}
case "$build" in /*) echo "ci/mutate.sh: --build must be relative to the source tree" >&2; exit 2 ;; esac
has_det() { case ",$detectors," in *",$1,"*) return 0 ;; esac; return 1; }
for d in $(echo "$detectors" | tr ',' ' '); do
    case "$d" in unit | fast | corpus | long | fuzz) ;; *)
        echo "ci/mutate.sh: unknown detector '$d' (unit, fast, corpus, long, fuzz)" >&2; exit 2 ;;
    esac
done

# ---- the mutants file ----
# Blocks of "key: value" lines separated by blank lines; '#' lines are
# comments. Keys: id, file, from, to, kernel, equivalent (optional). In from
# and to, "\n" stands for a newline (the text may span lines) and "\\" for a
# backslash. Prints one record per line: id US file US from US to US equivalent.
parse_mutants() {
    perl -e '
        use strict; my $f = shift; open(my $h, "<", $f) or die "cannot read $f: $!\n";
        my (%m, @all, $ln, $start, %seen, $bad); $bad = 0;
        sub flush { my $s = shift;
            return unless %m;
            for my $k (qw(id file from to kernel)) {
                if (!defined $m{$k} || $m{$k} eq "") {
                    print STDERR "$f:$s: mutant ", ($m{id} // "?"), " has no \"$k:\" line\n"; $bad = 1; }
            }
            if (defined $m{id}) {
                if ($m{id} !~ /^[A-Za-z0-9_.-]+$/) { print STDERR "$f:$s: bad id \"$m{id}\"\n"; $bad = 1; }
                if ($seen{$m{id}}++) { print STDERR "$f:$s: duplicate id $m{id}\n"; $bad = 1; }
            }
            push @all, { %m }; %m = ();
        }
        while (my $l = <$h>) { $ln++; chomp $l;
            next if $l =~ /^#/;
            if ($l =~ /^\s*$/) { flush($start); next; }
            $start = $ln unless %m;
            if ($l =~ /^(id|file|from|to|kernel|equivalent):\s?(.*)$/) {
                if (defined $m{$1}) { print STDERR "$f:$ln: second \"$1:\" line\n"; $bad = 1; }
                $m{$1} = $2;
            } elsif ($l =~ /^\s+(.*)$/ && %m) { # continuation of kernel/equivalent prose
                my $last = defined $m{equivalent} ? "equivalent" : "kernel";
                $m{$last} .= " $1";
            } else { print STDERR "$f:$ln: expected \"key: value\" (id file from to kernel equivalent)\n"; $bad = 1; }
        }
        flush($start);
        exit 2 if $bad;
        for my $m (@all) {
            print join("\x1f", $m->{id}, $m->{file}, $m->{from}, $m->{to}, $m->{equivalent} // ""), "\n";
        }
    ' "$1"
}

# apply_mutant TREE FILE FROM TO: replaces the one occurrence; exit 3 when
# the text is not there, 4 when it is there more than once.
apply_mutant() {
    perl -e '
        use strict; my ($tree, $file, $from, $to) = @ARGV;
        for ($from, $to) { s/\\(\\|n)/$1 eq "n" ? "\n" : "\\"/ge; }
        my $p = "$tree/$file"; open(my $h, "<", $p) or exit 3; local $/; my $t = <$h>; close $h;
        my $i = index($t, $from); exit 3 if $i < 0;
        exit 4 if index($t, $from, $i + 1) >= 0;
        substr($t, $i, length($from)) = $to;
        open(my $o, ">", "$p.tmp") or exit 5; print $o $t; close $o or exit 5;
        rename("$p.tmp", $p) or exit 5;
    ' "$@"
}

# a mutant run (--one) reads the table of the run's snapshot
case "$mutants" in /*) ;; *)
    [ -n "$one" ] && [ -n "${LQ_MUTATE_SNAP:-}" ] && [ -f "$LQ_MUTATE_SNAP/$mutants" ] &&
        mutants=$LQ_MUTATE_SNAP/$mutants ;;
esac
records=$(parse_mutants "$mutants") || exit 2
tab=$(printf '\037')
live=1
[ "$(id -u)" = 0 ] || live=0

# make_tree DIR [snapshot]: the sources and the base build's outputs,
# (globals mt_src, mt_dst: the shell has no locals),
# timestamps kept (only the mutated file recompiles), from the snapshot the
# run took at its start (LQ_MUTATE_SNAP), so that editing or rebasing the
# tree meanwhile changes no mutant; with "snapshot", that copy itself.
make_tree() {
    mt_src=${LQ_MUTATE_SNAP:-.}
    [ "${2:-}" = snapshot ] && mt_src=.
    rm -rf "$1"
    mkdir -p "$1/$build" || return 1
    mt_dst=$(cd "$1" && pwd)
    (cd "$mt_src" && cp -a Makefile model harness tests fuzz corpus ci "$mt_dst/") || return 1
    for f in obj obj-test tests libmodel.a liblistenq.a listenq listenq-test; do
        [ -e "$mt_src/$build/$f" ] && cp -a "$mt_src/$build/$f" "$mt_dst/$build/"
    done
    if has_det fuzz && [ -d "$mt_src/$build/fuzz" ]; then
        cp -a "$mt_src/$build/fuzz" "$mt_dst/$build/"
        # fuzz/build.sh recompiles everything when its flags change, and
        # they name the allowlists by absolute path (the source tree's, in
        # the snapshot too): point them at the tree
        st="$mt_dst/$build/fuzz/obj/flags"
        [ "${2:-}" = snapshot ] || { [ -f "$st" ] && sed "s|$root/|$mt_dst/|g" "$st" >"$st.tmp" &&
            mv "$st.tmp" "$st" && touch -r "$mt_src/$build/fuzz/obj/flags" "$st"; }
    fi
    return 0
}

# run_unit TREE LOGPREFIX: sets r_unit to killed, survived or error.
run_unit() {
    (cd "$1" && sh tests/run.sh "$build" unit) >"$2.unit" 2>&1
    line=$(tail -n 1 "$2.unit")
    nf=$(echo "$line" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
    if [ -z "$nf" ]; then r_unit="error"; elif [ "$nf" -gt 0 ]; then r_unit=killed; else r_unit=survived; fi
}

# run_detectors TREE LOGPREFIX: sets r_unit r_fast r_corpus r_long r_fuzz to
# killed, survived, skip, error... or '-' (not run). The unit tests run
# first (the baseline); run_live alone runs the live ones.
run_detectors() {
    r_unit=-
    has_det unit && run_unit "$1" "$2"
    run_live "$1" "$2"
}
run_live() {
    t=$1 lp=$2
    r_fast=- r_corpus=- r_long=- r_fuzz=-
    [ "$live" -eq 1 ] || return 0
    dead=0
    for d in fast corpus long fuzz; do
        has_det "$d" || continue
        [ "$dead" -eq 0 ] || continue
        case $d in
        fast) (cd "$t" && "$build/listenq" run --fast --family both --no-progress --out "$lp.out-fast" corpus/conformance) >"$lp.fast" 2>&1 ;;
        corpus) (cd "$t" && "$build/listenq" run --family both --no-progress --out "$lp.out-corpus" corpus/conformance) >"$lp.corpus" 2>&1 ;;
        long) (cd "$t" && "$build/listenq" run --no-progress --out "$lp.out-long" corpus/long) >"$lp.long" 2>&1 ;;
        fuzz)
            # built only when the cheaper detectors missed the mutant
            if ! (cd "$t" && LQ_FUZZ_NO_TEST=1 make --no-print-directory -s BUILD="$build" fuzz-build) >>"$lp.build" 2>&1; then
                r_fuzz="error(build)"
                continue
            fi
            (cd "$t" && "$build/listenq" fuzz --jobs 1 --time "$fuzz_time" --out "$lp.out-fuzz") >"$lp.fuzz" 2>&1 ;;
        esac
        rc=$?
        case $rc in
        0) v=survived ;;
        1) v=killed ;;
        2) v=killed ;; # the mutant reads a scenario differently (bad input)
        4) v=skip ;;
        *) if [ "$rc" -gt 128 ]; then v=killed; else v="error$rc"; fi ;;
        esac
        eval "r_$d=\$v"
        [ "$v" = killed ] && dead=1
    done
    return 0
}

# ---- --one ID (internal): build and run one mutant, write its row ----
# row: id US file US unit US fast US corpus US long US fuzz US class US verdict
if [ -n "$one" ]; then
    rec=$(printf '%s\n' "$records" | awk -F "$tab" -v id="$one" '$1 == id')
    [ -n "$rec" ] || { echo "ci/mutate.sh: no mutant '$one'" >&2; exit 2; }
    IFS="$tab" read -r id file from to equiv <<EOR
$rec
EOR
    t="$work/trees/$id" lp="$work/logs/$id"
    rm -rf "$lp".*
    row() { printf '%s\037%s\037%s\037%s\037%s\037%s\037%s\037%s\037%s\n' "$id" "$file" "$@" >"$work/rows/$id.tmp" &&
        mv "$work/rows/$id.tmp" "$work/rows/$id"; }
    make_tree "$t" || { row - - - - - error "cannot copy the tree"; exit 0; }
    if ! apply_mutant "$t" "$file" "$from" "$to"; then
        row - - - - - stale "STALE (text no longer matches)"
        rm -rf "$t"
        exit 0
    fi
    # The unit tests (and their build) only for a mutant the live
    # detectors miss: the rates count the unit tests of no other.
    if ! (cd "$t" && make --no-print-directory -s BUILD="$build" all) >"$lp.build" 2>&1; then
        row - - - - - nobuild "does not build (logs/$id.build)"
        [ "$keep" -eq 1 ] || rm -rf "$t"
        exit 0
    fi
    r_unit=-
    run_live "$t" "$lp"
    livek=0
    for d in fast corpus long fuzz; do eval "[ \"\$r_$d\" = killed ] && livek=1"; done
    if has_det unit && [ "$livek" -eq 0 ]; then
        if ! (cd "$t" && make --no-print-directory -s BUILD="$build" unit) >>"$lp.build" 2>&1; then
            row - - - - - nobuild "its unit tests do not build (logs/$id.build)"
            [ "$keep" -eq 1 ] || rm -rf "$t"
            exit 0
        fi
        run_unit "$t" "$lp"
    fi
    if [ -n "$equiv" ]; then
        # the claim is about what a kernel shows: a unit test may tell a
        # mutant apart that no scenario can
        class=equiv verdict=equivalent
        [ "$r_unit" = killed ] && verdict="equivalent (a unit test tells it apart)"
        if [ "$livek" -eq 1 ]; then
            class=equiv_killed verdict="equivalent, BUT KILLED LIVE: the claim is wrong"
        fi
    elif [ "$livek" -eq 1 ]; then
        class=live verdict="killed live"
    elif [ "$r_unit" = killed ]; then
        class=unit verdict="killed by unit tests only"
    else
        class=survived verdict=SURVIVED
    fi
    row "$r_unit" "$r_fast" "$r_corpus" "$r_long" "$r_fuzz" "$class" "$verdict"
    [ "$keep" -eq 1 ] || rm -rf "$t"
    exit 0
fi

# ---- every mutant's text still matches once (also --check) ----
mkdir -p "$work"
chk="$work/check.txt"
: >"$chk"
printf '%s\n' "$records" | while IFS="$tab" read -r id file from to equiv; do
    [ -n "$id" ] || continue
    if [ -n "$only" ]; then
        case ",$only," in *",$id,"*) ;; *) continue ;; esac
    fi
    tmp="$work/check"
    rm -rf "$tmp"
    mkdir -p "$tmp/$(dirname "$file")"
    if ! cp "$file" "$tmp/$file" 2>/dev/null; then
        echo "STALE $id: $file does not exist" >>"$chk"
        continue
    fi
    apply_mutant "$tmp" "$file" "$from" "$to"
    case $? in
    0) ;;
    3) echo "STALE $id: its text no longer matches in $file: $from" >>"$chk" ;;
    4) echo "STALE $id: its text occurs more than once in $file: $from" >>"$chk" ;;
    *) echo "STALE $id: cannot write the mutated copy of $file" >>"$chk" ;;
    esac
done
rm -rf "$work/check"
nmut=$(printf '%s\n' "$records" | grep -c .)
[ -z "$only" ] || nmut=$(echo "$only" | tr ',' '\n' | grep -c .)
if [ -s "$chk" ]; then
    cat "$chk"
    echo "ci/mutate.sh: $(grep -c . "$chk") mutant(s) no longer match the model: refresh tests/mutants/mutants.txt" >&2
    exit 2
fi
if [ "$check_only" -eq 1 ]; then
    echo "ci/mutate.sh: all $nmut mutants match their files exactly once"
    exit 0
fi

# ---- the base build ----
[ "$live" -eq 1 ] || echo "ci/mutate.sh: not root: the live detectors (fast, corpus, long, fuzz) are skipped" >&2
echo "ci/mutate.sh: base build in $build" >&2
make --no-print-directory -s BUILD="$build" all unit >"$work/base.log" 2>&1 ||
    { cat "$work/base.log" >&2; echo "ci/mutate.sh: the base build failed" >&2; exit 3; }
if has_det fuzz && [ "$live" -eq 1 ]; then
    LQ_FUZZ_NO_TEST=1 make --no-print-directory -s BUILD="$build" fuzz-build >>"$work/base.log" 2>&1 ||
        { cat "$work/base.log" >&2; echo "ci/mutate.sh: the fuzz build failed (make fuzz)" >&2; exit 3; }
fi
rm -rf "$work/trees" "$work/rows" "$work/snapshot"
mkdir -p "$work/trees" "$work/logs" "$work/rows"
work=$(cd "$work" && pwd) # the detectors run inside the trees
make_tree "$work/snapshot" snapshot || { echo "ci/mutate.sh: cannot copy the tree to $work/snapshot" >&2; exit 3; }
LQ_MUTATE_SNAP=$work/snapshot
export LQ_MUTATE_SNAP

# ---- baseline: the unmutated tree must pass every detector ----
bad_base=0
if [ "$baseline" -eq 1 ]; then
    echo "ci/mutate.sh: baseline (no mutation)" >&2
    make_tree "$work/trees/baseline" || exit 3
    run_detectors "$work/trees/baseline" "$work/logs/baseline"
    for d in unit fast corpus long fuzz; do
        eval "v=\$r_$d"
        case $v in killed | error*)
            echo "ci/mutate.sh: the unmutated model fails detector '$d' ($v, see $work/logs/baseline.$d): it is left out" >&2
            detectors=$(echo ",$detectors," | sed "s/,$d,/,/; s/^,//; s/,\$//")
            bad_base=1 ;;
        esac
    done
    [ "$keep" -eq 1 ] || rm -rf "$work/trees/baseline"
fi

# ---- the mutants, --jobs at a time ----
start=$(date +%s)
ids=$(printf '%s\n' "$records" | awk -F "$tab" -v only=",$only," 'only == ",," || index(only, "," $1 ",")')
[ -n "$ids" ] || { echo "ci/mutate.sh: no mutant selected" >&2; exit 2; }
nsel=$(printf '%s\n' "$ids" | grep -c .)
echo "ci/mutate.sh: $nsel mutants, $jobs at a time, detectors $detectors" >&2
# shellcheck disable=SC2086
printf '%s\n' "$ids" | cut -d "$tab" -f 1 |
    xargs -P "$jobs" -I{} env LQ_MUTATE_ROOT="$root" sh "$LQ_MUTATE_COPY" $args --detectors "$detectors" \
        --work "$work" --one {}

table="$work/table.txt"
n_live=0 n_unit=0 n_surv=0 n_equiv=0 n_stale=0 n_nobuild=0 n_err=0 n_equiv_killed=0
{
    printf '%-34s %-21s %-8s %-8s %-8s %-8s %-8s %s\n' id file unit fast corpus long fuzz verdict
    for id in $(printf '%s\n' "$ids" | cut -d "$tab" -f 1); do
        f="$work/rows/$id"
        if [ ! -s "$f" ]; then
            printf '%-34s %-21s %-8s %-8s %-8s %-8s %-8s %s\n' "$id" ? - - - - - "no result (see $work/logs/$id.*)"
            continue
        fi
        IFS="$tab" read -r rid rfile ru rf rc rl rz class verdict <"$f"
        printf '%-34s %-21s %-8s %-8s %-8s %-8s %-8s %s\n' "$rid" "${rfile#model/}" "$ru" "$rf" "$rc" "$rl" "$rz" "$verdict"
    done
} >"$table"
for f in "$work"/rows/*; do
    [ -s "$f" ] || continue
    class=$(cut -d "$tab" -f 8 "$f")
    case $class in
    live) n_live=$((n_live + 1)) ;;
    unit) n_unit=$((n_unit + 1)) ;;
    survived) n_surv=$((n_surv + 1)) ;;
    equiv) n_equiv=$((n_equiv + 1)) ;;
    equiv_killed) n_equiv=$((n_equiv + 1)) n_equiv_killed=$((n_equiv_killed + 1)) ;;
    stale) n_stale=$((n_stale + 1)) ;;
    nobuild) n_nobuild=$((n_nobuild + 1)) ;;
    *) n_err=$((n_err + 1)) ;;
    esac
done
denom=$((n_live + n_unit + n_surv))
rate() { if [ "$denom" -eq 0 ]; then echo 0; else awk -v a="$1" -v b="$denom" 'BEGIN { printf "%.3f", a / b }'; fi; }
{
    echo
    echo "mutants: $nsel ($denom counted: $n_live killed live, $n_unit by unit tests only, $n_surv survived; $n_equiv equivalent; $n_stale stale; $n_nobuild do not build; $n_err errors)"
    echo "detectors: $detectors (fuzz: ${fuzz_time} s each), $jobs at a time, $(($(date +%s) - start)) s"
    [ "$live" -eq 1 ] || echo "live detectors skipped: not root"
    echo "mutation_live_kill_rate: $(rate "$n_live")"
    echo "mutation_kill_rate: $(rate $((n_live + n_unit)))"
} >>"$table"
cat "$table"
[ "$keep" -eq 1 ] || rm -rf "$work/snapshot"
[ "$n_stale" -eq 0 ] || { echo "ci/mutate.sh: $n_stale stale mutant(s): refresh tests/mutants/mutants.txt" >&2; exit 2; }
[ "$n_equiv_killed" -eq 0 ] && [ "$bad_base" -eq 0 ] || exit 1
exit 0
