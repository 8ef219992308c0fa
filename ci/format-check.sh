#!/bin/sh
# ci/format-check.sh: fails when a C file differs from what clang-format
# (with the repository's .clang-format) would write. `make format` fixes it.
set -u
cd "$(dirname "$0")/.." || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
    echo "format-check: clang-format not installed; skipped (apt-get install clang-format)"
    exit 0
fi
files=$(find model harness fuzz tests -name '*.[ch]' 2>/dev/null | sort)
bad=0
for f in $files; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "format-check: $f is not clang-formatted (run: make format)"
        bad=1
    fi
done
[ "$bad" -eq 0 ] && echo "format-check: $(echo "$files" | wc -w) files ok"
exit $bad
