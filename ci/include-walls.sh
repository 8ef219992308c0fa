#!/bin/sh
# ci/include-walls.sh [ROOT]: fails when a quoted #include crosses a folder wall
# of ci/include-walls.txt. Each include is resolved as the compiler does
# (the including file's folder, then -I. and -Iharness, and -Itests / -Ifuzz
# for those trees); an include that resolves nowhere is an error too.
# Prints one line per violation, "FILE:LINE: includes TARGET (FOLDER may include: ...)".
# One grep and one awk pass over the whole tree: a process per file or per
# include made this check take most of a minute on a loaded machine.
set -u
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2
rules=ci/include-walls.txt
[ -f "$rules" ] || { echo "include-walls: no $rules" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lq-walls.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM

find model harness fuzz tests -name '*.[ch]' 2>/dev/null | sort >"$tmp/sources"
# Every file an include could resolve to, relative to ROOT.
find . -path ./.git -prune -o \( -type f -o -type l \) -print | sed 's#^\./##' >"$tmp/files"
: >"$tmp/includes"
if [ -s "$tmp/sources" ]; then
    # FILE:LINE:TEXT for each quoted include (-H even for a single file).
    xargs grep -nH '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' <"$tmp/sources" >"$tmp/includes"
fi

awk -v rules="$rules" -v files="$tmp/files" -v includes="$tmp/includes" '
function dirname(p,    i) {
    i = match(p, /\/[^\/]*$/)
    return i ? substr(p, 1, i - 1) : "."
}
# A path as the file system resolves it: "." and ".." components folded.
function normal(p,    n, parts, out, k, i) {
    n = split(p, parts, "/")
    k = 0
    for (i = 1; i <= n; i++) {
        if (parts[i] == "" || parts[i] == ".") continue
        if (parts[i] == ".." && k > 0 && out[k] != "..") { k--; continue }
        out[++k] = parts[i]
    }
    p = ""
    for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") out[i]
    return p
}
function exists(p) {
    if (p in file) return 1
    # Outside ROOT (a leading ".."): ask the file system.
    if (p ~ /^\.\.(\/|$)/) return system("test -f \"" p "\"") == 0
    return 0
}
# The rule of a file: the longest folder of the rules file it lies in.
function rule_of(f,    d, best, line) {
    best = 0; line = ""
    for (d in allowed)
        if (index(f, d "/") == 1 && length(d) > best) { best = length(d); line = d }
    return line
}
BEGIN {
    while ((getline l < rules) > 0) {
        if (l ~ /^#/ || l ~ /^[[:space:]]*$/) continue
        n = split(l, w, /[[:space:]]+/)
        s = ""
        for (i = 2; i <= n; i++) s = s (i > 2 ? " " : "") w[i]
        allowed[w[1]] = s
    }
    while ((getline l < files) > 0) file[l] = 1
    ninc = 0
    while ((getline l < includes) > 0) {
        # FILE:LINE:TEXT; the included name is between the first two quotes.
        c1 = index(l, ":"); f = substr(l, 1, c1 - 1); rest = substr(l, c1 + 1)
        c2 = index(rest, ":"); ln = substr(rest, 1, c2 - 1); text = substr(rest, c2 + 1)
        q = index(text, "\""); text = substr(text, q + 1)
        q = index(text, "\""); inc = substr(text, 1, q - 1)
        ninc++; inc_file[ninc] = f; inc_line[ninc] = ln; inc_name[ninc] = inc
        incs[f] = incs[f] " " ninc
    }
    bad = 0; nfiles = 0
}
{
    f = $0
    nfiles++
    folder = rule_of(f)
    if (folder == "") {
        print f ": no rule in " rules " for its folder"
        bad = 1
        next
    }
    dir = dirname(f)
    extra = ""
    if (f ~ /^tests\//) extra = "tests"
    else if (f ~ /^fuzz\//) extra = "fuzz"
    nb = split(dir " . harness " extra, bases, " ")
    m = split(incs[f], ids, " ")
    for (j = 1; j <= m; j++) {
        id = ids[j]; inc = inc_name[id]
        target = ""
        for (b = 1; b <= nb; b++) {
            cand = normal(bases[b] "/" inc)
            if (exists(cand)) { target = cand; break }
        }
        if (target == "") {
            print f ":" inc_line[id] ": includes \"" inc "\", which resolves to no file"
            bad = 1
            continue
        }
        tdir = dirname(target)
        if (tdir == dir) continue
        if (index(tdir "/", folder "/") == 1) continue
        ok = 0
        na = split(allowed[folder], al, " ")
        for (a = 1; a <= na; a++) {
            if (al[a] == "-") continue
            if (target == al[a] || index(target, al[a] "/") == 1) ok = 1
        }
        if (!ok) {
            print f ":" inc_line[id] ": includes " target " (" folder " may include: " allowed[folder] ")"
            bad = 1
        }
    }
}
END {
    if (bad == 0) print "include-walls: " nfiles " files, no include crosses a wall"
    exit bad
}' "$tmp/sources"
rc=$?
exit $rc
