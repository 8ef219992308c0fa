/* harness/cli/cmd_fuzz.h: `listenq decode`, `minimize`, `fuzz`
 * (docs/fuzzing.md). */
#ifndef LISTENQ_HARNESS_CMD_FUZZ_H
#define LISTENQ_HARNESS_CMD_FUZZ_H

int lq_cmd_decode(int argc, char **argv);
int lq_cmd_minimize(int argc, char **argv);
int lq_cmd_fuzz(int argc, char **argv);

#endif
