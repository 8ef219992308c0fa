#!/bin/sh
# The reference recording of this very kernel release (pcaps/<uname -r>/, made
# with `listenq record`), replayed on it: does the kernel still answer as it
# did? A skip (4) when listenq has no recording of this release. Exit statuses
# mapped as in conformance.sh; arguments go to `listenq replay`.
cd "$(dirname "$0")" || exit 1
rec="pcaps/$(uname -r)"
if [ ! -d "$rec" ]; then
    echo "# no reference recording of $(uname -r) in $(pwd)/pcaps"
    exit 4
fi
./listenq replay --tap --no-progress "$@" "$rec"
rc=$?
case $rc in
0 | 1 | 4) exit $rc ;;
*)
    echo "# listenq exited $rc (2: bad input, 3: harness error; docs/cli.md): a failure"
    exit 1
    ;;
esac
