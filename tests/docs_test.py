#!/usr/bin/env python3
"""The docs test: every shell block of README.md and docs/*.md runs as written.

Each ```sh / ```bash block is run line by line (output piped, as in a script),
and each ```console block's "$ " lines on a 100-column pseudo-terminal (what a
reader at a terminal sees), with the built `warden` first on PATH, in a scratch directory
per page (blocks of a page run in order and share it, as a reader following
the page would). A command fails the test when it exits with a code the page
does not allow; in a console block, the lines shown under a command must
appear in its output (stdout and stderr), in order, with "..." standing for
any text. Every fenced block must say its language, so that a command block
cannot slip past as plain text.

What the pages name but the test cannot have (a feed file, AWSLogs/, a
problem id) is mapped by tests/docs_commands.toml, kept next to this file:
fixtures copied in, placeholders replaced, services started for a page, and
the few commands that are skipped, each with its reason. State never touches
the host's: WARDEN_STATE_DIR, WARDEN_FEED_DB, WARDEN_EVENTS_JOURNAL and HOME
point into the scratch directory. Vendor feed samples come from
tests/fixtures/vuln/samples (their sources are noted there).

Usage: tests/docs_test.py [--binary-dir build] [--only PAGE] [-v]
Exit status 0 when every command ran as documented, 1 otherwise.
"""

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tomllib

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNABLE = {"sh", "bash", "console"}
# Console blocks show what a reader sees on a terminal this wide.
TERMINAL_COLUMNS = 100


def fenced_blocks(path):
    """(line, language, text) for every fenced block of a Markdown file."""
    blocks, lang, start, body = [], None, 0, []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.rstrip("\n")
            if lang is None:
                m = re.match(r"^```(\S*)\s*$", stripped)
                if m:
                    lang, start, body = m.group(1), number, []
            elif stripped.startswith("```"):
                blocks.append((start, lang, "\n".join(body)))
                lang = None
            else:
                body.append(stripped)
    return blocks


def shell_commands(text):
    """Commands of an sh block: one per line, backslash continuations joined."""
    commands, pending = [], ""
    for line in text.split("\n"):
        if pending:
            line = pending + " " + line.strip()
            pending = ""
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1].rstrip()
            continue
        if line.strip() and not line.strip().startswith("#"):
            commands.append((line.strip(), None))
    return commands


def console_commands(text):
    """(command, expected output lines) of a console block."""
    commands = []
    for line in text.split("\n"):
        if line.startswith("$ "):
            commands.append([line[2:].strip(), []])
        elif commands:
            commands[-1][1].append(line)
    return [(c, out) for c, out in commands]


def line_pattern(expected):
    """A documented output line as a regex: '...' is any text, spaces are any run of spaces."""
    parts = [re.escape(p) for p in expected.strip().split("...")]
    pattern = ".*".join(parts)
    pattern = re.sub(r"(\\ )+", r"\\s+", pattern)
    return re.compile(pattern)


def check_output(expected_lines, actual):
    """The expected lines (not blank, not '...') as an ordered subsequence of actual."""
    actual_lines = [a.strip() for a in actual.split("\n")]
    i = 0
    for expected in expected_lines:
        if not expected.strip() or expected.strip() == "...":
            continue
        pattern = line_pattern(expected)
        while i < len(actual_lines) and not pattern.fullmatch(actual_lines[i]):
            i += 1
        if i == len(actual_lines):
            return "documented line not in the output: " + expected.strip()
        i += 1
    return None


class Page:
    """One Markdown page: its scratch directory, environment and services."""

    def __init__(self, name, table, binary_dir, root):
        self.name = name
        self.table = table
        self.dir = os.path.join(root, re.sub(r"[^A-Za-z0-9]+", "-", name))
        os.makedirs(os.path.join(self.dir, "home"))
        os.makedirs(os.path.join(self.dir, "state"))
        self.env = dict(os.environ)
        self.env.pop("COLUMNS", None)
        self.env.update({
            "PATH": binary_dir + os.pathsep + self.env.get("PATH", "/usr/bin:/bin"),
            "HOME": os.path.join(self.dir, "home"),
            "WARDEN_STATE_DIR": os.path.join(self.dir, "state"),
            "WARDEN_FEED_DB": os.path.join(self.dir, "feeds.db"),
            "WARDEN_EVENTS_JOURNAL": os.path.join(self.dir, "events.journal"),
            "WARDEN_AGENT_CONFIG": "",
            "REPO": SOURCE_DIR,
            # The vendor feed excerpts kept in the repository.
            "SAMPLES": os.path.join(SOURCE_DIR, "tests", "fixtures", "vuln", "samples"),
            "PAGE_DIR": self.dir,
        })
        self.services = []

    def run_shell(self, command, timeout):
        return subprocess.run(["bash", "-c", command], cwd=self.dir, env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", timeout=timeout)

    def prepare(self, doc_blocks):
        for target, source in self.table.get("files", {}).items():
            src = os.path.join(SOURCE_DIR, source)
            dst = os.path.join(self.dir, target)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.isdir(src):
                shutil.copytree(src, dst)
            else:
                shutil.copyfile(src, dst)
        for target, spec in self.table.get("doc_files", {}).items():
            blocks = [b for b in doc_blocks[spec["page"]] if b[1] == spec["language"]]
            with open(os.path.join(self.dir, target), "w", encoding="utf-8") as f:
                f.write(blocks[spec["block"] - 1][2] + "\n")
        page = self.table.get("pages", {}).get(self.name, {})
        for step in page.get("setup", []):
            r = self.run_shell(step, 120)
            if r.returncode != 0:
                raise RuntimeError(f"{self.name}: setup `{step}` failed: {r.stderr.strip()}")
        for service in page.get("services", []):
            proc = subprocess.Popen(["bash", "-c", "exec " + service["run"]], cwd=self.dir,
                                    env=self.env, stdin=subprocess.DEVNULL,
                                    stdout=open(os.path.join(self.dir, "service.log"), "a"),
                                    stderr=subprocess.STDOUT, start_new_session=True)
            self.services.append(proc)
            if "ready" in service:
                deadline = time.monotonic() + service.get("ready_within", 30)
                while self.run_shell(service["ready"], 30).returncode != 0:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        with open(os.path.join(self.dir, "service.log")) as log:
                            raise RuntimeError(f"{self.name}: service `{service['run']}` not "
                                               f"ready: {log.read()[-2000:]}")
                    time.sleep(0.2)

    def stop(self):
        for proc in self.services:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()

    def substitute(self, command):
        for old, new in self.table.get("replace", {}).items():
            command = command.replace(old, new)
        return command

    def run_on_terminal(self, command, rule):
        """Runs a console command on a pseudo-terminal of TERMINAL_COLUMNS, as the reader
        whose output the page shows; returns (exit code, output)."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, TERMINAL_COLUMNS, 0, 0))
        attrs = termios.tcgetattr(slave)
        attrs[1] &= ~termios.OPOST  # keep "\n" as written
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        env = dict(self.env, COLUMNS=str(TERMINAL_COLUMNS))
        proc = subprocess.Popen(["bash", "-c", self.substitute(command)], cwd=self.dir, env=env,
                                stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                                start_new_session=True)
        os.close(slave)
        out = b""
        deadline = time.monotonic() + rule.get("timeout", 180)
        while True:
            ready, _, _ = select.select([master], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                os.close(master)
                return None, out.decode(errors="replace")
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the last writer is gone
                chunk = b""
            if not chunk:
                break
            out += chunk
        os.close(master)
        return proc.wait(), out.decode(errors="replace")

    def run(self, command, rule):
        """Runs one documented command; returns (exit code, output)."""
        shell = self.substitute(command)
        interrupt = rule.get("interrupt_after")
        proc = subprocess.Popen(["bash", "-c", shell], cwd=self.dir, env=self.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace",
                                start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=interrupt or rule.get("timeout", 180))
        except subprocess.TimeoutExpired:
            if not interrupt:
                os.killpg(proc.pid, signal.SIGKILL)
                out, _ = proc.communicate()
                return None, out
            # Ctrl-C, as a reader would stop it.
            os.killpg(proc.pid, signal.SIGINT)
            try:
                out, _ = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, _ = proc.communicate()
                return None, out
        return proc.returncode, out


def rule_for(table, page, command):
    """The table's entry for a command: the first [[command]] whose `match` regex finds it."""
    for rule in table.get("command", []):
        if rule.get("page", page) != page:
            continue
        if re.search(rule["match"], command):
            return rule
    return {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary-dir", default=os.path.join(SOURCE_DIR, "build"))
    parser.add_argument("--only", help="run one page (README.md, docs/agent.md, ...)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    binary_dir = os.path.abspath(args.binary_dir)
    if not os.access(os.path.join(binary_dir, "warden"), os.X_OK):
        print(f"docs_test: no warden binary in {binary_dir}", file=sys.stderr)
        return 1
    with open(os.path.join(SOURCE_DIR, "tests", "docs_commands.toml"), "rb") as f:
        table = tomllib.load(f)

    pages = ["README.md"] + sorted(
        "docs/" + n for n in os.listdir(os.path.join(SOURCE_DIR, "docs")) if n.endswith(".md"))
    doc_blocks = {p: fenced_blocks(os.path.join(SOURCE_DIR, p)) for p in pages}
    passed, failed, skipped = 0, 0, 0
    failures = []
    for page_name in pages:
        for line, lang, _ in doc_blocks[page_name]:
            if not lang:
                failures.append(f"{page_name}:{line}: fenced block without a language "
                                "(sh, console for commands; yaml, json, text, ... otherwise)")
                failed += 1
    root = tempfile.mkdtemp(prefix="warden-docs-test-")
    try:
        for page_name in pages:
            if args.only and page_name != args.only:
                continue
            runnable = [b for b in doc_blocks[page_name] if b[1] in RUNNABLE]
            if not runnable:
                continue
            page = Page(page_name, table, binary_dir, root)
            try:
                page.prepare(doc_blocks)
                for line, lang, text in runnable:
                    commands = console_commands(text) if lang == "console" else shell_commands(text)
                    for command, expected in commands:
                        where = f"{page_name}:{line}: {command}"
                        rule = rule_for(table, page_name, command)
                        if "skip" in rule:
                            skipped += 1
                            print(f"SKIP {where}\n     ({rule['skip']})")
                            continue
                        started = time.monotonic()
                        if lang == "console":
                            code, out = page.run_on_terminal(command, rule)
                        else:
                            code, out = page.run(command, rule)
                        allowed = rule.get("exit", [0])
                        problem = None
                        if code is None:
                            problem = "did not finish in time"
                        elif code not in allowed:
                            problem = f"exit code {code}, documented {allowed}"
                        elif expected:
                            problem = check_output(expected, out)
                        if problem is None:
                            for needle in rule.get("output_has", []):
                                if needle not in out:
                                    problem = f"output lacks {needle!r}"
                        seconds = time.monotonic() - started
                        if problem:
                            failed += 1
                            failures.append(f"{where}\n     {problem}\n" +
                                            "\n".join("     | " + o for o in out.split("\n")[-25:]))
                            print(f"FAIL {where} ({seconds:.1f} s): {problem}")
                        else:
                            passed += 1
                            print(f"ok   {where} ({seconds:.1f} s)")
                            if args.verbose:
                                print("\n".join("     | " + o for o in out.split("\n")[:40]))
            except RuntimeError as e:
                failed += 1
                failures.append(str(e))
                print(f"FAIL {e}")
            finally:
                page.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for f in failures:
        print("\n" + f, file=sys.stderr)
    print(f"docs: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
