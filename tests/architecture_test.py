#!/usr/bin/env python3
"""Checks that the code keeps the layering docs/architecture.md states.

The doc names the modules in order on one line, "Module order: core → version
→ ...". Each module may use only the modules listed before it. This test
fails when
  - a warden_module(NAME DIR DEPS...) in CMakeLists.txt links a module
    (warden_X) listed after NAME, or a module the doc does not list;
  - a file under a module's DIR #includes "X/..." where X is the folder of a
    module listed after it;
  - the doc and CMakeLists.txt do not name the same modules.
It reads text only: no build is needed. Usage: architecture_test.py [SOURCE_DIR]
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "architecture.md")
CMAKE = os.path.join(ROOT, "CMakeLists.txt")


def doc_order():
    with open(DOC, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*Module order:\s*(.+?)\s*$", line)
            if m:
                names = [n.strip(" `.") for n in re.split(r"→|->", m.group(1))]
                return [n for n in names if n]
    sys.exit(f"{DOC}: no 'Module order: a → b → ...' line")


def cmake_modules():
    """NAME -> (DIR, [module deps]) for every warden_module(...) call."""
    with open(CMAKE, encoding="utf-8") as f:
        text = re.sub(r"#[^\n]*", "", f.read())
    modules = {}
    for m in re.finditer(r"^\s*warden_module\(([^)]*)\)", text, re.MULTILINE):
        args = m.group(1).split()
        name, folder, deps = args[0], args[1], args[2:]
        if name.startswith("${"):
            continue  # the function's own definition
        modules[name] = (folder, [d[len("warden_"):] for d in deps if d.startswith("warden_")])
    return modules


def main():
    order = doc_order()
    modules = cmake_modules()
    rank = {name: i for i, name in enumerate(order)}
    errors = []
    for name in modules:
        if name not in rank:
            errors.append(f"CMakeLists.txt: module '{name}' is not in {DOC}'s module order")
    for name in order:
        if name not in modules:
            errors.append(f"docs/architecture.md: module '{name}' has no warden_module() in CMakeLists.txt")
    if errors:
        print("\n".join(errors))
        return 1

    chain = " → ".join(order)
    for name, (folder, deps) in modules.items():
        for dep in deps:
            if dep not in rank:
                errors.append(f"CMakeLists.txt: {name} links warden_{dep}, which is not a module")
            elif rank[dep] >= rank[name]:
                errors.append(f"CMakeLists.txt: {name} depends on {dep}, listed after it")

    folder_to_module = {os.path.basename(folder): name for name, (folder, _) in modules.items()}
    include = re.compile(r'^\s*#\s*include\s*"([^"/]+)/')
    for name, (folder, _) in modules.items():
        base = os.path.join(ROOT, folder)
        for dirpath, _, files in os.walk(base):
            for file in sorted(files):
                if not file.endswith((".h", ".cc", ".c")):
                    continue
                path = os.path.join(dirpath, file)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = include.match(line)
                        if not m or m.group(1) not in folder_to_module:
                            continue
                        used = folder_to_module[m.group(1)]
                        if used != name and rank[used] > rank[name]:
                            rel = os.path.relpath(path, ROOT)
                            errors.append(f"{rel}:{lineno}: {name} includes a header of {used}, "
                                          "listed after it")
    if errors:
        print("\n".join(errors))
        print(f"\nModule order: {chain}\nFix the code, or, if the layering changed on purpose, "
              "the 'Module order:' line of docs/architecture.md.")
        return 1
    print(f"architecture: {len(modules)} modules follow the order {chain}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
