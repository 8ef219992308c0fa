#!/bin/sh
# ci/lint.sh: static checks of the C sources (`make lint`): cppcheck's
# warning and portability checks over model/, harness/, fuzz/ and tests/,
# with the include paths the build uses. Fails on any finding; a false
# positive is silenced where it stands (// cppcheck-suppress ID, with why).
set -u
cd "$(dirname "$0")/.." || exit 1
if ! command -v cppcheck >/dev/null 2>&1; then
    echo "lint: cppcheck is not installed (sh ci/deps.sh lint installs it)" >&2
    exit 1
fi
cppcheck -q --std=c11 --enable=warning,portability --inline-suppr --error-exitcode=1 \
    -D_GNU_SOURCE -I. -Iharness -Itests -Ifuzz --suppress=missingIncludeSystem \
    model harness fuzz tests
rc=$?
[ "$rc" -eq 0 ] && echo "lint: cppcheck found nothing"
exit $rc
