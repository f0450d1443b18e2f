#!/usr/bin/env python3
"""Set-up and everyday tasks with nothing but Python 3.11+:

    python3 tasks.py run     # create .venv, install Standby, start it
    python3 tasks.py test    # create .venv, install Standby and its test tools, run the tests
    python3 tasks.py check   # ruff, mypy --strict, import-linter, the flows and catalog checkers

Installing is skipped when pyproject.toml has not changed since the last install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".setup-stamp"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may be run by an older python3
        sys.exit(f"Standby needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    # A venv's scripts point at the folder and Python that made it: after a move, with
    # another Python, or when an install stopped halfway, build it again from scratch.
    where = f"{ROOT} python{sys.version_info.major}.{sys.version_info.minor}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    wanted = f"{digest} {where}"
    current = STAMP.read_text() if STAMP.exists() else ""
    if VENV.exists() and not current.endswith(where):
        print("Rebuilding .venv (it was made elsewhere or not finished) …", flush=True)
        shutil.rmtree(VENV)
    if not PYTHON.exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if current == wanted:
        return
    print("Installing Standby and its tools into .venv (first time takes a minute) …", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    call([*pip, "--upgrade", "pip"])
    call([*pip, "-e", f"{ROOT}[dev]"])
    STAMP.write_text(wanted)


def call(command: list[str]) -> None:
    process = subprocess.Popen(command, cwd=ROOT)
    # Ctrl-C reaches the whole terminal group: the child (Standby, pytest) stops in its own
    # way, so this process only waits for it, with no traceback of its own. A SIGTERM
    # (a service manager) goes to this process alone: pass it on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    code = process.wait()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if code:
        sys.exit(code if code > 0 else 128 - code)


def tool(name: str) -> str:
    return str(BIN / name)


def run(args: list[str]) -> None:
    call([tool("standby"), *(args or ["run"])])


def test(args: list[str]) -> None:
    call([str(PYTHON), "-m", "pytest", *args])


def check(args: list[str]) -> None:
    call([tool("ruff"), "check", "."])
    call([tool("ruff"), "format", "--check", "."])
    call([tool("mypy")])
    call([tool("lint-imports")])
    call([tool("standby"), "flows", "check", "flows", "--strict", *args])
    call([tool("standby"), "i18n", "check"])


TASKS = {"run": run, "test": test, "check": check}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(__doc__)
    ensure_venv()
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
