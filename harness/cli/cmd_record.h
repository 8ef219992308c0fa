/* harness/cli/cmd_record.h: `listenq record` and `listenq replay`. */
#ifndef LISTENQ_HARNESS_CMD_RECORD_H
#define LISTENQ_HARNESS_CMD_RECORD_H

int lq_cmd_record(int argc, char **argv);
int lq_cmd_replay(int argc, char **argv);

#endif
