/* harness/lang/counter_names.h: the TcpExt and Tcp counter names Linux prints. */
#ifndef LISTENQ_HARNESS_COUNTER_NAMES_H
#define LISTENQ_HARNESS_COUNTER_NAMES_H

#include <stdbool.h>

/* "ListenOverflows", or with its group "TcpExt:ListenOverflows" / "Tcp:InSegs". */
bool lq_counter_name_known(const char *name);
/* The group of a known name, "TcpExt" or "Tcp" (a TcpExt name when it is in
 * both lists and no group is given, as the live backend reads it), and in
 * *bare the name without its group: nstat calls it group + bare name. */
const char *lq_counter_name_group(const char *name, const char **bare);

#endif
