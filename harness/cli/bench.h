/* harness/cli/bench.h: `listenq bench`, the figures `make bench` prints. */
#ifndef LISTENQ_HARNESS_BENCH_H
#define LISTENQ_HARNESS_BENCH_H

int lq_cmd_bench(int argc, char **argv);

#endif
