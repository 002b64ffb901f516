#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""relecture-cli under valgrind's memcheck: no invalid access, no use of
uninitialised memory and no definite leak when it analyzes every sample,
pseudonymizes one, and refuses bad inputs. tests/valgrind.supp holds the
system libraries' noise, each entry with its reason.

Only valgrind's own reports are printed: stacks and sizes, no report text."""
import atexit
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from taptest import Skip, check, run  # noqa: E402

CLI = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.environ.get("REL_SOURCE_ROOT", os.path.join(HERE, "..")))
SUPPRESSIONS = os.path.join(HERE, "valgrind.supp")
SAMPLES = sorted(glob.glob(os.path.join(ROOT, "data", "samples", "*.txt")))
TMP = tempfile.mkdtemp(prefix="relecture-valgrind-")
atexit.register(shutil.rmtree, TMP, True)
ENV = dict(os.environ, XDG_DATA_HOME=os.path.join(TMP, "data"),
           XDG_CONFIG_HOME=os.path.join(TMP, "config"), HOME=TMP,
           RELECTURE_DB=os.path.join(TMP, "never-used.db"), LC_ALL="C.UTF-8",
           # Every block through malloc, freed memory cleared: what memcheck sees
           # is what the program holds.
           G_SLICE="always-malloc", G_DEBUG="gc-friendly,fatal-criticals")
ENV.pop("LANGUAGE", None)
VALGRIND = shutil.which("valgrind")
ERRORS = re.compile(r"ERROR SUMMARY: (\d+) errors")
DEFINITE = re.compile(r"definitely lost: ([\d,]+) bytes")


def memcheck(name, *args, expect=0):
    """Runs the CLI under memcheck; returns its standard output."""
    if VALGRIND is None:
        raise Skip("valgrind is not installed")
    with open(CLI, "rb") as f:
        if b"__asan_init" in f.read():
            raise Skip("built with AddressSanitizer, which valgrind cannot run")
    log = os.path.join(TMP, name + ".log")
    result = subprocess.run(
        [VALGRIND, "--leak-check=full", "--errors-for-leak-kinds=definite",
         "--error-exitcode=1", f"--suppressions={SUPPRESSIONS}", "--num-callers=30",
         "--track-origins=yes", f"--log-file={log}", CLI, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, timeout=540)
    with open(log, encoding="utf-8", errors="replace") as f:
        report = f.read()
    errors = ERRORS.findall(report)
    definite = DEFINITE.findall(report)
    clean = (errors == ["0"] and all(d == "0" for d in definite))
    if not clean or result.returncode != expect:
        # valgrind's report: stacks and sizes, never the report's text.
        for line in report.splitlines():
            print(f"# {line}")
    assert errors, "valgrind wrote no summary"
    assert errors == ["0"], f"memcheck found {errors[0]} errors"
    assert all(d == "0" for d in definite), f"definitely lost: {definite} bytes"
    # With an expected failure, 1 is the program's own exit status.
    assert result.returncode == expect, (
        f"exit {result.returncode}, expected {expect}\n{result.stderr.decode()}")
    suppressed = re.findall(r"suppressed: (\d+) from", report)
    print(f"# {name}: no error, no definite leak ({suppressed[-1] if suppressed else 0} "
          f"suppressed as noise)")
    return result.stdout.decode()


@check
def analyze_every_sample():
    assert SAMPLES, "no sample"
    out = memcheck("analyze", "analyze", "--json", *SAMPLES)
    lines = out.splitlines()
    assert len(lines) == len(SAMPLES)
    assert [json.loads(line)["document"]["path"] for line in lines] == SAMPLES


@check
def pseudonymize_a_sample():
    out = memcheck("pseudonymize", "pseudonymize", "--seed", "1", "--strategy", "surrogate",
                   os.path.join(ROOT, "data", "samples", "crh-cardiologie.txt"))
    assert out.strip()


def fixture(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


@check
def bad_inputs():
    """The error paths: refused files beside odd but valid ones."""
    body = ("Antécédents :\n- Hypertension artérielle.\n- Diabète de type 2.\n\n"
            "Conclusion :\nFibrillation atriale, fièvre 😷, ضغط الدم, לחץ דם.\n")
    files = [
        fixture("valid.txt", body.encode()),
        fixture("mixed.txt", body.encode() + "Une fièvre élevée.\n".encode("latin-1")),
        fixture("nul.txt", body.encode() + b"\0"),
        fixture("binary.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        fixture("empty.txt", b""),
        os.path.join(TMP, "absent.txt"),
    ]
    out = memcheck("bad-inputs", "analyze", "--json", *files, expect=1)
    assert len(out.splitlines()) == 2
    db = os.path.join(TMP, "store.db")
    memcheck("store", "analyze", "--store", "--db", db, files[0])
    memcheck("import", "import", "--db", db,
             fixture("nested.jsonl", b"[" * 100000 + b"]" * 100000 + b"\n"), expect=1)
    memcheck("import-types", "import", "--db", db,
             fixture("types.jsonl", json.dumps({
                 "format": "relecture-training-1", "sha256": "0" * 64, "text": "x",
                 "codes": {"a": 1}, "ratings": "x", "summary_feedback": [1, 2]}).encode()
                 + b"\n"), expect=1)


run()
