/* harness/util/datadir.h: where listenq finds its data (corpus, recordings,
 * the matrix scripts), in a source tree and in an installed one alike.
 *
 * `make install` puts them under $(DATADIR) (PREFIX/share/listenq); a tree
 * installed with DESTDIR somewhere else (a package, /tmp) is found next to
 * the binary, so nothing depends on the current directory.
 */
#ifndef LISTENQ_HARNESS_DATADIR_H
#define LISTENQ_HARNESS_DATADIR_H

#include <stddef.h>

/* Finds REL ("corpus/conformance", "ci/matrix", "pcaps"), trying in order:
 *   1. REL under the current directory (a source tree);
 *   2. $LISTENQ_DATADIR/REL;
 *   3. BIN/../share/listenq/REL, BIN the folder of this binary (installed);
 *   4. BIN/../REL (build/listenq of a source tree, run from elsewhere);
 *   5. the DATADIR compiled in (make DATADIR=...)/REL.
 * Returns 0 with the path in out, or -1 with REL itself in out. */
int lq_data_path(const char *rel, char *out, size_t cap);
/* The folder of the running binary, or "" (out has room for cap bytes). */
void lq_self_dir(char *out, size_t cap);
/* Where a per-user cache called NAME goes: build/NAME in a source tree (the
 * current directory has corpus/conformance and build/), else
 * $XDG_CACHE_HOME/listenq/NAME or ~/.cache/listenq/NAME. */
void lq_cache_path(const char *name, char *out, size_t cap);

#endif
