#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bundled fictitious reports, coded as their sidecars say a coder would."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from taptest import check, run  # noqa: E402

CLI = sys.argv[1]
ROOT = os.environ.get("REL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
REPORTS = sorted(glob.glob(os.path.join(ROOT, "data", "samples", "*.txt")))
HOME = os.environ.get("G_TEST_BUILDDIR", "/tmp")
# The bundled terminology, whatever the user imported.
ENV = dict(os.environ, XDG_DATA_HOME=os.path.join(HOME, "samples-data-home"))


def expected(report):
    roles = {"DP": [], "DAS": [], "ABSENT": []}
    with open(report[:-4] + ".expected.tsv", encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                role, code = line.split("\t")[:2]
                roles[role].append(code)
    return roles


def analyses():
    out = subprocess.run([CLI, "analyze", "--json", *REPORTS], capture_output=True, env=ENV,
                         check=True, timeout=300).stdout.decode()
    return {json.loads(line)["document"]["path"]: json.loads(line) for line in out.splitlines()}


RESULTS = analyses()


def make_check(report):
    name = os.path.basename(report)[:-4].replace("-", "_")

    def sample():
        roles = expected(report)
        codes = RESULTS[report]["codes"]
        ranked = [c["code"] for c in codes]
        problems = []
        if not ranked or ranked[0] != roles["DP"][0] or codes[0]["role"] != "DP":
            problems.append(f"DP {roles['DP'][0]} expected first, got {ranked[:3]}")
        for code in roles["DAS"]:
            if code not in ranked[:10]:
                problems.append(f"DAS {code} not in the top 10")
        for code in roles["ABSENT"]:
            if code in ranked:
                problems.append(f"{code} must not be suggested")
        assert not problems, "; ".join(problems) + f"\n  suggested: {ranked[:12]}"

    sample.__name__ = name
    return sample


for report in REPORTS:
    check(make_check(report))


@check
def every_evidence_quotes_the_report():
    for report, result in RESULTS.items():
        with open(report, "rb") as f:
            data = f.read()
        for code in result["codes"]:
            for span in code["evidence"]:
                assert data[span["start"]:span["end"]].decode() == span["text"], (report, span)
        for section in result["summary"]:
            for item in section["items"]:
                assert item["evidence"], (report, item)
                for span in item["evidence"]:
                    assert 0 <= span["start"] < span["end"] <= len(data), (report, span)


run()
