#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A catalogue of bad inputs given to relecture-cli: each ends in a clear error
(a non-zero exit and one "relecture-cli:" line saying what is wrong, no
traceback, no GLib critical or warning) or in a valid result whose offsets
fall inside the text on character boundaries, with no identifying data left
in the pseudonymized output; the store loses nothing either way.

The reports are synthetic. Only names of cases, codes, offsets and timings
are printed, never a report's words."""
import atexit
import codecs
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from taptest import Skip, check, run  # noqa: E402

CLI = os.path.abspath(sys.argv[1])
TMP = tempfile.mkdtemp(prefix="relecture-bad-")
atexit.register(shutil.rmtree, TMP, True)
ENV = dict(os.environ, XDG_DATA_HOME=os.path.join(TMP, "data"),
           XDG_CONFIG_HOME=os.path.join(TMP, "config"), HOME=TMP)
# Never the user's database, even if a command forgot --db.
ENV["RELECTURE_DB"] = os.path.join(TMP, "never-used.db")
# The messages checked below are the untranslated ones.
ENV["LC_ALL"] = "C.UTF-8"
ENV.pop("LANGUAGE", None)
# Any GLib critical aborts the program, and so fails the check.
if "fatal-criticals" not in ENV.get("G_DEBUG", ""):
    ENV["G_DEBUG"] = ",".join(filter(None, [ENV.get("G_DEBUG"), "fatal-criticals"]))
# "Under a few seconds" for one run; REL_TIME_SCALE for slow builds (sanitizers).
BUDGET = 5.0 * float(os.environ.get("REL_TIME_SCALE", "1"))
STORE = os.path.join(TMP, "store", "relecture.db")
NOISE = re.compile(r"Traceback|CRITICAL|WARNING|\*\*|Segmentation|AddressSanitizer|assertion",
                   re.IGNORECASE)

# The identifying data of every report below: none may survive pseudonymization.
HEADER_PHI = ["Jean", "DUPONTEL", "12/03/1956", "06 12 34 56 78", "jean.dupontel@example.fr"]
HEADER = ("Patient : M. Jean DUPONTEL, né le 12/03/1956\n"
          "Tél : 06 12 34 56 78 — jean.dupontel@example.fr\n\n")
BODY = ("COMPTE RENDU D'HOSPITALISATION\n\n"
        "Motif d'hospitalisation : dyspnée et douleur thoracique.\n\n"
        "Antécédents :\n"
        "- Hypertension artérielle.\n"
        "- Diabète de type 2.\n\n"
        "Histoire de la maladie :\n"
        "Patient de 72 ans admis pour une dyspnée d'effort.\n\n"
        "Conclusion :\n"
        "Insuffisance cardiaque. Fibrillation atriale.\n")
REPORT = HEADER + BODY


def elapsed_run(args, stdin=None, stdout=subprocess.PIPE, budget=BUDGET, preexec_fn=None,
                prefix=()):
    started = time.monotonic()
    result = subprocess.run([*prefix, CLI, *args], input=stdin, stdout=stdout,
                            stderr=subprocess.PIPE, env=ENV, timeout=max(budget * 4, 60),
                            preexec_fn=preexec_fn)
    seconds = time.monotonic() - started
    assert seconds < budget, f"{args[0]} took {seconds:.1f} s (budget {budget:.0f} s)"
    return result, seconds


def quiet(result):
    """No crash and nothing on stderr but the program's own one-line messages."""
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode >= 0, f"killed by signal {-result.returncode}"
    assert not NOISE.search(err), f"unexpected diagnostics on stderr:\n{err}"
    for line in err.splitlines():
        assert line.startswith("relecture-cli: "), f"a line not from relecture-cli: {line!r}"
    return err


def refused(result, *words):
    """A clear error: exit 1, one line, saying (one of) @words."""
    err = quiet(result)
    assert result.returncode == 1, f"exit {result.returncode}, expected 1\n{err}"
    lines = err.splitlines()
    assert len(lines) == 1, f"{len(lines)} lines on stderr, expected one:\n{err}"
    assert not words or any(w.lower() in err.lower() for w in words), (
        f"the error does not say {' or '.join(words)}: {err.strip()}")
    return err


def succeeded(result):
    err = quiet(result)
    assert result.returncode == 0, f"exit {result.returncode}\n{err}"
    assert err == "", f"stderr is not empty:\n{err}"


def fixture(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def new_dir(name):
    return tempfile.mkdtemp(prefix=name + "-", dir=TMP)


# The store, read on a copy so that reading leaves no trace in it

def query(db, sql, *params):
    scratch = new_dir("copy")
    copy = os.path.join(scratch, "copy.db")
    shutil.copyfile(db, copy)
    for suffix in ("-wal", "-journal"):
        if os.path.exists(db + suffix):
            shutil.copyfile(db + suffix, copy + suffix)
    connection = sqlite3.connect(copy)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()
        shutil.rmtree(scratch)


def snapshot(db):
    """Every row of every table, and the integrity check; None before the file."""
    if not os.path.exists(db):
        return None
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    result = {}
    for (table,) in query(db, "SELECT name FROM sqlite_schema WHERE type = 'table' "
                              "ORDER BY name"):
        result[table] = sorted(query(db, f'SELECT * FROM "{table}"'), key=repr)
    return result


def stored_documents(db):
    return {row[0] for row in query(db, "SELECT sha256 FROM documents")} if os.path.exists(db) \
        else set()


def stored_text(db, sha256):
    rows = query(db, "SELECT t.pseudonymized FROM document_texts t JOIN documents d "
                     "ON d.id = t.document_id WHERE d.sha256 = ?", sha256)
    assert len(rows) == 1, f"{len(rows)} stored texts for the document"
    return rows[0][0]


# What a valid analysis must hold

def check_offsets(result, text):
    """Every span inside @text, on UTF-8 character boundaries, its "text" the
    bytes it covers; @text is the document as the program decoded it."""
    data = text.encode("utf-8")
    assert result["document"]["length"] == len(data), (
        f"length {result['document']['length']}, the decoded text has {len(data)} bytes")
    spans = [("phi", s) for s in result["phi"]]
    spans += [("section", s) for s in result["sections"]]
    spans += [("mention", s) for s in result["mentions"]]
    spans += [(f"evidence of {c['code']}", e) for c in result["codes"] for e in c["evidence"]]
    spans += [(f"summary of {s['section']}", e) for s in result["summary"]
              for item in s["items"] for e in item["evidence"]]
    for kind, span in spans:
        start, end = span["start"], span["end"]
        assert isinstance(start, int) and isinstance(end, int), f"{kind}: offsets not integers"
        assert 0 <= start <= end <= len(data), f"{kind}: [{start}, {end}) outside 0..{len(data)}"
        try:
            piece = data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            raise AssertionError(f"{kind}: [{start}, {end}) cuts a UTF-8 character") from None
        if "text" in span:
            assert span["text"] == piece, f"{kind}: its text is not the bytes [{start}, {end})"
    return len(spans)


def assert_no_phi(output, phi, where):
    leaked = [i for i, value in enumerate(phi) if value in output]
    # The indexes, not the values: the values are identifying data.
    assert not leaked, f"{where}: identifying data left in the output (items {leaked} of the list)"


def pseudonymize(path, phi, strategies=("placeholder", "remove", "surrogate")):
    for strategy in strategies:
        result, _ = elapsed_run(["pseudonymize", "--seed", "7", "--strategy", strategy, path])
        succeeded(result)
        output = result.stdout.decode("utf-8")  # valid UTF-8, or this raises
        assert output.strip(), f"pseudonymize --strategy {strategy} printed nothing"
        # A surrogate may by chance be one of the real first names: only the
        # values no surrogate takes are checked for it.
        values = phi if strategy != "surrogate" else [v for v in phi if not v.istitle()]
        assert_no_phi(output, values, f"pseudonymize --strategy {strategy}")


def analyze_valid(name, data, text=None, phi=HEADER_PHI, store=True):
    """Analyzes @data (decoded, it is @text), checks the result and the
    store, pseudonymizes it; returns the analysis."""
    path = fixture(name, data)
    text = text if text is not None else data.decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    before = snapshot(STORE)
    documents = stored_documents(STORE)
    args = ["analyze", "--json", path] + (["--store", "--db", STORE] if store else [])
    result, seconds = elapsed_run(args)
    succeeded(result)
    analysis = json.loads(result.stdout)
    n_spans = check_offsets(analysis, text)
    if store:
        sha256 = analysis["document"]["sha256"]
        assert sha256 == hashlib.sha256(data).hexdigest()
        after = stored_documents(STORE)
        assert documents <= after, "documents of the store were lost"
        assert after - documents == {sha256}, "the document was not stored once"
        assert snapshot(STORE) != before
        assert_no_phi(stored_text(STORE, sha256), phi, "the stored text")
    pseudonymize(path, phi)
    print(f"# {name}: valid, {analysis['document']['encoding']}, "
          f"{analysis['document']['length']} bytes, {len(analysis['codes'])} codes, "
          f"{n_spans} spans checked, {seconds:.2f} s")
    return analysis


def analyze_refused(name, data, *words):
    path = fixture(name, data)
    before = snapshot(STORE)
    result, seconds = elapsed_run(["analyze", "--json", "--store", "--db", STORE, path])
    err = refused(result, *words)
    assert result.stdout == b"", "a refused document printed an analysis"
    assert name in err, "the error does not name the file"
    assert snapshot(STORE) == before, "a refused document changed the store"
    result, _ = elapsed_run(["pseudonymize", path])
    refused(result, *words)
    assert result.stdout == b"", "a refused document was printed"
    print(f"# {name}: refused in {seconds:.2f} s: {err.split(': ', 2)[-1].strip()}")


def codes_of(analysis):
    return {code["code"] for code in analysis["codes"]}


@check
def a_store_to_keep():
    """The store every case writes to and checks: it starts with a report and
    a decision (the JSONL export holds the documents with decisions)."""
    analysis = analyze_valid("plain.txt", REPORT.encode())
    assert len(stored_documents(STORE)) == 1
    assert "I10" in codes_of(analysis)
    result, _ = elapsed_run(["decide", "--db", STORE, "--accept",
                             analysis["document"]["sha256"], "I10"])
    succeeded(result)


# NUL bytes

@check
def nul_byte_in_a_text_report():
    analyze_refused("nul.txt", (HEADER + BODY[:80] + "\0" + BODY[80:]).encode(), "binary")
    analyze_refused("nuls.txt", REPORT.encode().replace(b" ", b"\0"), "binary")


# A 100,000-character line

def long_line_cases():
    n = 100000
    return {
        "words": ("hypertension artérielle " * n)[:n],
        "no-space": "x" * n,
        "accents": "é" * n,  # 100,000 characters, 200,000 bytes
        "digits": "0" * n,
        "phones": ("06 12 34 56 78 " * n)[:n],
        "dates": ("12/03/1956 " * n)[:n],
        # A run of capitals ending on a name, titles one after the other: the
        # pseudonymizer used to take each in a pass over the whole text.
        "capitals": ("DOULEUR " * n)[:n - 12] + "Jean DUPONT.",
        "titles": ("M. " * n)[:n],
        "negations": ("pas de fièvre, " * n)[:n],
        "tumours": ("carcinome du sein " * n)[:n],
    }


@check
def a_100000_character_line():
    for name, line in long_line_cases().items():
        assert len(line) == 100000
        analysis = analyze_valid(f"line-{name}.txt", (REPORT + line + "\n" + BODY).encode())
        assert "I10" in codes_of(analysis), f"{name}: the report around the line was not read"


# Mixed encodings

def decode_like_relecture(data):
    """UTF-8 where it is valid, every other byte as Windows-1252."""
    def as_windows_1252(error):
        return ("".join(bytes([b]).decode("cp1252", "replace")
                        for b in error.object[error.start:error.end]), error.end)
    codecs.register_error("relecture-windows-1252", as_windows_1252)
    return data.decode("utf-8", "relecture-windows-1252")


@check
def utf8_report_with_a_latin1_paragraph():
    # The UTF-8 part says "Diabète", the Latin-1 one "fièvre": both are read.
    latin1 = "Le patient présente une fièvre élevée à 39 °C depuis trois jours.\n\n"
    data = HEADER.encode() + BODY.encode() + latin1.encode("latin-1") + BODY.encode()
    analysis = analyze_valid("mixed.txt", data, decode_like_relecture(data))
    assert analysis["document"]["encoding"] == "UTF-8"
    codes = codes_of(analysis)
    assert any(c.startswith("E11") for c in codes), f"diabetes (UTF-8 part) missed: {codes}"
    assert any(c.startswith("R50") for c in codes), f"fever (Latin-1 part) missed: {codes}"
    # Mostly Latin-1 after a UTF-8 line, and Windows-1252 punctuation.
    data = ("Médecin : Dr Paul LEROY\n".encode()
            + (BODY + latin1 + "Traitement « habituel » – 2 cp\n").encode("cp1252"))
    analysis = analyze_valid("mostly-latin1.txt", data, decode_like_relecture(data),
                             phi=["Paul", "LEROY"])
    assert "I10" in codes_of(analysis)
    # Pure Latin-1 stays Latin-1.
    data = (HEADER + BODY).encode("latin-1", "replace")
    analysis = analyze_valid("latin1.txt", data, data.decode("latin-1"), phi=HEADER_PHI[:4])
    assert analysis["document"]["encoding"] in ("ISO-8859-1", "WINDOWS-1252")


# Right-to-left text

@check
def arabic_and_hebrew_paragraphs():
    rtl = ("يعاني المريض من ارتفاع ضغط الدم منذ عشر سنوات.\n\n"
           "המטופל סובל מיתר לחץ דם ומסוכרת.\n\n"
           # Bidirectional controls: RLM, RLE…PDF, RLI…PDI, RLO…PDF.
           "Note \u200fמעקב\u200f : \u202bتحاليل\u202c, \u2067שלום\u2069, \u202edétrompé\u202c.\n\n")
    analysis = analyze_valid("rtl.txt", (HEADER + rtl + BODY + rtl).encode())
    assert "I10" in codes_of(analysis)


# Emoji

@check
def emoji():
    emoji = ("Patient souriant 😀, pouce levé 👍🏽, famille 👨‍👩‍👧‍👦, drapeau 🇫🇷, "
             "HTA🩺 et diabète😷 connus, 🫀 insuffisance cardiaque\n\n")
    analysis = analyze_valid("emoji.txt", (HEADER + emoji + BODY + emoji).encode())
    assert "I10" in codes_of(analysis)


# Control characters

@check
def control_characters():
    controls = ("Note\x01 dictée\x07 avec \x1b[31mcouleur\x1b[0m, \x0btabulation, \x7f, "
                "\u0085NEL, \u200bsans chasse, \ufeffBOM, \u2028ligne, fin\x08.\n")
    # A few in a report: read like the rest, printed as valid JSON.
    analysis = analyze_valid("controls.txt", (HEADER + BODY * 4 + controls + BODY).encode())
    assert "I10" in codes_of(analysis)
    # Nothing but them: binary, not text.
    analyze_refused("only-controls.txt", (controls * 20).encode(), "binary")


# A report that is only identifying data

PHI_ONLY = ["Jean", "DUPONTEL", "12/03/1956", "06 12 34 56 78", "Marie", "KERGUELEN",
            "01 23 45 67 89", "Paul", "LEROY", "05/06/2023", "+33 6 98 76 54 32",
            "jean.dupontel@example.fr", "Lyon"]


@check
def a_report_of_identifying_data_only():
    text = ("M. Jean DUPONTEL\n"
            "Né le 12/03/1956 à Lyon\n"
            "Tél : 06 12 34 56 78\n"
            "Mme Marie KERGUELEN, 01 23 45 67 89\n"
            "Dr Paul LEROY\n"
            "le 05/06/2023\n"
            "Portable : +33 6 98 76 54 32\n"
            "Courriel : jean.dupontel@example.fr\n")
    analysis = analyze_valid("phi-only.txt", text.encode(), phi=PHI_ONLY)
    assert codes_of(analysis) == set(), f"codes for a report with no clinical content: " \
                                        f"{sorted(codes_of(analysis))}"
    labels = {span["label"] for span in analysis["phi"]}
    assert {"NOM", "PRENOM", "TEL", "MAIL"} <= labels, f"labels found: {sorted(labels)}"
    assert labels & {"DATE", "DATE_NAISSANCE"}, f"no date found: {sorted(labels)}"


# A report with no clinical content

@check
def a_report_with_no_clinical_content():
    text = ("Bonjour,\n\nMerci pour votre courrier du mois dernier. Nous vous "
            "souhaitons une bonne réception de ce message.\n\nBien cordialement.\n")
    analysis = analyze_valid("no-clinical.txt", text.encode(), phi=[])
    assert analysis["codes"] == [], f"codes for a letter: {sorted(codes_of(analysis))}"


# A 50 MB file

@check
def a_50_mb_file():
    size = 50 * 1000 * 1000
    sparse = os.path.join(TMP, "sparse-50mb.txt")
    with open(sparse, "wb") as f:
        f.truncate(size)
    # Beyond the default limit: refused at once, without reading it.
    before = snapshot(STORE)
    result, seconds = elapsed_run(["analyze", "--json", "--store", "--db", STORE, sparse],
                                  budget=2.0 * float(os.environ.get("REL_TIME_SCALE", "1")))
    refused(result, "larger than the limit")
    assert snapshot(STORE) == before
    print(f"# sparse 50 MB: refused by the size limit in {seconds:.2f} s")
    # Allowed, nothing but NUL bytes: binary.
    result, seconds = elapsed_run(["analyze", "--json", "--max-size", "60", sparse])
    refused(result, "binary")
    print(f"# sparse 50 MB with --max-size 60: refused as binary in {seconds:.2f} s")
    os.unlink(sparse)

    # Allowed, real text: reports one after the other.
    unit = REPORT.encode()
    data = unit * (size // len(unit))
    path = fixture("text-50mb.txt", data)
    before = snapshot(STORE)
    output = os.path.join(TMP, "text-50mb.json")
    with open(output, "wb") as out:
        result, seconds = elapsed_run(["analyze", "--json", "--max-size", "60", path],
                                      stdout=out, budget=120.0 * float(
                                          os.environ.get("REL_TIME_SCALE", "1")))
    succeeded(result)
    with open(output, "rb") as f:
        analysis = json.load(f)
    os.unlink(output)
    assert analysis["document"]["length"] == len(data)
    assert "I10" in codes_of(analysis)
    # The offsets of the codes' evidence only: the whole check is for the others.
    for code in analysis["codes"]:
        for span in code["evidence"]:
            assert 0 <= span["start"] <= span["end"] <= len(data)
            data[span["start"]:span["end"]].decode("utf-8")
    assert snapshot(STORE) == before
    print(f"# text 50 MB with --max-size 60: analyzed in {seconds:.1f} s, "
          f"engine {analysis['timings_ms']['total'] / 1000:.1f} s, "
          f"{sum(len(c['evidence']) for c in analysis['codes'])} evidence spans")
    result, seconds = elapsed_run(["pseudonymize", "--max-size", "60", path],
                                  stdout=subprocess.DEVNULL,
                                  budget=60.0 * float(os.environ.get("REL_TIME_SCALE", "1")))
    succeeded(result)
    print(f"# text 50 MB pseudonymized in {seconds:.1f} s")
    os.unlink(path)


# A database nobody may write

def store_commands(db):
    report = fixture("for-the-store.txt", REPORT.encode())
    jsonl = fixture("for-the-store.jsonl", b"")
    return [["analyze", "--store", "--db", db, report], ["worklist", "--db", db],
            ["import", "--db", db, jsonl], ["export", "--format", "csv", "--db", db]]


@check
def database_where_no_one_can_write():
    # Root writes through chmod; nobody writes in /proc or /sys.
    for db in ("/proc/relecture.db", "/sys/relecture.db", "/proc/self/relecture.db",
               "/sys/kernel/relecture.db"):
        for args in store_commands(db):
            result, seconds = elapsed_run(args)
            err = refused(result, "database")
            print(f"# {args[0]} --db {db}: refused in {seconds:.2f} s: "
                  f"{err.split(': ', 1)[-1].strip()}")
        assert not os.path.exists(db)


def drop_privileges():
    """A command prefix that runs as nobody, or None."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    runuser = shutil.which("runuser")
    if setpriv:
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    elif runuser:
        prefix = [runuser, "-u", "nobody", "--"]
    else:
        return None
    probe = subprocess.run([*prefix, CLI, "--version"], capture_output=True, env=ENV)
    return prefix if probe.returncode == 0 else None


@check
def database_in_a_read_only_folder_as_a_user():
    prefix = drop_privileges()
    if prefix is None:
        raise Skip("cannot run as another user (no setpriv or runuser, or the program is "
                   "out of nobody's reach)")
    base = tempfile.mkdtemp(prefix="relecture-ro-")
    try:
        os.chmod(base, 0o755)
        # A new database in a folder that is not the user's.
        locked = os.path.join(base, "locked")
        os.mkdir(locked, 0o555)
        for args in store_commands(os.path.join(locked, "relecture.db")):
            result, seconds = elapsed_run(args, prefix=prefix)
            err = refused(result, "database")
            print(f"# {args[0]} as nobody, new database in a read-only folder: refused in "
                  f"{seconds:.2f} s: {err.split(': ', 1)[-1].strip()}")
        assert os.listdir(locked) == []
        # An existing database the user may read, in a folder it may not write.
        kept = os.path.join(base, "kept")
        os.mkdir(kept)
        db = os.path.join(kept, "relecture.db")
        result, _ = elapsed_run(["analyze", "--store", "--db", db,
                                 fixture("first.txt", REPORT.encode())])
        succeeded(result)
        os.chmod(db, 0o644)
        os.chmod(kept, 0o555)
        with open(db, "rb") as f:
            before = f.read()
        writing = [args for args in store_commands(db) if args[0] in ("analyze", "import")]
        for args in writing:
            result, seconds = elapsed_run(args, prefix=prefix)
            err = refused(result, "database", "read-only")
            print(f"# {args[0]} as nobody, root's database: refused in {seconds:.2f} s: "
                  f"{err.split(': ', 1)[-1].strip()}")
        with open(db, "rb") as f:
            assert f.read() == before, "the database changed"
        assert os.listdir(kept) == ["relecture.db"]
    finally:
        for folder, _, _ in os.walk(base):
            os.chmod(folder, 0o755)
        shutil.rmtree(base)


# Imports that are not Relecture exports

def export_line():
    """One line of a JSONL export of the store."""
    result, _ = elapsed_run(["export", "--db", STORE, "--format", "jsonl"])
    succeeded(result)
    return json.loads(result.stdout.decode().splitlines()[0])


def import_refused(name, data, *words):
    path = fixture(name, data)
    before = snapshot(STORE)
    result, seconds = elapsed_run(["import", "--db", STORE, path])
    err = refused(result, *words)
    assert snapshot(STORE) == before, "a refused import changed the store"
    print(f"# {name}: refused in {seconds:.2f} s: {err.split(': ', 2)[-1].strip()}")


@check
def deeply_nested_json_import():
    depth = 100000
    import_refused("nested-arrays.jsonl", b"[" * depth + b"]" * depth + b"\n",
                   "not a JSON object")
    import_refused("nested-objects.jsonl", b'{"a":' * depth + b"1" + b"}" * depth + b"\n",
                   "not a JSON object")
    # Deep inside a member of an otherwise good line.
    line = export_line()
    line["codes"] = json.loads("[" * 50 + "]" * 50)
    deep = json.dumps(line)[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}\n"
    import_refused("nested-member.jsonl", deep.encode(), "not a JSON object")


@check
def jsonl_members_of_the_wrong_type():
    good = export_line()
    for member, value, words in (("ratings", "x", ["ratings"]),
                                 ("codes", {"a": 1}, ["codes"]),
                                 ("summary_feedback", [1, 2], ["summary"]),
                                 ("rejected", 5, ["rejected"]),
                                 ("codes", [1, 2], ["decision"]),
                                 ("ratings", [{"rating": "5", "user": "u", "time": "t"}],
                                  ["rating"]),
                                 ("status", 3, ["status"]),
                                 ("title", ["x"], ["title"]),
                                 ("text", 5, ["no document"]),
                                 ("sha256", None, ["no document"])):
        line = dict(good, **{member: value})
        import_refused(f"wrong-{member}.jsonl", (json.dumps(line) + "\n").encode(), *words)
    # After a good line, a bad one: the good one is not imported either.
    other = dict(good, sha256=hashlib.sha256(b"another").hexdigest())
    import_refused("good-then-bad.jsonl",
                   (json.dumps(other) + "\n" + json.dumps(dict(good, codes={"a": 1})) + "\n")
                   .encode(), "codes")


@check
def the_store_is_whole():
    result, _ = elapsed_run(["worklist", "--db", STORE, "--limit", "0"])
    succeeded(result)
    documents = stored_documents(STORE)
    print(f"# the store holds {len(documents)} documents, integrity ok")
    assert snapshot(STORE) is not None


run()
