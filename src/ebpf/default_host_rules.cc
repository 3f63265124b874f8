// The built-in host rule catalog, in Warden's native rule format (the same
// format and engine as the CloudTrail catalog). `warden events rules` prints
// it; copy a rule into a file, change it, and pass the file with --rules: a
// rule with the same id replaces the built-in one. Field paths are listed in
// docs/ebpf.md. MITRE ATT&CK techniques are `attack.tNNNN[.NNN]` tags.
#include "ebpf/host_rules.h"

namespace warden {

const std::string_view kDefaultHostRulesYaml = R"yaml(
rules:
  - id: HOST-REVERSE-SHELL
    title: Shell whose input or output is a network socket
    description: >-
      A shell started with stdin or stdout connected to a TCP or UDP socket (or
      started by a process whose stdin/stdout is one, as python's pty.spawn
      does): the shape of a reverse or bind shell.
    risk_level: extreme
    tags: [attack.execution, attack.t1059.004, attack.command_and_control, attack.t1095]
    remediation: >-
      Kill the process and its ancestors listed in the finding, isolate the host,
      and find how the first ancestor was started (web shell, exposed service,
      stolen credentials).
    links: [https://attack.mitre.org/techniques/T1059/004/]
    match:
      event: exec
      process.name: [sh, bash, dash, zsh, ksh, mksh, ash, csh, tcsh, fish, rbash, busybox]
      or:
        - process.stdin: inet_socket
        - process.stdout: inet_socket
        - parent.stdin: inet_socket
        - parent.stdout: inet_socket

  - id: HOST-REVERSE-SHELL-CMDLINE
    title: Reverse shell command line
    description: >-
      A command line with a well-known reverse-shell pattern: bash's /dev/tcp,
      netcat or socat executing a program, an interactive bash redirected to a
      socket, or a python/perl/php one-liner wiring a socket to a shell.
    risk_level: very_high
    tags: [attack.execution, attack.t1059.004, attack.command_and_control, attack.t1095]
    remediation: Kill the process tree, isolate the host and investigate the parent chain.
    match:
      event: exec
      process.cmdline:
        regex:
          - '/dev/(tcp|udp)/[^/\s]+/\d+'
          - '\b(nc|ncat|netcat|nc\.openbsd|nc\.traditional)\b.*\s-[a-z]*[ec]\s'
          - '\bbash\s+-i\b.*[<>]&'
          - '\bsocat\b.*\b(exec|system):'
          - '\bmkfifo\b.*\b(nc|ncat|netcat|telnet)\b'
          - 'socket\.socket\(.*\.connect\(.*(dup2|pty\.spawn|subprocess)'
          - '\bfsockopen\s*\('
          - 'TCPSocket\.(new|open)\(.*(exec|spawn|system|IO\.popen)'

  - id: HOST-NETWORK-TOOL
    title: Network tool executed
    description: >-
      netcat, socat, nmap, masscan and similar tools are rarely needed on
      servers and are staples of attackers for shells, tunnels and scans.
    risk_level: medium
    tags: [attack.discovery, attack.t1046, attack.command_and_control, attack.t1095]
    remediation: Confirm who ran the tool and why; remove it from servers that do not need it.
    match:
      event: exec
      or:
        - process.name: [nc, ncat, netcat, nc.openbsd, nc.traditional, socat, nmap, masscan, zmap, hping3,
                         rustscan, naabu, chisel, ngrok, proxychains, proxychains4, tcpdump, tshark]
        - process.exe:
            endswith: [/nc.openbsd, /nc.traditional, /ncat, /netcat, /socat, /nmap, /masscan, /zmap, /hping3]

  - id: HOST-EXEC-FROM-TMP
    title: Program executed from a world-writable temporary directory
    description: >-
      A file under /tmp, /var/tmp or /dev/shm was executed. Droppers and
      exploits stage payloads there because any user can write to them.
    risk_level: high
    tags: [attack.execution, attack.t1204.002, attack.defense_evasion, attack.t1036]
    remediation: >-
      Inspect the file (hash it, check who created it), kill the process if it
      is not expected, and mount /tmp and /dev/shm with noexec.
    match:
      event: exec
      or:
        - process.exe: {startswith: [/tmp/, /var/tmp/, /dev/shm/, /run/shm/]}
        - process.path: {startswith: [/tmp/, /var/tmp/, /dev/shm/, /run/shm/]}

  - id: HOST-EXEC-MEMFD
    title: Program executed from memory (memfd) or from a deleted file
    description: >-
      The executable has no path on disk: it was loaded into an anonymous
      memory file (memfd_create + fexecve) or deleted after it started, the
      usual way fileless malware avoids scanners.
    risk_level: very_high
    tags: [attack.defense_evasion, attack.t1620, attack.t1027]
    remediation: Capture /proc/PID/exe and the process memory for analysis, then kill the process tree.
    match:
      event: exec
      or:
        - process.exe: {startswith: ['/memfd:']}
        - process.exe_deleted: 'true'
    exceptions:
      - process.exe: {startswith: ['/memfd:runc_cloned']}

  - id: HOST-LISTEN-UNEXPECTED-PORT
    title: New listening socket on a port outside the allowed list
    description: >-
      A process started listening on a non-loopback address on a port that is
      not in this rule's allowed list: the real-time form of the open-ports
      detector. Redefine this rule (same id) with your allowed ports.
    risk_level: medium
    tags: [attack.command_and_control, attack.t1571, attack.persistence]
    remediation: >-
      Identify the process (see process.exe and ancestors); stop it or add the
      port to the allowed list of this rule if it is expected.
    match:
      event: listen
      result: 0
      socket.local_port: {not_in: [22, 53, 80, 443]}
    exceptions:
      - socket.local_address: {cidr: [127.0.0.0/8, '::1/128']}

  - id: HOST-MINER-POOL-CONNECTION
    title: Connection to a crypto-mining pool port
    description: >-
      An outbound connection to a port that mining pools (stratum) commonly
      use. Check the process: legitimate software rarely uses these ports.
    risk_level: high
    tags: [attack.impact, attack.t1496]
    remediation: Identify and kill the miner, find how it was installed (cron, systemd, authorized_keys) and rotate credentials.
    match:
      event: connect
      socket.remote_port: [3333, 3334, 3335, 3336, 3357, 4444, 5555, 5556, 5588, 5730, 6099, 6666,
                           7777, 7778, 9999, 14433, 14444, 45560, 45700]
    exceptions:
      - socket.remote_address: {cidr: [127.0.0.0/8, '::1/128']}

  - id: HOST-CRYPTO-MINER
    title: Crypto-miner executed
    description: A known miner binary, or a command line with a stratum URL, a mining pool or miner options.
    risk_level: very_high
    tags: [attack.impact, attack.t1496]
    remediation: Kill the miner, remove its persistence (cron, systemd units, authorized_keys) and rotate credentials.
    match:
      event: exec
      or:
        - process.name:
            in: [xmrig, xmr-stak, xmr-stak-cpu, minerd, cpuminer, cpuminer-multi, ccminer, ethminer, t-rex,
                 nbminer, lolminer, phoenixminer, cgminer, bfgminer, nanominer, teamredminer, srbminer,
                 srbminer-multi, gminer, kdevtmpfsi, kinsing]
            ignore_case: true
        - process.cmdline:
            contains: ['stratum+tcp://', 'stratum+ssl://', 'stratum+tls://', 'stratum2+tcp://',
                       '--donate-level', '--coin=monero', '--algo=rx/0', 'cryptonight', 'nicehash.com',
                       'minexmr.com', 'nanopool.org', 'supportxmr.com', 'moneroocean.stream',
                       'hashvault.pro', '2miners.com', 'f2pool.com']
            ignore_case: true

  - id: HOST-SETUID-ROOT
    title: Unexpected process became root through a set*id call
    description: >-
      A process that was not running as root (neither real nor effective user)
      successfully made itself root with setuid, setreuid or setresuid. Programs
      that do this by design are setuid-root binaries (sudo, su), which already
      run with effective uid 0; anything else needed a capability such as
      cap_setuid on an interpreter, or a kernel exploit. Where the collector
      does not hook syscalls (syscall_events: hooks, the default) the change
      is noticed at the process's next exec, fork, exit or socket event and
      reported as syscall credential_change.
    risk_level: very_high
    tags: [attack.privilege_escalation, attack.t1548.001]
    remediation: >-
      Check the binary's file capabilities (getcap -r / 2>/dev/null), kill the
      process tree and look for the exploited program in its ancestors.
    match:
      event: setid
      result: 0
      syscall: [setuid, setreuid, setresuid, credential_change]
      or:
        - setid.uid: 0
        - setid.euid: 0
      setid.previous_uid: {exists: true, not_equals: 0}
      setid.previous_euid: {exists: true, not_equals: 0}
    exceptions:
      - process.name: [sudo, su, login, sshd, sshd-session, cron, crond]

  - id: HOST-SHADOW-READ
    title: Password hashes opened by an unexpected process
    description: /etc/shadow, /etc/gshadow or their backups were opened by a program that is not a login or account tool.
    risk_level: high
    tags: [attack.credential_access, attack.t1003.008]
    remediation: Find why the process read the file; if it is not expected, treat every local password as compromised.
    match:
      event: open
      file.path: [/etc/shadow, /etc/gshadow, /etc/shadow-, /etc/gshadow-, /etc/security/opasswd]
    exceptions:
      - process.name: [sshd, sshd-session, login, su, sudo, passwd, chage, chpasswd, unix_chkpwd, useradd,
                       usermod, userdel, groupadd, groupmod, groupdel, gpasswd, newusers, pwck, grpck, vipw,
                       vigr, pwconv, grpconv, shadowconfig, cron, crond, systemd, systemd-logind,
                       systemd-userdbd, nscd, sssd, polkitd, accounts-daemon, gdm-session-worker]

  - id: HOST-SUDOERS-ACCESS
    title: sudoers opened by an unexpected process
    description: /etc/sudoers or a file of /etc/sudoers.d was opened by something other than sudo, visudo or the package manager.
    risk_level: high
    tags: [attack.privilege_escalation, attack.t1548.003]
    remediation: Review the sudoers files for added rules (visudo -c; ls -la /etc/sudoers.d) and find who changed them.
    match:
      event: open
      file.path: {startswith: [/etc/sudoers]}
    exceptions:
      - process.name: [sudo, sudoedit, visudo, cvtsudoers, sudo_logsrvd, sudo_sendlog, dpkg, rpm, dnf, yum,
                       apt, apt-get, unattended-upgr, systemd, systemd-tmpfiles]

  - id: HOST-LD-PRELOAD-WRITE
    title: /etc/ld.so.preload opened for writing
    description: A library listed in /etc/ld.so.preload is loaded into every program; rootkits use it to hide.
    risk_level: very_high
    tags: [attack.persistence, attack.defense_evasion, attack.t1574.006]
    remediation: Inspect /etc/ld.so.preload and the libraries it lists; remove unknown entries.
    match:
      event: open
      file.path: /etc/ld.so.preload
      file.access: [write, read_write]

  - id: HOST-ROOT-SSH-KEYS-WRITE
    title: root's authorized_keys opened for writing
    description: A process other than sshd opened /root/.ssh/authorized_keys for writing, a common persistence step.
    risk_level: high
    tags: [attack.persistence, attack.t1098.004]
    remediation: Review /root/.ssh/authorized_keys and remove keys nobody can account for.
    match:
      event: open
      file.path: {startswith: [/root/.ssh/authorized_keys]}
      file.access: [write, read_write]

  - id: HOST-KERNEL-MODULE-LOAD
    title: Kernel module loaded
    description: A kernel module was loaded (init_module or finit_module succeeded). Rootkits are kernel modules.
    risk_level: high
    tags: [attack.persistence, attack.privilege_escalation, attack.t1547.006]
    remediation: Check the module (module.path, modinfo) and its signature; unload and investigate if unknown.
    match:
      event: module_load
      result: 0
)yaml";

}  // namespace warden
