#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""French is the users' language: every string marked, listed and translated."""
import glob
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from taptest import check, run  # noqa: E402

ROOT = os.environ.get("REL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
PO = os.path.join(ROOT, "po")
MARKS = re.compile(r'\b(?:N?_|C_|NC_)\s*\(\s*"|translatable="yes"|^(?:Name|Comment|GenericName|Keywords)=|<summary>|<description>|<p>', re.M)


def potfiles():
    with open(os.path.join(PO, "POTFILES.in"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


@check
def potfiles_lists_every_file_with_strings():
    listed = set(potfiles())
    candidates = []
    for pattern in ("app/*.c", "backend/*.c", "ui/*.c", "ui/*.ui", "data/*.in", "data/*.xml"):
        candidates += glob.glob(os.path.join(ROOT, pattern))
    for path in candidates:
        relative = os.path.relpath(path, ROOT)
        if relative.endswith(".gresource.xml"):
            continue
        with open(path, encoding="utf-8") as f:
            if MARKS.search(f.read()):
                assert relative in listed, f"{relative} has translatable strings but is not in po/POTFILES.in"
    for relative in listed:
        assert os.path.exists(os.path.join(ROOT, relative)), f"{relative} is listed but absent"


@check
def french_is_complete():
    result = subprocess.run(["msgfmt", "-c", "--statistics", "-o", os.devnull,
                             os.path.join(PO, "fr.po")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@check
def french_covers_the_sources():
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "relecture.pot")
        subprocess.run(["xgettext", "--from-code=UTF-8", "--add-comments", "--keyword=_",
                        "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
                        "--keyword=g_dngettext:2,3", "--directory", ROOT,
                        "--files-from", os.path.join(PO, "POTFILES.in"), "-o", pot],
                       check=True, capture_output=True)
        result = subprocess.run(["msgcmp", "--use-untranslated", os.path.join(PO, "fr.po"), pot],
                                capture_output=True, text=True)
        assert result.returncode == 0, "po/fr.po lacks strings of the sources:\n" + result.stderr


run()
