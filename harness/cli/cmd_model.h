/* harness/cli/cmd_model.h: `listenq explain`, `coverage`, `profiles`, `fmt`. */
#ifndef LISTENQ_HARNESS_CMD_MODEL_H
#define LISTENQ_HARNESS_CMD_MODEL_H

int lq_cmd_explain(int argc, char **argv);
int lq_cmd_coverage(int argc, char **argv);
int lq_cmd_profiles(int argc, char **argv);
int lq_cmd_fmt(int argc, char **argv);

#endif
