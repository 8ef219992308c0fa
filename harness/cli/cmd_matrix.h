/* harness/cli/cmd_matrix.h: `listenq matrix` (docs/matrix.md). */
#ifndef LISTENQ_HARNESS_CMD_MATRIX_H
#define LISTENQ_HARNESS_CMD_MATRIX_H

int lq_cmd_matrix(int argc, char **argv);

#endif
