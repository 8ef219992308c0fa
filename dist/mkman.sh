#!/bin/sh
# dist/mkman.sh VERSION DOCDIR < docs/cli.md > listenq.1: the man page, made
# from docs/cli.md (the one description of the command line) by a converter
# for the Markdown it uses: headings, paragraphs, `code`, **bold**, lists,
# tables (one .TP entry per row) and fenced code blocks.
set -eu
version=$1
docdir=$2
cat <<HEAD
.TH LISTENQ 1 "" "listenq $version" "listenq manual"
.SH NAME
listenq \- conformance and fuzzing harness for the Linux TCP listen queues
HEAD
LC_ALL=C awk -v docdir="$docdir" '
function esc(s) {
    gsub(/\\/, "\\e", s)
    gsub(/^\./, "\\\\\\&.", s)
    gsub(/^'\''/, "\\\\\\&'\''", s)
    gsub(/-/, "\\-", s)
    return s
}
function inline(s,   out, parts, n, i) {
    s = esc(s)
    # `code` and **bold** in bold, alternating on the delimiters
    n = split(s, parts, "`")
    out = parts[1]
    for (i = 2; i <= n; i++)
        out = out ((i % 2) ? "\\fR" : "\\fB") parts[i]
    if (n % 2 == 0) out = out "\\fR"
    gsub(/\*\*/, "", out)
    return out
}
function cells(line, arr,   n, i) {
    sub(/^\|/, "", line); sub(/\|[ \t]*$/, "", line)
    n = split(line, arr, "|")
    for (i = 1; i <= n; i++) { gsub(/^[ \t]+|[ \t]+$/, "", arr[i]) }
    return n
}
BEGIN { code = 0; first = 1; intable = 0 }
/^```/ {
    if (code) { print ".fi"; print ".RE"; code = 0 } else { print ".PP"; print ".RS 4"; print ".nf"; code = 1 }
    next
}
code { print esc($0); next }
/^# / { if (first) { print ".SH SYNOPSIS"; first = 0 } next }
/^## / { sub(/^## +/, ""); gsub(/`/, ""); print ".SH " toupper(esc($0)); next }
/^### / { sub(/^### +/, ""); gsub(/`/, ""); print ".SS " esc($0); next }
/^\|/ {
    n = cells($0, c)
    if (!intable) { intable = 1; next }          # the header row
    if ($0 ~ /^\|[-| :]+\|?[ \t]*$/) next          # the separator row
    print ".TP"; print inline(c[1])
    rest = ""
    for (i = 2; i <= n; i++) rest = rest (i > 2 ? "; " : "") c[i]
    print inline(rest)
    next
}
{ intable = 0 }
/^[-*] / { sub(/^[-*] +/, ""); print ".IP \\(bu 2"; print inline($0); next }
/^[0-9]+\. / { sub(/^[0-9]+\. +/, ""); print ".IP \\(bu 2"; print inline($0); next }
/^[ \t]*$/ { print ".PP"; next }
{ print inline($0) }
END {
    print ".SH FILES"
    print ".TP"; print "\\fBPREFIX/share/listenq/\\fR"
    print "the conformance corpus (corpus/), reference recordings (pcaps/), the matrix scripts (ci/matrix/)"
    print ".SH SEE ALSO"
    print "The full documentation is in \\fB" esc(docdir) "\\fR (README.md, docs/*.md)."
}
'
