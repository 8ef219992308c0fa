/* harness/cli/cmd_export.h: `listenq export` (docs/packetdrill.md). */
#ifndef LISTENQ_HARNESS_CMD_EXPORT_H
#define LISTENQ_HARNESS_CMD_EXPORT_H

int lq_cmd_export(int argc, char **argv);
int lq_cmd_pd_peer(int argc, char **argv);

#endif
