#!/bin/sh
# ci/include-walls.sh [ROOT]: fails when a quoted #include crosses a folder wall
# of ci/include-walls.txt. Each include is resolved as the compiler does
# (the including file's folder, then -I. and -Iharness, and -Itests / -Ifuzz
# for those trees); an include that resolves nowhere is an error too.
# Prints one line per violation, "FILE:LINE: includes TARGET (FOLDER may include: ...)".
set -u
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2
rules=ci/include-walls.txt
[ -f "$rules" ] || { echo "include-walls: no $rules" >&2; exit 2; }

# The rule of a file: the longest folder of the rules file it lies in.
rule_of() {
    awk -v f="$1" '
        /^#/ || NF == 0 { next }
        { d = $1; if (index(f, d "/") == 1 && length(d) > best) { best = length(d); line = $0 } }
        END { print line }' "$rules"
}

bad=0 files=0
for f in $(find model harness fuzz tests -name '*.[ch]' 2>/dev/null | sort); do
    files=$((files + 1))
    rule=$(rule_of "$f")
    if [ -z "$rule" ]; then
        echo "$f: no rule in $rules for its folder"
        bad=1
        continue
    fi
    set -- $rule
    folder=$1
    shift
    allowed="$*"
    dir=$(dirname "$f")
    extra=""
    case "$f" in tests/*) extra=tests ;; fuzz/*) extra=fuzz ;; esac
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
        sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' >"${TMPDIR:-/tmp}/lq-walls.$$"
    while read -r line inc; do
        target=""
        for base in "$dir" . harness $extra; do
            if [ -f "$base/$inc" ]; then
                target=$(echo "$base/$inc" | sed 's#^\./##')
                break
            fi
        done
        if [ -z "$target" ]; then
            echo "$f:$line: includes \"$inc\", which resolves to no file"
            bad=1
            continue
        fi
        tdir=$(dirname "$target")
        [ "$tdir" = "$dir" ] && continue
        case "$tdir/" in "$folder"/*) continue ;; esac
        ok=0
        for a in $allowed; do
            [ "$a" = - ] && continue
            case "$target" in "$a" | "$a"/*) ok=1 ;; esac
        done
        if [ "$ok" -eq 0 ]; then
            echo "$f:$line: includes $target ($folder may include: $allowed)"
            bad=1
        fi
    done <"${TMPDIR:-/tmp}/lq-walls.$$"
    rm -f "${TMPDIR:-/tmp}/lq-walls.$$"
done
[ "$bad" -eq 0 ] && echo "include-walls: $files files, no include crosses a wall"
exit $bad
