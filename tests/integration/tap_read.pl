#!/usr/bin/perl
# tests/integration/tap_read.pl FILE: reads TAP with TAP::Parser (what prove
# uses) and prints one line per test result:
#   N <TAB> ok|not ok <TAB> pass|fail <TAB> skip|- <TAB> description
# then "parse_errors <TAB> N".
use strict;
use warnings;
use TAP::Parser;

open(my $fh, '<', $ARGV[0]) or die "$ARGV[0]: $!\n";
my $tap = do { local $/; <$fh> };
my $p = TAP::Parser->new({ tap => $tap });
while (my $r = $p->next) {
    next unless $r->is_test;
    printf "%d\t%s\t%s\t%s\t%s\n", $r->number, $r->ok, $r->is_ok ? 'pass' : 'fail',
        $r->has_skip ? 'skip' : '-', $r->description;
}
printf "parse_errors\t%d\n", scalar($p->parse_errors);
