/* The records the kernel side of Warden's collector (host_events.bpf.c)
 * writes into its ring buffer, and the knobs user space sets before loading.
 * This header is the ABI between the two halves: it is compiled by clang for
 * the BPF target (after vmlinux.h) and by the C++ compiler for user space, so
 * it uses only fixed-width __u/__s types and plain C. Every record starts with
 * struct wd_header; `size` is the whole record including variable data.
 * Change a layout here and both sides follow at the next build (the skeleton
 * embeds the object, so they cannot drift apart at run time).
 * It deliberately holds no logic. */
#ifndef WARDEN_EBPF_EVENT_ABI_H_
#define WARDEN_EBPF_EVENT_ABI_H_

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define WD_COMM_LEN 16
#define WD_MAX_PREFIXES 16
#define WD_PREFIX_LEN 64
#define WD_OPEN_PATH_LEN 256

/* Variable data of exec and module records: path components and argv are
 * written at offsets masked to WD_DATA_MASK, and a single read never exceeds
 * WD_NAME_READ or WD_ARGV_MAX bytes, so every write stays inside
 * WD_DATA_SIZE whatever the verifier assumes about the offset. */
#define WD_DATA_SIZE 8192
#define WD_DATA_MASK 4095
#define WD_NAME_READ 256
#define WD_PATH_BYTES 1024 /* a path stops growing past this (flagged truncated) */
#define WD_PATH_DEPTH 32   /* components walked per path */
#define WD_ARGV_MAX 2047

enum wd_event_kind {
  WD_EVENT_EXEC = 1,
  WD_EVENT_EXIT = 2,
  WD_EVENT_FORK = 3,
  WD_EVENT_SOCKET = 4,
  WD_EVENT_SETID = 5,
  WD_EVENT_OPEN = 6,
  WD_EVENT_MODULE = 7,
};

/* Per-CPU counters (one array map, summed by user space). The first block
 * counts records submitted per kind; the second counts records lost, by
 * reason; the third counts records submitted with truncated data. */
enum wd_counter {
  WD_COUNT_SUBMITTED = 0, /* + kind, 1..7 */
  WD_COUNT_DROP_RINGBUF_FULL = 8,
  WD_COUNT_DROP_NO_SCRATCH = 9,
  WD_COUNT_DROP_READ_FAILED = 10,
  WD_COUNT_TRUNCATED_PATH = 11,
  WD_COUNT_TRUNCATED_ARGV = 12,
  WD_COUNT_FILTERED_SELF = 13, /* events of the agent's own process, skipped */
  WD_COUNT_MAX = 16,
};

/* What one of the standard descriptors (0, 1, 2) of a process refers to. */
enum wd_fd_kind {
  WD_FD_NONE = 0,
  WD_FD_FILE = 1,
  WD_FD_PIPE = 2,
  WD_FD_CHAR = 3, /* a terminal or another character device */
  WD_FD_SOCKET_INET = 4,
  WD_FD_SOCKET_UNIX = 5,
  WD_FD_SOCKET_OTHER = 6,
  WD_FD_OTHER = 7,
};

enum wd_exec_flags {
  WD_EXEC_EXE_TRUNCATED = 1u << 0,
  WD_EXEC_CWD_TRUNCATED = 1u << 1,
  WD_EXEC_ARGV_TRUNCATED = 1u << 2,
  WD_EXEC_EXE_DELETED = 1u << 3, /* the executable has no links (memfd, deleted file) */
  WD_EXEC_HAS_PEER = 1u << 4,    /* stdio_peer is set */
  WD_EXEC_SETID_FILE = 1u << 5,  /* the executable has the set-user-id or set-group-id bit */
};

struct wd_header {
  __u64 boot_ns; /* bpf_ktime_get_boot_ns() when the event happened */
  __u32 kind;    /* enum wd_event_kind */
  __u32 size;    /* bytes of the whole record */
  __u32 pid;     /* thread-group id (what user space calls the pid) */
  __u32 tid;
  __u32 ppid; /* real parent's thread-group id */
  __u32 uid;
  __u32 gid;
  __u32 euid;
  __u32 egid;
  __u32 reserved;
  __u64 cgroup_id; /* cgroup v2 id: the inode number of its directory */
  char comm[WD_COMM_LEN];
};

/* An IPv4 or IPv6 endpoint; addr holds 4 or 16 bytes in network order. */
struct wd_endpoint {
  __u16 family; /* AF_INET (2) or AF_INET6 (10); 0 when unknown */
  __u16 port;   /* host order */
  __u8 addr[16];
};

/* exec: data holds, in order, the executable's path components (leaf first,
 * each NUL-terminated), the file name passed to execve (NUL-terminated), the
 * working directory's components (leaf first), then argv (NUL-separated, as
 * in /proc/PID/cmdline). */
struct wd_exec_event {
  struct wd_header h;
  __s32 syscall_nr;
  __u32 flags; /* enum wd_exec_flags */
  __u64 start_boot_ns;
  __u16 exe_bytes;
  __u16 filename_bytes;
  __u16 cwd_bytes;
  __u16 argv_bytes;
  __u32 argc;
  __u8 stdio[3];        /* enum wd_fd_kind of fds 0, 1, 2 */
  __u8 parent_stdio[3]; /* the same for the parent process */
  __u16 reserved;
  struct wd_endpoint
      stdio_peer; /* remote end of the first inet socket on stdio (own, else parent's) */
  char data[WD_DATA_SIZE];
};

struct wd_exit_event {
  struct wd_header h;
  __s32 exit_code; /* wait status: (code << 8) | signal */
  __u32 reserved;
  __u64 duration_ns; /* since the process started */
};

/* fork: the header describes the child (pid, tid, ppid = the parent). */
struct wd_fork_event {
  struct wd_header h;
  __u32 parent_tid;
  __u32 clone_flags_thread; /* 0: a new process */
};

struct wd_socket_event {
  struct wd_header h;
  __s32 syscall_nr;
  __s32 ret;
  __s32 fd; /* the socket (for accept: the new one) */
  __u16 type;
  __u16 protocol;
  struct wd_endpoint local;
  struct wd_endpoint remote;
};

/* setuid family: args as passed (-1 = unchanged), and the credentials after. */
struct wd_setid_event {
  struct wd_header h;
  __s32 syscall_nr;
  __s32 ret;
  __s32 args[3];
  __u32 suid;
  __u32 fsuid;
  __u32 sgid;
  __u32 fsgid;
  __u32 reserved;
};

struct wd_open_event {
  struct wd_header h;
  __s32 syscall_nr;
  __s32 ret;
  __s32 flags;
  __u32 prefix_index; /* which configured prefix matched */
  char path[WD_OPEN_PATH_LEN];
};

/* module load: data holds the loaded file's path components (finit_module),
 * leaf first, or nothing (init_module loads from memory). */
struct wd_module_event {
  struct wd_header h;
  __s32 syscall_nr;
  __s32 ret;
  __u32 path_bytes;
  __u32 flags; /* WD_EXEC_EXE_TRUNCATED when the path was cut */
  char data[WD_DATA_SIZE];
};

/* Key of the listeners map: a listening TCP socket, by network namespace
 * (its cookie, as SO_NETNS_COOKIE reports it), family and local port (host
 * order). The value is the wd_header of the process that called listen(). */
struct wd_listener_key {
  __u64 netns_cookie;
  __u16 family;
  __u16 port;
  __u32 reserved;
};

struct wd_prefix {
  __u32 len;
  char text[WD_PREFIX_LEN];
};

#endif /* WARDEN_EBPF_EVENT_ABI_H_ */
