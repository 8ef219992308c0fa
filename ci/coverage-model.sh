#!/bin/sh
# ci/coverage-model.sh [BUILD_DIR]: branch coverage of model/ by the
# conformance corpus (make coverage-model).
#
# Builds listenq with gcov instrumentation in BUILD_DIR (default
# build/coverage), runs corpus/conformance on the model only (--family both,
# as make check runs it live: the family-neutral scenarios over IPv4 and over
# IPv6; no kernel, no privileges; the model's path is the same one a live
# run takes), and prints
# per model file the branches taken at least once, as
#   coverage_model_branches_<file>: P% of N
# and the total; then the same after runs on every named profile
# (coverage_model_branches_all_profiles_<file>). Between the two, the
# running profile's figures without the branches tests/coverage/unreachable.txt
# lists with their reasons (coverage_model_branches_reachable_<file>); each
# entry is checked against the run (its line exists once, its branches are
# untaken). Not part of make check; `--check-list [LIST]` (in make check) only
# checks that every entry's line still occurs exactly once in its file.
set -u
cd "$(dirname "$0")/.."
list=tests/coverage/unreachable.txt

# reachable MODE [BUILD]: MODE check-list (the entries' lines exist) or
# report (also the figures, from the gcov data in BUILD/obj/model).
reachable() {
    perl -e '
        use strict; my ($mode, $list, $b) = @ARGV;
        open(my $h, "<", $list) or die "ci/coverage-model.sh: cannot read $list: $!\n";
        my (@e, %m, $ln, $start, $bad); $bad = 0;
        my $flush = sub {
            return unless %m;
            for my $k (qw(file line branches why)) {
                next if defined $m{$k} && $m{$k} ne "";
                print STDERR "$list:$start: entry has no \"$k:\" line\n"; $bad = 1;
            }
            if (defined $m{branches} && $m{branches} !~ /^[1-9][0-9]*$/) {
                print STDERR "$list:$start: branches must be a positive number\n"; $bad = 1; }
            push @e, { %m, at => $start }; %m = ();
        };
        while (my $l = <$h>) { $ln++; chomp $l;
            next if $l =~ /^#/;
            if ($l =~ /^\s*$/) { $flush->(); next; }
            $start = $ln unless %m;
            if ($l =~ /^(file|line|branches|why):\s?(.*)$/) {
                if (defined $m{$1}) { print STDERR "$list:$ln: second \"$1:\" line\n"; $bad = 1; }
                $m{$1} = $2;
            } elsif ($l =~ /^\s+\S/ && defined $m{why}) { $m{why} .= " $l"; }
            else { print STDERR "$list:$ln: expected \"key: value\" (file line branches why)\n"; $bad = 1; }
        }
        $flush->();
        exit 2 if $bad;
        # the lines: the text of each entry must occur exactly once
        my %lineno;
        for my $x (@e) {
            my $f = $x->{file};
            open(my $s, "<", $f) or do { print STDERR "$list:$x->{at}: no file $f\n"; $bad = 1; next };
            my ($n, @hit) = (0);
            while (my $t = <$s>) { $n++; chomp $t; $t =~ s/^\s+|\s+$//g; push @hit, $n if $t eq $x->{line}; }
            if (@hit != 1) {
                printf STDERR "%s:%d: STALE: the line occurs %d times in %s: %s\n", $list, $x->{at},
                    scalar(@hit), $f, $x->{line};
                $bad = 1; next;
            }
            $x->{n} = $hit[0];
        }
        exit 2 if $bad;
        if ($mode eq "check-list") {
            printf "ci/coverage-model.sh: all %d entries of %s match their files\n", scalar(@e), $list;
            exit 0;
        }
        # per model file: every line'"'"'s branches and untaken branches (gcov -b -t)
        my (%tot, %taken, %br, %untaken, %excl);
        for my $src (glob("model/*.c")) {
            open(my $g, "-|", "gcov", "-b", "-t", "-o", "$b/obj/model", $src) or die;
            my ($in, $cur) = (0, 0);
            while (my $l = <$g>) {
                if ($l =~ /^\s*-:\s*0:Source:(.*)$/) { $in = ($1 eq $src); next; }
                next unless $in;
                if ($l =~ /^\s*[^:]+:\s*(\d+):/) { $cur = $1; next; }
                if ($l =~ /^branch\s+\d+\s+(taken (\d+)%|never executed)/) {
                    $tot{$src}++; $br{$src}{$cur}++;
                    # gcov keeps 0% for a branch never taken (a rare one is 1%)
                    if (!defined $2 || $2 == 0) { $untaken{$src}{$cur}++; } else { $taken{$src}++; }
                }
            }
            close $g;
        }
        for my $x (@e) {
            my ($f, $n, $k) = ($x->{file}, $x->{n}, $x->{branches});
            my $u = $untaken{$f}{$n} // 0;
            if ($u < $k) {
                printf STDERR "%s:%d: %s:%d has %d untaken branch(es), the entry claims %d: a scenario takes it now, shrink or drop the entry\n",
                    $list, $x->{at}, $f, $n, $u, $k;
                $bad = 1;
            }
            $excl{$f} += $k;
        }
        exit 1 if $bad;
        my ($t, $n) = (0, 0);
        for my $src (sort glob("model/*.c")) {
            (my $f = $src) =~ s{^model/(.*)\.c$}{$1};
            my $all = $tot{$src} // 0; my $ex = $excl{$src} // 0; my $tk = $taken{$src} // 0;
            my $r = $all - $ex;
            printf "coverage_model_branches_reachable_%s: %.2f%% of %d (%d listed unreachable)\n",
                $f, $r ? 100 * $tk / $r : 0, $r, $ex;
            $t += $tk; $n += $r;
        }
        printf "coverage_model_branches_reachable_total: %.2f%% of %d\n", $n ? 100 * $t / $n : 0, $n;
    ' "$@"
}
if [ "${1:-}" = --check-list ]; then
    reachable check-list "${2:-$list}"
    exit $?
fi
b=${1:-build/coverage}
make --no-print-directory -s BUILD="$b" CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage" all >/dev/null || exit 1
find "$b/obj" -name "*.gcda" -delete
"$b/listenq" run --model-only --no-progress --family both corpus/conformance >"$b/coverage-run.txt" 2>&1 || {
    tail -n 5 "$b/coverage-run.txt" >&2
    echo "ci/coverage-model.sh: the model-only corpus run failed" >&2
    exit 1
}
tail -n 1 "$b/coverage-run.txt"
# report LABEL: the per-file figures of the runs so far
report() {
    tot_taken=0 tot_n=0
    for src in model/*.c; do
        f=$(basename "$src" .c)
        line=$(gcov -b -n -o "$b/obj/model" "$src" 2>/dev/null |
            sed -n "/^File '.*$f\.c'/,/^\$/p" | sed -n 's/^Taken at least once:\(.*\)$/\1/p' | head -n 1)
        [ -n "$line" ] || line="0.00% of 0"
        pct=${line%%%*}
        n=${line##* of }
        taken=$(awk -v p="$pct" -v n="$n" 'BEGIN { printf "%d", p * n / 100 + 0.5 }')
        tot_taken=$((tot_taken + taken)) tot_n=$((tot_n + n))
        printf 'coverage_model_branches%s_%s: %s\n' "$1" "$f" "$line"
    done
    awk -v t="$tot_taken" -v n="$tot_n" -v l="$1" \
        'BEGIN { printf "coverage_model_branches%s_total: %.2f%% of %d\n", l, n ? 100 * t / n : 0, n }'
}
echo "# the running kernel's profile (what a live run of the corpus checks):"
report ""
echo "# the same, without the branches $list lists as out of the corpus's reach:"
reachable report "$list" "$b" || exit 1
# Then the same corpus on every named profile, model only: branches of rules
# that only older kernels run (the legacy profile's are unverified live, see
# listenq profiles). Expectations are written for this machine's kernel, so
# failing ones are expected here; only a crash or bad input stops it.
for p in legacy 4.4 5.10 6.1 6.6 6.12 6.18; do
    "$b/listenq" run --model-only --no-progress --family both --kernel "$p" corpus/conformance >"$b/coverage-run-$p.txt" 2>&1
    rc=$?
    [ "$rc" -le 1 ] || { tail -n 5 "$b/coverage-run-$p.txt" >&2; echo "ci/coverage-model.sh: profile $p: exit $rc" >&2; exit 1; }
done
echo "# every named profile (legacy, 4.4, 5.10, 6.1, 6.6, 6.12, 6.18) as well, model only:"
report "_all_profiles"
