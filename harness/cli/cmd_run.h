/* harness/cli/cmd_run.h: `listenq run`. */
#ifndef LISTENQ_HARNESS_CMD_RUN_H
#define LISTENQ_HARNESS_CMD_RUN_H

int lq_cmd_run(int argc, char **argv);

#endif
