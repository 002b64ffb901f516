#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drives relecture-cli as a coder or a script would: output, exit codes, import."""
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from taptest import Skip, check, run  # noqa: E402

CLI = sys.argv[1]
ROOT = os.environ.get("REL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
SHARED = os.environ.get("REL_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
HOME = tempfile.mkdtemp(prefix="relecture-cli-")
ENV = dict(os.environ, XDG_DATA_HOME=os.path.join(HOME, "data"),
           XDG_CONFIG_HOME=os.path.join(HOME, "config"), HOME=HOME)


def cli(*args, stdin=None, expect=0):
    result = subprocess.run([CLI, *args], input=stdin, capture_output=True, env=ENV,
                            timeout=120)
    assert result.returncode == expect, (
        f"{args}: exit {result.returncode}, expected {expect}\n{result.stderr.decode()}")
    return result.stdout.decode(), result.stderr.decode()


def sample(name="crh-cardiologie.txt"):
    path = os.path.join(ROOT, "data", "samples", name)
    assert os.path.exists(path), f"missing sample {name}"
    return path


def fixture(name, data):
    path = os.path.join(HOME, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


@check
def version_and_help():
    out, _ = cli("--version")
    assert out.startswith("relecture-cli ")
    for args in (["--help"], ["analyze", "--help"], ["terminology", "--help"],
                 ["terminology", "import", "--help"], ["terminology", "search", "--help"],
                 ["terminology", "info", "--help"]):
        out, _ = cli(*args)
        assert "relecture-cli" in out or "Usage" in out or "Utilisation" in out, args


@check
def usage_errors_exit_2():
    cli(expect=2)
    cli("frobnicate", expect=2)
    cli("analyze", expect=2)
    cli("analyze", "--no-such-option", sample(), expect=2)
    cli("terminology", "search", expect=2)
    cli("terminology", "import", expect=2)


@check
def analyze_json_contract():
    path = sample()
    out, _ = cli("analyze", "--json", path)
    result = json.loads(out)
    with open(path, "rb") as f:
        data = f.read()
    document = result["document"]
    assert document["path"] == path
    assert document["sha256"] == hashlib.sha256(data).hexdigest()
    assert document["length"] == len(data)
    assert document["encoding"] == "UTF-8"
    assert result["engine"]["name"] == "embedded"
    assert result["engine"]["model"] is None
    assert result["engine"]["version"]
    for key in ("phi", "sections", "mentions", "codes", "summary"):
        assert isinstance(result[key], list), key
    assert result["timings_ms"]["total"] >= 0


@check
def analyze_several_files_one_line_each():
    paths = sorted(glob.glob(os.path.join(ROOT, "data", "samples", "*.txt")))[:3]
    out, _ = cli("analyze", "--json", *paths)
    lines = out.splitlines()
    assert len(lines) == len(paths)
    assert [json.loads(line)["document"]["path"] for line in lines] == paths


@check
def analyze_failure_keeps_the_others():
    good = sample()
    binary = fixture("scan.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    secret = fixture("secret.txt", "Patient DUPONTEL Jeanne\n".encode("cp1252") + b"\0\0\0")
    out, err = cli("analyze", "--json", good, os.path.join(HOME, "absent.txt"), binary, secret,
                   expect=1)
    assert len(out.splitlines()) == 1
    assert json.loads(out)["document"]["path"] == good
    assert err.count("relecture-cli:") == 3
    # The report's content never appears in an error.
    assert "DUPONTEL" not in err and "Jeanne" not in err


@check
def analyze_stdin_and_encodings():
    text = "Antécédents : HTA, DT2.\r\n"
    out, _ = cli("analyze", "--json", "-", stdin=text.encode("cp1252"))
    document = json.loads(out)["document"]
    assert document["path"] == "-"
    assert document["encoding"] in ("ISO-8859-1", "WINDOWS-1252")
    assert document["length"] == len("Antécédents : HTA, DT2.\n".encode())


@check
def analyze_size_limit():
    big = fixture("big.txt", b"HTA connue. " * 200000)
    _, err = cli("analyze", "--max-size", "1", big, expect=1)
    assert "big.txt" in err
    cli("analyze", "--max-size", "5", big)


@check
def analyze_readable():
    out, _ = cli("analyze", sample())
    assert "sha" in out.lower() or "SHA" in out


@check
def terminology_bundled():
    out, _ = cli("terminology", "info")
    assert "2500" not in out  # a count, not the threshold
    out, _ = cli("terminology", "search", "HTA")
    assert out.splitlines()[0].startswith("I10 ")
    out, _ = cli("terminology", "search", "E11.98")
    assert out.splitlines()[0].startswith("E11.98 ")
    out, _ = cli("terminology", "search", "insuf", "card", "-n", "5")
    assert 0 < len(out.splitlines()) <= 5
    assert "I50." in out
    out, _ = cli("terminology", "search", "xqzwv")
    assert len(out.splitlines()) == 1


ATIH = (
    "E11  |3|NNNN|3|DIABETE TYPE 2|Diabète sucré de type 2\r\n"
    "E1198|0|NOOO|0|DIABETE TYPE 2 NON INSULINOTRAITE|Diabète sucré de type 2 non "
    "insulinotraité ou sans précision, sans complication\r\n"
    "I10  |0|NOOO|0|HYPERTENSION ESSENTIELLE|Hypertension essentielle (primitive)\r\n"
)


@check
def terminology_import_atih_format():
    source = fixture("LIBCIM10MULTI.TXT", ATIH.encode("cp1252"))
    out, _ = cli("terminology", "import", "--edition", "2025", source)
    assert "3" in out
    out, _ = cli("terminology", "info")
    assert "2025" in out and "LIBCIM10MULTI.TXT" in out
    out, _ = cli("terminology", "search", "diabete")
    assert out.splitlines()[0].startswith("E11.98 ")
    # A malformed file is refused with its line number and nothing changes.
    bad = fixture("bad.txt", (ATIH + "ZZZ|0|x|0|y\r\n").encode("cp1252"))
    _, err = cli("terminology", "import", bad, expect=1)
    assert "4" in err
    out, _ = cli("terminology", "info")
    assert "2025" in out


@check
def terminology_import_shared_csv():
    path = os.path.join(SHARED, "cim10", "cim10-atih-2022.csv")
    if not os.path.exists(path):
        raise Skip("../shared/data is absent")
    out, _ = cli("terminology", "import", path)
    assert "42886" in out
    out, _ = cli("terminology", "info")
    assert "2022" in out and "42886" in out
    out, _ = cli("terminology", "search", "E11.98")
    assert out.splitlines()[0].startswith("E11.98 ")


run()
