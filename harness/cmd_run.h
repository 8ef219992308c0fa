/* harness/cmd_run.h: `listenq run`, `explain` and `coverage`. */
#ifndef LISTENQ_HARNESS_CMD_RUN_H
#define LISTENQ_HARNESS_CMD_RUN_H

int lq_cmd_run(int argc, char **argv);
int lq_cmd_explain(int argc, char **argv);
int lq_cmd_coverage(int argc, char **argv);
int lq_cmd_profiles(int argc, char **argv);
int lq_cmd_fmt(int argc, char **argv);

/* Resolves --kernel VERSION, or the running kernel's profile; prints an
 * error and returns -1 when the version is unknown. */
struct lq_profile;
int lq_cli_profile(const char *kernel_opt, struct lq_profile *out);

#endif
