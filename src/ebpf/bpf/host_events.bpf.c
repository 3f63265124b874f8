// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The kernel half of Warden's host event collector: CO-RE programs attached to
 * BTF tracepoints (tp_btf), which this project's kernels accept where kprobes,
 * fentry and BPF-LSM are refused.
 *
 *   sched_process_exec  -> exec records (exe and cwd walked from dentries,
 *                          argv from the new mm, what stdio points at)
 *   sched_process_fork  -> fork records (new processes only, not threads)
 *   sched_process_exit  -> exit records (last thread of a process only)
 *
 * Socket events come from one of two sets of programs (user space loads one):
 *   hooks (default)     -> cgroup connect4/6 (connect), cgroup post_bind4/6
 *                          (bind), inet_sock_set_state (listen), cgroup
 *                          sockops (accept, owned by the process that called
 *                          listen). None of them runs outside the socket
 *                          operations they watch.
 *   sys_exit            -> ONE dispatcher for every syscall we need (socket
 *                          calls, set*id, opens of configured path prefixes,
 *                          module loads). Exact (return values, the syscall
 *                          name) but a syscall tracepoint switches every task
 *                          on the host to the kernel's slow syscall path, so
 *                          there is exactly one and it is opt-in.
 *
 * Records go to one ring buffer submitted with BPF_RB_NO_WAKEUP: a wake-up
 * costs tens of microseconds per event on our VMs, so user space drains on a
 * timer instead, and is woken early only when the buffer passes a quarter
 * full. Nothing is dropped silently: every lost record increments a per-CPU
 * counter named for the reason (event_abi.h). Events of the agent itself
 * (agent_tgid) are skipped in the kernel so the collector never observes its
 * own drain loop.
 *
 * Not done here: ancestry, user names, container ids, rule matching - user
 * space owns all state; the kernel side only captures what is gone once the
 * event has passed (a short-lived process's exe, argv and stdio). */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "event_abi.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SIGNAL_GROUP_EXIT 0x00000004
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define S_ISUID 04000
#define S_ISGID 02000
#define IPPROTO_TCP 6
#define TCP_CLOSE 7
#define TCP_LISTEN 10

/* Set by user space before loading (read-only afterwards, so the verifier
 * prunes what they disable). */
const volatile __u32 agent_tgid = 0;
const volatile __u32 wakeup_bytes = 1u << 20;
const volatile __u32 watch_modules = 0;
const volatile __u32 prefix_count = 0;
const volatile struct wd_prefix prefixes[WD_MAX_PREFIXES] = {};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 8 << 20); /* resized by user space before load */
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, WD_COUNT_MAX);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

/* Records too big for the 512-byte BPF stack are built here. Tracepoint
 * programs run with preemption disabled and do not nest on a CPU, so one slot
 * per CPU per record type is enough. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct wd_exec_event);
} exec_scratch SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct wd_module_event);
} module_scratch SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct wd_open_event);
} open_scratch SEC(".maps");

/* Listening TCP sockets -> the process that called listen(), so an accepted
 * connection (established in softirq context, where no process is current)
 * is reported as that process's. User space seeds it with the listeners that
 * predate the collector. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, struct wd_listener_key);
  __type(value, struct wd_header);
} listeners SEC(".maps");

/* Syscall numbers of the host architecture (the program is built for the
 * build machine's arch; vmlinux.h comes from the same kernel family). */
#if defined(__TARGET_ARCH_x86)
#define NR_open 2
#define NR_connect 42
#define NR_accept 43
#define NR_bind 49
#define NR_listen 50
#define NR_execve 59
#define NR_creat 85
#define NR_setuid 105
#define NR_setgid 106
#define NR_setreuid 113
#define NR_setregid 114
#define NR_setresuid 117
#define NR_setresgid 119
#define NR_setfsuid 122
#define NR_setfsgid 123
#define NR_init_module 175
#define NR_openat 257
#define NR_accept4 288
#define NR_finit_module 313
#define NR_execveat 322
#define NR_openat2 437
/* regs is a BTF pointer (tracepoint argument, bpf_task_pt_regs()): direct loads. */
#define SYSCALL_NR(regs) ((long)(regs)->orig_ax)
#define SYSCALL_ARG0(regs) ((regs)->di)
#define SYSCALL_ARG1(regs) ((regs)->si)
#define SYSCALL_ARG2(regs) ((regs)->dx)
#elif defined(__TARGET_ARCH_arm64)
#define NR_open -1
#define NR_creat -2
#define NR_connect 203
#define NR_accept 202
#define NR_bind 200
#define NR_listen 201
#define NR_execve 221
#define NR_setuid 146
#define NR_setgid 144
#define NR_setreuid 145
#define NR_setregid 143
#define NR_setresuid 147
#define NR_setresgid 149
#define NR_setfsuid 151
#define NR_setfsgid 152
#define NR_init_module 105
#define NR_openat 56
#define NR_accept4 242
#define NR_finit_module 273
#define NR_execveat 281
#define NR_openat2 437
#define SYSCALL_NR(regs) ((long)(regs)->syscallno)
#define SYSCALL_ARG0(regs) ((regs)->orig_x0) /* regs[0] holds the return value by now */
#define SYSCALL_ARG1(regs) ((regs)->regs[1])
#define SYSCALL_ARG2(regs) ((regs)->regs[2])
#else
#error "host_events.bpf.c: define the syscall table of this architecture"
#endif

static __always_inline void count(__u32 counter) {
  __u64 *value = bpf_map_lookup_elem(&counters, &counter);
  if (value) *value += 1;
}

static __always_inline int is_agent(void) {
  if (agent_tgid != 0 && (bpf_get_current_pid_tgid() >> 32) == agent_tgid) {
    count(WD_COUNT_FILTERED_SELF);
    return 1;
  }
  return 0;
}

static __always_inline __u64 submit_flags(void) {
  return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wakeup_bytes ? BPF_RB_FORCE_WAKEUP
                                                                       : BPF_RB_NO_WAKEUP;
}

/* Clamps a record size to [0, 8191] in a way the compiler cannot fold away,
 * so the verifier sees the bound right where the size is used. */
static __always_inline __u64 verifier_bound(__u64 size) {
  asm volatile("%[size] &= 8191" : [size] "+r"(size));
  return size;
}

/* Copies a record built in scratch memory into the ring buffer. */
static __always_inline void output(void *record, __u64 size, __u32 kind) {
  if (bpf_ringbuf_output(&events, record, size, submit_flags()) != 0)
    count(WD_COUNT_DROP_RINGBUF_FULL);
  else
    count(WD_COUNT_SUBMITTED + kind);
}

/* Fills the header from `task`, a trusted BTF pointer (a tracepoint argument
 * or bpf_get_current_task_btf()), so its fields are read with direct loads
 * rather than one bpf_probe_read_kernel() call each: this runs on every
 * event. Ids come from the current task's credentials. */
static __always_inline void fill_header(struct wd_header *h, __u32 kind, __u32 size,
                                        struct task_struct *task) {
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  __u64 uid_gid = bpf_get_current_uid_gid();
  const struct cred *cred = task->cred;
  h->boot_ns = bpf_ktime_get_boot_ns();
  h->kind = kind;
  h->size = size;
  h->pid = pid_tgid >> 32;
  h->tid = (__u32)pid_tgid;
  h->ppid = task->real_parent->tgid;
  h->uid = (__u32)uid_gid;
  h->gid = uid_gid >> 32;
  h->euid = cred->euid.val;
  h->egid = cred->egid.val;
  h->reserved = 0;
  h->cgroup_id = bpf_get_current_cgroup_id();
  bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* Path walking. The components of a path are written leaf first, each
 * NUL-terminated, crossing mount points up to the root of the mount namespace
 * (or of an internal mount: a memfd reads as "memfd:name"). The walk runs in a
 * bpf_loop() callback: as a plain bounded loop the verifier explores every
 * iteration with a different offset and gives up on the program size. */
struct path_walk {
  struct dentry *dentry;
  struct mount *mnt;
  struct dentry *mnt_root; /* of mnt, read once per mount */
  __u32 start;  /* offset of the first byte to write in the record's data */
  __u32 used;   /* bytes written so far */
  __u32 done;   /* reached the root: the path is complete */
  __u32 module; /* 1: the module scratch record, 0: the exec one */
};

static long path_step(__u32 index, void *ctx) {
  struct path_walk *w = ctx;
  __u32 zero = 0;
  char *buf;
  if (w->module) {
    struct wd_module_event *m = bpf_map_lookup_elem(&module_scratch, &zero);
    if (!m) return 1;
    buf = m->data;
  } else {
    struct wd_exec_event *e = bpf_map_lookup_elem(&exec_scratch, &zero);
    if (!e) return 1;
    buf = e->data;
  }
  struct dentry *dentry = w->dentry;
  struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
  if (dentry == w->mnt_root || dentry == parent) {
    if (dentry != w->mnt_root) {
      /* A pseudo dentry (memfd, anonymous file) is its own parent: its name
       * is the whole path, as d_path shows it ("/memfd:name"). */
      const unsigned char *own = BPF_CORE_READ(dentry, d_name.name);
      long len = bpf_probe_read_kernel_str(buf + ((w->start + w->used) & WD_DATA_MASK), WD_NAME_READ, own);
      if (len > 0) w->used += len;
      w->done = 1;
      return 1;
    }
    struct mount *mnt = w->mnt;
    struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
    if (mnt == mnt_parent || mnt_parent == 0) {
      w->done = 1;
      return 1;
    }
    w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
    w->mnt = mnt_parent;
    w->mnt_root = BPF_CORE_READ(mnt_parent, mnt.mnt_root);
    return 0;
  }
  if (w->used >= WD_PATH_BYTES) return 1;
  const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
  long n = bpf_probe_read_kernel_str(buf + ((w->start + w->used) & WD_DATA_MASK), WD_NAME_READ, name);
  if (n <= 0) return 1;
  w->used += n;
  w->dentry = parent;
  return 0;
}

/* Writes a path into the exec (module = 0) or module (1) scratch record at
 * data[start...]; returns the bytes written and sets *truncated when the
 * path was cut. */
static __always_inline __u32 write_path_of(__u32 module, __u32 start, struct dentry *dentry,
                                           struct vfsmount *vfsmnt, struct dentry *mnt_root, __u32 *truncated) {
  struct path_walk w = {};
  w.dentry = dentry;
  w.mnt = (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
  w.mnt_root = mnt_root;
  w.start = start;
  w.module = module;
  bpf_loop(WD_PATH_DEPTH, path_step, &w, 0);
  *truncated = !w.done;
  return w.used;
}

/* The same for a struct path reached through BTF pointers (direct loads). */
static __always_inline __u32 write_path(__u32 module, __u32 start, const struct path *path, __u32 *truncated) {
  struct vfsmount *vfsmnt = path->mnt;
  return write_path_of(module, start, path->dentry, vfsmnt, vfsmnt->mnt_root, truncated);
}

/* What an open file is; fills *peer with the remote end of the first inet
 * socket seen while peer->family is still 0. `file` came from the fd array
 * (a plain kernel address), so its fields need probe reads. */
static __always_inline __u8 file_kind(struct file *file, struct wd_endpoint *peer) {
  if (!file) return WD_FD_NONE;
  __u16 mode = BPF_CORE_READ(file, f_inode, i_mode);
  switch (mode & S_IFMT) {
    case S_IFREG:
      return WD_FD_FILE;
    case S_IFIFO:
      return WD_FD_PIPE;
    case S_IFCHR:
      return WD_FD_CHAR;
    case S_IFSOCK: {
      struct socket *sock = (struct socket *)BPF_CORE_READ(file, private_data);
      struct sock *sk = BPF_CORE_READ(sock, sk);
      __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
      if (family == AF_UNIX) return WD_FD_SOCKET_UNIX;
      if (family != AF_INET && family != AF_INET6) return WD_FD_SOCKET_OTHER;
      if (peer->family == 0) {
        peer->family = family;
        peer->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
        if (family == AF_INET)
          BPF_CORE_READ_INTO((__u32 *)peer->addr, sk, __sk_common.skc_daddr);
        else
          BPF_CORE_READ_INTO((struct in6_addr *)peer->addr, sk, __sk_common.skc_v6_daddr);
      }
      return WD_FD_SOCKET_INET;
    }
    default:
      return WD_FD_OTHER;
  }
}

/* Classifies fds 0, 1 and 2 of a task (a trusted BTF pointer). */
static __always_inline void stdio_kinds(struct task_struct *task, __u8 kinds[3], struct wd_endpoint *peer) {
  kinds[0] = kinds[1] = kinds[2] = WD_FD_NONE;
  struct files_struct *files = task->files;
  if (!files) return;
  struct fdtable *fdt = files->fdt;
  struct file *stdio[3] = {};
  if (fdt->max_fds < 3) return; /* never: the smallest table has 64 slots */
  bpf_probe_read_kernel(stdio, sizeof(stdio), fdt->fd);
  kinds[0] = file_kind(stdio[0], peer);
  kinds[1] = file_kind(stdio[1], peer);
  kinds[2] = file_kind(stdio[2], peer);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm) {
  __u32 zero = 0, truncated = 0, used = 0, n;
  if (is_agent()) return 0;
  struct wd_exec_event *e = bpf_map_lookup_elem(&exec_scratch, &zero);
  if (!e) {
    count(WD_COUNT_DROP_NO_SCRATCH);
    return 0;
  }
  e->flags = 0;
  e->syscall_nr = NR_execve;
  struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
  if (regs) e->syscall_nr = SYSCALL_NR(regs);
  e->start_boot_ns = task->start_boottime;

  /* The executable (for a script: its interpreter, as /proc/PID/exe). */
  struct file *file = bprm->file;
  n = write_path(0, used, &file->f_path, &truncated);
  if (truncated) e->flags |= WD_EXEC_EXE_TRUNCATED;
  if (file->f_inode->__i_nlink == 0) e->flags |= WD_EXEC_EXE_DELETED;
  if (file->f_inode->i_mode & (S_ISUID | S_ISGID)) e->flags |= WD_EXEC_SETID_FILE;
  e->exe_bytes = n;
  used += n;

  /* The name execve was given (the script itself for #! files). */
  long len = bpf_probe_read_kernel_str(e->data + (used & WD_DATA_MASK), WD_NAME_READ, bprm->filename);
  n = len > 0 ? (__u32)len : 0;
  e->filename_bytes = n;
  used += n;

  n = write_path(0, used, &task->fs->pwd, &truncated);
  if (truncated) e->flags |= WD_EXEC_CWD_TRUNCATED;
  e->cwd_bytes = n;
  used += n;

  /* argv as the new program sees it, read from its fresh stack. */
  struct mm_struct *mm = task->mm;
  unsigned long arg_start = mm->arg_start;
  unsigned long arg_end = mm->arg_end;
  __u64 argv_len = arg_end > arg_start ? arg_end - arg_start : 0;
  __u32 room = used < WD_DATA_MASK ? WD_DATA_MASK - used : 0;
  if (argv_len > room) {
    argv_len = room;
    e->flags |= WD_EXEC_ARGV_TRUNCATED;
  }
  if (argv_len > WD_ARGV_MAX) {
    argv_len = WD_ARGV_MAX;
    e->flags |= WD_EXEC_ARGV_TRUNCATED;
  }
  e->argv_bytes = 0;
  if (argv_len > 0 &&
      bpf_probe_read_user(e->data + (used & WD_DATA_MASK), argv_len & WD_ARGV_MAX, (void *)arg_start) == 0) {
    e->argv_bytes = argv_len;
    used += argv_len;
  }
  e->argc = bprm->argc;
  if (e->flags & (WD_EXEC_EXE_TRUNCATED | WD_EXEC_CWD_TRUNCATED)) count(WD_COUNT_TRUNCATED_PATH);
  if (e->flags & WD_EXEC_ARGV_TRUNCATED) count(WD_COUNT_TRUNCATED_ARGV);

  /* Where stdio points: a shell whose stdin is a TCP socket is a reverse
   * shell; so is one whose parent's is (python's pty.spawn pattern). */
  __builtin_memset(&e->stdio_peer, 0, sizeof(e->stdio_peer));
  stdio_kinds(task, e->stdio, &e->stdio_peer);
  stdio_kinds(task->real_parent, e->parent_stdio, &e->stdio_peer);
  if (e->stdio_peer.family != 0) e->flags |= WD_EXEC_HAS_PEER;
  e->reserved = 0;

  if (used > WD_DATA_MASK) used = WD_DATA_MASK;
  __u64 size = offsetof(struct wd_exec_event, data) + used;
  fill_header(&e->h, WD_EVENT_EXEC, size, task);
  output(e, verifier_bound(size), WD_EVENT_EXEC);
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child) {
  if (child->pid != child->tgid) return 0; /* a thread */
  if (is_agent()) return 0;
  struct wd_fork_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    count(WD_COUNT_DROP_RINGBUF_FULL);
    return 0;
  }
  fill_header(&e->h, WD_EVENT_FORK, sizeof(*e), parent);
  e->h.pid = child->tgid;
  e->h.tid = child->pid;
  e->h.ppid = child->real_parent->tgid;
  e->parent_tid = parent->pid;
  e->clone_flags_thread = 0;
  bpf_ringbuf_submit(e, submit_flags());
  count(WD_COUNT_SUBMITTED + WD_EVENT_FORK);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task) {
  /* Only when the last thread of the process goes. */
  struct signal_struct *signal = task->signal;
  if (signal->live.counter != 0) return 0;
  if (is_agent()) return 0;
  struct wd_exit_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    count(WD_COUNT_DROP_RINGBUF_FULL);
    return 0;
  }
  fill_header(&e->h, WD_EVENT_EXIT, sizeof(*e), task);
  e->h.tid = task->pid;
  e->exit_code = (signal->flags & SIGNAL_GROUP_EXIT) ? signal->group_exit_code : task->exit_code;
  e->reserved = 0;
  e->duration_ns = e->h.boot_ns - task->start_boottime;
  bpf_ringbuf_submit(e, submit_flags());
  count(WD_COUNT_SUBMITTED + WD_EVENT_EXIT);
  return 0;
}

/* The socket behind fd of the current task, or NULL. */
static __always_inline struct sock *sock_of_fd(struct task_struct *task, int fd) {
  struct files_struct *files = task->files;
  if (!files) return 0;
  struct fdtable *fdt = files->fdt;
  if (fd < 0 || (unsigned int)fd >= fdt->max_fds) return 0;
  struct file **fds = fdt->fd;
  struct file *file = 0;
  bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
  if (!file) return 0;
  if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK) return 0;
  struct socket *sock = (struct socket *)BPF_CORE_READ(file, private_data);
  return BPF_CORE_READ(sock, sk);
}

static __always_inline void local_endpoint(struct sock *sk, struct wd_endpoint *ep) {
  ep->family = BPF_CORE_READ(sk, __sk_common.skc_family);
  ep->port = BPF_CORE_READ(sk, __sk_common.skc_num);
  if (ep->family == AF_INET)
    BPF_CORE_READ_INTO((__u32 *)ep->addr, sk, __sk_common.skc_rcv_saddr);
  else
    BPF_CORE_READ_INTO((struct in6_addr *)ep->addr, sk, __sk_common.skc_v6_rcv_saddr);
}

static __always_inline void remote_endpoint(struct sock *sk, struct wd_endpoint *ep) {
  ep->family = BPF_CORE_READ(sk, __sk_common.skc_family);
  ep->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
  if (ep->family == AF_INET)
    BPF_CORE_READ_INTO((__u32 *)ep->addr, sk, __sk_common.skc_daddr);
  else
    BPF_CORE_READ_INTO((struct in6_addr *)ep->addr, sk, __sk_common.skc_v6_daddr);
}

/* A sockaddr_in / sockaddr_in6 as user space passed it. */
struct raw_sockaddr {
  __u16 family;
  __u16 port_be;
  __u8 v4_or_flowinfo[4];
  __u8 v6[16];
};

static __always_inline int user_endpoint(void *uaddr, __u64 addrlen, struct wd_endpoint *ep) {
  struct raw_sockaddr sa = {};
  if (addrlen > sizeof(sa)) addrlen = sizeof(sa);
  if (addrlen < 4 || bpf_probe_read_user(&sa, addrlen & 31, uaddr) != 0) return -1;
  ep->family = sa.family;
  ep->port = bpf_ntohs(sa.port_be);
  if (sa.family == AF_INET)
    __builtin_memcpy(ep->addr, sa.v4_or_flowinfo, 4);
  else if (sa.family == AF_INET6)
    __builtin_memcpy(ep->addr, sa.v6, 16);
  else
    return -1;
  return 0;
}

static __always_inline int handle_socket(struct pt_regs *regs, long nr, long ret) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
  int fd = (int)SYSCALL_ARG0(regs);
  struct wd_socket_event e = {};
  struct sock *sk;
  if (nr == NR_accept || nr == NR_accept4) {
    if (ret < 0) return 0; /* EAGAIN from idle non-blocking servers is noise */
    fd = (int)ret;
  }
  sk = sock_of_fd(task, fd);
  if (nr == NR_connect || nr == NR_bind) {
    struct wd_endpoint *requested = nr == NR_connect ? &e.remote : &e.local;
    if (user_endpoint((void *)SYSCALL_ARG1(regs), SYSCALL_ARG2(regs), requested) != 0) return 0;
    if (sk && (nr == NR_connect || ret == 0)) local_endpoint(sk, &e.local);
  } else {
    if (!sk) return 0;
    local_endpoint(sk, &e.local);
    if (nr != NR_listen) remote_endpoint(sk, &e.remote);
    if (e.local.family != AF_INET && e.local.family != AF_INET6) return 0;
  }
  if (sk) {
    e.type = BPF_CORE_READ(sk, sk_type);
    e.protocol = BPF_CORE_READ(sk, sk_protocol);
  }
  e.syscall_nr = nr;
  e.ret = ret;
  e.fd = fd;
  fill_header(&e.h, WD_EVENT_SOCKET, sizeof(e), task);
  output(&e, sizeof(e), WD_EVENT_SOCKET);
  return 0;
}

static __always_inline int handle_setid(struct pt_regs *regs, long nr, long ret) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
  struct wd_setid_event e = {};
  const struct cred *cred = task->cred;
  e.syscall_nr = nr;
  e.ret = ret;
  e.args[0] = (__s32)SYSCALL_ARG0(regs);
  e.args[1] = (__s32)SYSCALL_ARG1(regs);
  e.args[2] = (__s32)SYSCALL_ARG2(regs);
  e.suid = cred->suid.val;
  e.fsuid = cred->fsuid.val;
  e.sgid = cred->sgid.val;
  e.fsgid = cred->fsgid.val;
  fill_header(&e.h, WD_EVENT_SETID, sizeof(e), task);
  output(&e, sizeof(e), WD_EVENT_SETID);
  return 0;
}

static __always_inline int handle_open(struct pt_regs *regs, long nr, long ret) {
  __u32 zero = 0;
  void *upath;
  struct wd_open_event *e = bpf_map_lookup_elem(&open_scratch, &zero);
  if (!e) return 0;
  if (nr == NR_open || nr == NR_creat) {
    upath = (void *)SYSCALL_ARG0(regs);
    e->flags = nr == NR_creat ? (O_CREAT | O_WRONLY | O_TRUNC) : (__s32)SYSCALL_ARG1(regs);
  } else {
    upath = (void *)SYSCALL_ARG1(regs);
    e->flags = 0;
    if (nr == NR_openat2) {
      __u64 how_flags = 0;
      bpf_probe_read_user(&how_flags, sizeof(how_flags), (void *)SYSCALL_ARG2(regs));
      e->flags = (__s32)how_flags;
    } else {
      e->flags = (__s32)SYSCALL_ARG2(regs);
    }
  }
  if (bpf_probe_read_user_str(e->path, sizeof(e->path), upath) <= 0) return 0;
  if (e->path[0] != '/') return 0; /* relative paths are not matched (docs/ebpf.md) */
  int hit = -1;
  for (int i = 0; i < WD_MAX_PREFIXES; i++) {
    if (i >= prefix_count) break;
    __u32 len = prefixes[i].len;
    int same = 1;
    for (int j = 0; j < WD_PREFIX_LEN; j++) {
      if (j >= len) break;
      if (e->path[j] != prefixes[i].text[j]) {
        same = 0;
        break;
      }
    }
    if (same) {
      hit = i;
      break;
    }
  }
  if (hit < 0) return 0;
  if (is_agent()) return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
  e->syscall_nr = nr;
  e->ret = ret;
  e->prefix_index = hit;
  fill_header(&e->h, WD_EVENT_OPEN, sizeof(*e), task);
  output(e, sizeof(*e), WD_EVENT_OPEN);
  return 0;
}

static __always_inline int handle_module(struct pt_regs *regs, long nr, long ret) {
  __u32 zero = 0, truncated = 0;
  struct wd_module_event *e = bpf_map_lookup_elem(&module_scratch, &zero);
  if (!e) {
    count(WD_COUNT_DROP_NO_SCRATCH);
    return 0;
  }
  struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
  e->syscall_nr = nr;
  e->ret = ret;
  e->path_bytes = 0;
  e->flags = 0;
  if (nr == NR_finit_module) {
    int fd = (int)SYSCALL_ARG0(regs);
    struct fdtable *fdt = task->files->fdt;
    if (fd >= 0 && (unsigned int)fd < fdt->max_fds) {
      struct file **fds = fdt->fd;
      struct file *file = 0;
      bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
      if (file) {
        struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
        e->path_bytes = write_path_of(1, 0, BPF_CORE_READ(file, f_path.dentry), vfsmnt,
                                      BPF_CORE_READ(vfsmnt, mnt_root), &truncated);
        if (truncated) e->flags |= WD_EXEC_EXE_TRUNCATED;
      }
    }
  }
  __u32 used = e->path_bytes;
  if (used > WD_DATA_MASK) used = WD_DATA_MASK;
  __u64 size = offsetof(struct wd_module_event, data) + used;
  fill_header(&e->h, WD_EVENT_MODULE, size, task);
  output(e, verifier_bound(size), WD_EVENT_MODULE);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret) {
  long nr = SYSCALL_NR(regs);
  switch (nr) {
    case NR_connect:
    case NR_accept:
    case NR_accept4:
    case NR_bind:
    case NR_listen:
      if (is_agent()) return 0;
      return handle_socket(regs, nr, ret);
    case NR_setuid:
    case NR_setgid:
    case NR_setreuid:
    case NR_setregid:
    case NR_setresuid:
    case NR_setresgid:
    case NR_setfsuid:
    case NR_setfsgid:
      if (is_agent()) return 0;
      return handle_setid(regs, nr, ret);
    case NR_open:
    case NR_creat:
    case NR_openat:
    case NR_openat2:
      if (prefix_count == 0) return 0;
      return handle_open(regs, nr, ret);
    case NR_init_module:
    case NR_finit_module:
      if (!watch_modules || is_agent()) return 0;
      return handle_module(regs, nr, ret);
    default:
      return 0;
  }
}

/* ---- Socket hooks (the default): none of these runs outside the socket
 * operations they watch, so processes that do not use sockets pay nothing. */

/* Copies an address out of a context structure's ip4 / ip6[4] fields, one
 * field at a time (the verifier allows only direct loads of context fields). */
#define COPY_CTX_ADDR(addr, family, src, ip4, ip6)                                        \
  do {                                                                                  \
    if ((family) == AF_INET) {                                                          \
      __u32 v4_ = (src)->ip4;                                                           \
      __builtin_memcpy((addr), &v4_, 4);                                                \
    } else {                                                                            \
      __u32 v6_[4] = {(src)->ip6[0], (src)->ip6[1], (src)->ip6[2], (src)->ip6[3]};      \
      __builtin_memcpy((addr), v6_, 16);                                                \
    }                                                                                   \
  } while (0)

static __always_inline int emit_socket(struct wd_socket_event *e, __u32 syscall_nr) {
  if (is_agent()) return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
  e->syscall_nr = syscall_nr;
  e->ret = 0;
  e->fd = -1;
  fill_header(&e->h, WD_EVENT_SOCKET, sizeof(*e), task);
  output(e, sizeof(*e), WD_EVENT_SOCKET);
  return 0;
}

/* connect(): the address the caller asked for, before the call completes. */
static __always_inline int on_connect(struct bpf_sock_addr *ctx, __u16 family) {
  struct wd_socket_event e = {};
  e.type = ctx->type;
  e.protocol = ctx->protocol;
  e.remote.family = family;
  e.remote.port = bpf_ntohs((__u16)ctx->user_port);
  COPY_CTX_ADDR(e.remote.addr, family, ctx, user_ip4, user_ip6);
  struct bpf_sock *sk = ctx->sk;
  if (sk) {
    e.local.family = family;
    e.local.port = sk->src_port;
    COPY_CTX_ADDR(e.local.addr, family, sk, src_ip4, src_ip6);
  }
  emit_socket(&e, NR_connect);
  return 1; /* always allow: Warden observes, it does not enforce */
}

SEC("cgroup/connect4")
int on_connect4(struct bpf_sock_addr *ctx) { return on_connect(ctx, AF_INET); }

SEC("cgroup/connect6")
int on_connect6(struct bpf_sock_addr *ctx) { return on_connect(ctx, AF_INET6); }

/* bind(): runs after the port is assigned, in the binding process. */
static __always_inline int on_bind(struct bpf_sock *sk, __u16 family) {
  struct wd_socket_event e = {};
  e.type = sk->type;
  e.protocol = sk->protocol;
  e.local.family = family;
  e.local.port = sk->src_port;
  COPY_CTX_ADDR(e.local.addr, family, sk, src_ip4, src_ip6);
  emit_socket(&e, NR_bind);
  return 1;
}

SEC("cgroup/post_bind4")
int on_bind4(struct bpf_sock *sk) { return on_bind(sk, AF_INET); }

SEC("cgroup/post_bind6")
int on_bind6(struct bpf_sock *sk) { return on_bind(sk, AF_INET6); }

static __always_inline void listener_key_of(const struct sock *sk, struct wd_listener_key *key) {
  key->netns_cookie = BPF_CORE_READ(sk, __sk_common.skc_net.net, net_cookie);
  key->family = sk->__sk_common.skc_family;
  key->port = sk->__sk_common.skc_num;
}

/* TCP state changes that happen inside the socket calls (process context):
 * LISTEN in listen(), LISTEN -> CLOSE when a listener is closed. Runs of this
 * program nested in softirq context (other connections' transitions) produce
 * nothing, so the kernel skipping one as recursion loses no event; accepted
 * connections come from sockops below, which has no such limit. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_sock_state, const struct sock *sk, const int oldstate, const int newstate) {
  if (sk->sk_protocol != IPPROTO_TCP) return 0;
  struct wd_listener_key key = {};
  if (newstate == TCP_LISTEN) {
    if (is_agent()) return 0;
    struct wd_socket_event e = {};
    listener_key_of(sk, &key);
    e.type = sk->sk_type;
    e.protocol = IPPROTO_TCP;
    local_endpoint((struct sock *)sk, &e.local);
    struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
    e.syscall_nr = NR_listen;
    e.ret = 0;
    e.fd = -1;
    fill_header(&e.h, WD_EVENT_SOCKET, sizeof(e), task);
    bpf_map_update_elem(&listeners, &key, &e.h, BPF_ANY);
    output(&e, sizeof(e), WD_EVENT_SOCKET);
    return 0;
  }
  if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE) {
    listener_key_of(sk, &key);
    bpf_map_delete_elem(&listeners, &key);
    return 0;
  }
  return 0;
}

/* A connection a listener accepted (the handshake completed: SYN_RECV ->
 * ESTABLISHED, in softirq context), reported as the listener's process. */
SEC("sockops")
int on_sockops(struct bpf_sock_ops *skops) {
  if (skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB) return 1;
  __u32 family = skops->family;
  if (family != AF_INET && family != AF_INET6) return 1;
  struct wd_listener_key key = {};
  key.netns_cookie = bpf_get_netns_cookie(skops);
  key.family = family;
  key.port = skops->local_port;
  struct wd_socket_event e = {};
  struct wd_header *owner = bpf_map_lookup_elem(&listeners, &key);
  if (owner) {
    if (agent_tgid != 0 && owner->pid == agent_tgid) {
      count(WD_COUNT_FILTERED_SELF);
      return 1;
    }
    e.h = *owner;
  }
  e.h.boot_ns = bpf_ktime_get_boot_ns();
  e.h.kind = WD_EVENT_SOCKET;
  e.h.size = sizeof(e);
  e.type = 1; /* SOCK_STREAM */
  e.protocol = IPPROTO_TCP;
  e.local.family = e.remote.family = family;
  e.local.port = skops->local_port;
  __u32 rport = skops->remote_port; /* network order, in the upper half on older kernels */
  e.remote.port = rport > 0xffff ? bpf_ntohl(rport) : bpf_ntohs((__u16)rport);
  COPY_CTX_ADDR(e.local.addr, family, skops, local_ip4, local_ip6);
  COPY_CTX_ADDR(e.remote.addr, family, skops, remote_ip4, remote_ip6);
  e.syscall_nr = NR_accept;
  e.ret = 0;
  e.fd = -1;
  output(&e, sizeof(e), WD_EVENT_SOCKET);
  return 1;
}
