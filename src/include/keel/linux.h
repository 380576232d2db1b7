/* Host build: state shared between the host platform's firmware-side files. */
#ifndef KEEL_LINUX_H
#define KEEL_LINUX_H

#define LINUX_MAX_NETS 8
/** Arguments of each --net option, in order (net0, net1, ...) */
extern const char *linux_net_args[LINUX_MAX_NETS];
extern unsigned int linux_num_nets;
/** Heap arena size in MiB */
extern unsigned long linux_mem_mib;

/** Write out buffered console output */
void linux_console_flush(void);

#endif
