/* harness/cli/cmd_kcidb.h: `listenq kcidb`, results as a KCIDB submission. */
#ifndef LISTENQ_HARNESS_CMD_KCIDB_H
#define LISTENQ_HARNESS_CMD_KCIDB_H

int lq_cmd_kcidb(int argc, char **argv);

#endif
