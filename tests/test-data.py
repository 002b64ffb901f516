#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validates the authored data: headers, codes against the ATIH nomenclature, samples."""
import csv
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from taptest import Skip, check, run  # noqa: E402

ROOT = os.environ.get("REL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
SHARED = os.environ.get("REL_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
TERMINOLOGY = os.path.join(ROOT, "data", "terminology")
SAMPLES = os.path.join(ROOT, "data", "samples")


def rows(path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield number, line.split("\t")


def atih():
    path = os.path.join(SHARED, "cim10", "cim10-atih-2022.csv")
    if not os.path.exists(path):
        raise Skip("../shared/data is absent")
    with open(path, encoding="utf-8") as f:
        return {r["code"]: int(r["type"]) for r in csv.DictReader(f)}


def starter_codes():
    codes = {}
    for path in sorted(glob.glob(os.path.join(TERMINOLOGY, "codes-*.tsv"))):
        for number, fields in rows(path):
            assert len(fields) == 3, f"{path}:{number}: 3 columns expected"
            assert fields[0] not in codes, f"{path}:{number}: {fields[0]} repeated"
            codes[fields[0]] = int(fields[1])
    return codes


def synonyms():
    for path in sorted(glob.glob(os.path.join(TERMINOLOGY, "synonyms-*.tsv"))):
        for number, fields in rows(path):
            yield path, number, fields


@check
def data_files_have_headers():
    paths = glob.glob(os.path.join(ROOT, "data", "**", "*.tsv"), recursive=True)
    paths += glob.glob(os.path.join(ROOT, "data", "lexicons", "*.txt"))
    assert paths
    for path in paths:
        with open(path, encoding="utf-8") as f:
            first = f.readline()
        assert first.startswith("#"), f"{path} must start with a header saying what it is"


@check
def starter_size():
    codes = starter_codes()
    assert len(codes) >= 2500, f"{len(codes)} codes, 2500 expected"
    n = sum(1 for _ in synonyms())
    assert n >= 4000, f"{n} synonyms, 4000 expected"


@check
def starter_codes_are_codable_atih_codes():
    reference = atih()
    for code, kind in starter_codes().items():
        assert code in reference, f"{code} is not in the ATIH nomenclature"
        assert reference[code] != 3, f"{code} is a non-codable parent (type 3)"
        assert reference[code] == kind, f"{code}: type {kind} written, ATIH says {reference[code]}"


@check
def synonyms_map_to_starter_codes():
    starter = starter_codes()
    seen = set()
    for path, number, fields in synonyms():
        assert len(fields) in (3, 4), f"{path}:{number}: 3 or 4 columns expected"
        expression, codes, kind = fields[:3]
        assert kind in ("terme", "abrev", "ambigu"), f"{path}:{number}: kind {kind}"
        parts = codes.split("|")
        assert (len(parts) > 1) == (kind == "ambigu"), f"{path}:{number}: ambiguity and codes"
        for code in parts:
            assert code in starter, f"{path}:{number}: {code} is not in the starter"
        key = (expression, kind)
        assert key not in seen, f"{path}:{number}: {expression} repeated"
        seen.add(key)


@check
def synonym_codes_are_codable_atih_codes():
    reference = atih()
    for path, number, fields in synonyms():
        for code in fields[1].split("|"):
            assert reference.get(code, 3) != 3, f"{path}:{number}: {code} not codable"


def sidecars():
    reports = sorted(glob.glob(os.path.join(SAMPLES, "*.txt")))
    assert len(reports) >= 12, "at least 12 sample reports"
    for report in reports:
        sidecar = report[:-4] + ".expected.tsv"
        assert os.path.exists(sidecar), f"{report} has no sidecar"
        yield report, list(rows(sidecar))


@check
def samples_have_valid_sidecars():
    starter = starter_codes()
    for report, lines in sidecars():
        roles = [fields[0] for _, fields in lines]
        assert roles.count("DP") == 1, f"{report}: exactly one DP"
        for number, fields in lines:
            assert fields[0] in ("DP", "DAS", "ABSENT"), f"{report}:{number}: role"
            if fields[0] != "ABSENT":
                assert fields[1] in starter, f"{report}:{number}: {fields[1]} not in starter"
                if fields[0] == "DP":
                    assert starter[fields[1]] == 0, f"{report}: DP {fields[1]} not DP-eligible"


@check
def sample_codes_are_codable_atih_codes():
    reference = atih()
    for report, lines in sidecars():
        for number, fields in lines:
            assert reference.get(fields[1], 3) != 3, f"{report}:{number}: {fields[1]}"


run()
