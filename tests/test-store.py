#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The store seen from outside: acknowledged decisions survive SIGKILL, two
writers lose nothing, the file is private, the exports are faithful and hold
no report text, imports are idempotent, damaged files are left alone.

Only counts, codes and labels of identifying data are printed, never a
report's words."""
import csv
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from taptest import check, run  # noqa: E402

WRITER = sys.argv[1]
CLI = sys.argv[2]
ROOT = os.environ.get("REL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
TMP = tempfile.mkdtemp(prefix="relecture-store-")
ENV = dict(os.environ, XDG_DATA_HOME=os.path.join(TMP, "data"),
           XDG_CONFIG_HOME=os.path.join(TMP, "config"), HOME=TMP)
# Never the user's database, even if a command forgot --db.
ENV["RELECTURE_DB"] = os.path.join(TMP, "never-used.db")
# The messages checked below are the untranslated ones.
ENV["LC_ALL"] = "C.UTF-8"
ENV.pop("LANGUAGE", None)
SAMPLES = ["crh-cardiologie.txt", "crh-endocrinologie.txt", "crh-pneumologie.txt"]
CSV_HEADER = ["code", "role", "label", "document", "sha256", "user", "date"]
SIDE_FILES = ("-wal", "-shm", "-journal")
SEED = int(os.environ.get("REL_TEST_SEED", "0")) or random.SystemRandom().randrange(1, 2**31)
RANDOM = random.Random(SEED)


def cli(*args, expect=0, umask=None):
    result = subprocess.run([CLI, *args], capture_output=True, env=ENV, timeout=120,
                            preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    if expect is not None:
        # stderr is the CLI's own messages: paths and database errors, no report text.
        assert result.returncode == expect, (
            f"{args[0]}: exit {result.returncode}, expected {expect}\n{result.stderr.decode()}")
    return result


def sample(name):
    path = os.path.join(ROOT, "data", "samples", name)
    assert os.path.exists(path), f"missing sample {name}"
    return path


def new_dir(name):
    return tempfile.mkdtemp(prefix=name + "-", dir=TMP)


def query(db, sql, *params):
    """Reads a store without leaving a trace: on a copy, so the original keeps
    its WAL (or hot journal) as the crash left it."""
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


def integrity(db):
    return query(db, "PRAGMA integrity_check")


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def dotted(code):
    return code if len(code) <= 3 else code[:3] + "." + code[3:]


# a. SIGKILL at random moments

def kill_writer(db, prefix, delay):
    """Starts a writer, kills it after @delay seconds, returns its acks, or
    its error if it ended by itself."""
    process = subprocess.Popen([WRITER, db, prefix, "99999"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=ENV)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=30)
    if process.returncode != -signal.SIGKILL:
        return None, f"exit {process.returncode}: {err.decode().strip()}"
    # A line is an ack only once whole: the writer writes it in one go.
    lines = out.decode().split("\n")[:-1]
    acked = []
    for line in lines:
        assert re.fullmatch(r"ack " + prefix + r"\d{5}", line), f"unexpected output {line!r}"
        acked.append(line[4:])
    return acked, None


def diagnose(db):
    """What SQLite itself makes of a store the program refused."""
    try:
        return (f"SQLite says {integrity(db)[0][0]!r} and finds "
                f"{query(db, 'SELECT count(*) FROM decisions')[0][0]} decisions in it")
    except sqlite3.Error as error:
        return f"SQLite fails too: {error}"


@check
def acknowledged_decisions_survive_sigkill():
    iterations = int(os.environ.get("REL_KILL_ITERATIONS", "250"))
    per_db = 10
    total_acked = 0
    early = 0
    databases = 0
    started = time.monotonic()
    db = None
    acked_here = set()
    for i in range(iterations):
        series = i % per_db
        if series == 0:
            db = os.path.join(new_dir("kill"), "relecture.db")
            acked_here = set()
            databases += 1
            # The first kill of a new store mostly lands in its creation and
            # migration (the first ack comes after ~15-20 ms).
            delay = RANDOM.uniform(0.0, 0.025)
        else:
            delay = RANDOM.uniform(0.0, 0.060)
        acked, failure = kill_writer(db, f"K{series:02d}", delay)
        assert failure is None, (
            f"iteration {i} (REL_TEST_SEED={SEED}): the writer could not reopen the store a "
            f"killed one left ({failure}); {diagnose(db)}")
        if not acked:
            early += 1
        total_acked += len(acked)
        acked_here.update(acked)

        if os.path.exists(db):
            result = integrity(db)
            assert result == [("ok",)], f"iteration {i}: integrity_check says {result[:5]}"
            tables = {row[0] for row in query(db, "SELECT name FROM sqlite_schema")}
        else:
            tables = set()  # killed before it created the file
        stored = set()
        if "decisions" in tables:
            stored = {row[0] for row in query(db, "SELECT code FROM decisions")}
        missing = acked_here - stored
        assert not missing, (f"iteration {i} (killed after {delay * 1000:.1f} ms): "
                             f"{len(missing)} acknowledged decisions lost, e.g. "
                             f"{sorted(missing)[:5]}")

        if series == per_db - 1 or i == iterations - 1:
            result = cli("worklist", "--db", db, expect=None)
            assert result.returncode == 0, (
                f"worklist refused the store a killed writer left "
                f"({result.stderr.decode().strip()}); {diagnose(db)}")
            stored = {row[0] for row in query(db, "SELECT code FROM decisions")}
            assert acked_here <= stored, "decisions lost when the program reopened the store"
            assert integrity(db) == [("ok",)]
    elapsed = time.monotonic() - started
    print(f"# REL_TEST_SEED={SEED}: {iterations} kills on {databases} databases in "
          f"{elapsed:.1f} s: {total_acked} acknowledged decisions, {early} kills before the first ack")
    assert total_acked > iterations, "the writer hardly ever acknowledged: the check is void"
    assert early > 0, "no kill landed before the first decision: opening was not exercised"


# b. Two writers at once

@check
def two_writers_lose_nothing():
    count = 300
    # First on a store that exists, then on new ones: both writers create it.
    for round_, fresh in enumerate((False, True, True, True, True)):
        db = os.path.join(new_dir("two"), "relecture.db")
        if not fresh:
            created = subprocess.run([WRITER, db, "S", "0"], capture_output=True, env=ENV)
            assert created.returncode == 0, created.stderr.decode()
        where = f"round {round_} ({'new' if fresh else 'existing'} store)"
        writers = [subprocess.Popen([WRITER, db, prefix, str(count)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=ENV)
                   for prefix in ("P", "Q")]
        outputs = [w.communicate(timeout=120) for w in writers]
        for prefix, writer, (out, err) in zip("PQ", writers, outputs):
            assert writer.returncode == 0, (
                f"{where}: writer {prefix} exit {writer.returncode}: {err.decode()}")
            acks = out.decode().split()
            assert acks.count("ack") == count, f"writer {prefix}: {acks.count('ack')} acks"
        codes = [row[0] for row in query(db, "SELECT code FROM decisions ORDER BY code")]
        expected = sorted(f"{p}{n:05d}" for p in "PQ" for n in range(1, count + 1))
        assert codes == expected, (f"{where}: {len(codes)} decisions instead of "
                                   f"{len(expected)}; missing "
                                   f"{sorted(set(expected) - set(codes))[:5]}")
        documents = query(db, "SELECT count(*) FROM documents")[0][0]
        assert documents == 1, f"{where}: {documents} documents for one sha256"
        assert integrity(db) == [("ok",)]
        cli("worklist", "--db", db)


# c. Private file

def mode(path):
    return os.stat(path).st_mode & 0o777


@check
def database_mode_is_0600():
    folder = new_dir("mode")
    db = os.path.join(folder, "sub", "relecture.db")
    cli("analyze", "--store", "--db", db, sample(SAMPLES[0]), umask=0o022)
    assert mode(db) == 0o600, f"the database is {oct(mode(db))}"
    assert mode(os.path.dirname(db)) & 0o077 == 0, "the created folder is open to others"
    for suffix in SIDE_FILES:
        if os.path.exists(db + suffix):
            assert mode(db + suffix) & 0o077 == 0, f"{suffix} is {oct(mode(db + suffix))}"

    # The WAL and shared memory files, as a killed writer leaves them.
    db = os.path.join(folder, "killed.db")
    process = subprocess.Popen([WRITER, db, "M", "99999"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=ENV,
                               preexec_fn=lambda: os.umask(0o022))
    assert process.stdout.readline().startswith(b"ack "), process.stderr.read().decode()
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    for path in [db] + [db + s for s in SIDE_FILES]:
        if os.path.exists(path):
            assert mode(path) & 0o077 == 0, f"{os.path.basename(path)} is {oct(mode(path))}"
    assert os.path.exists(db + "-wal"), "the writer left no -wal: the check is void"
    assert mode(db) == 0o600


# The store the export checks share: three samples analyzed, decisions taken,
# two of the documents validated.

class Fixture:
    db = None
    analyses = {}     # sample → analysis JSON (with the report's identifying data)
    kept = {}         # sha256 → {code: role} expected in the exports
    keeper = None


def decide(sha, *args, user="relecteur"):
    cli("decide", "--db", Fixture.db, "--user", user, sha, *args)


KEEPER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("SELECT count(*) FROM documents").fetchall()
print("ready", flush=True)
sys.stdin.read()
"""


def fixture():
    if Fixture.db is not None:
        return Fixture
    db = os.path.join(new_dir("exports"), "relecture.db")
    # An empty store first, then a reader held open: the writes stay in the
    # WAL, which the privacy check reads too.
    cli("worklist", "--db", db)
    # In a process of its own: this one opens and closes the file, which
    # would drop the reader's POSIX locks.
    Fixture.keeper = subprocess.Popen(
        [sys.executable, "-c", KEEPER, db], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert Fixture.keeper.stdout.readline() == b"ready\n"
    Fixture.db = db

    out = cli("analyze", "--json", "--store", "--db", db, *[sample(s) for s in SAMPLES]).stdout
    lines = out.decode().splitlines()
    assert len(lines) == len(SAMPLES)
    for name, line in zip(SAMPLES, lines):
        Fixture.analyses[name] = json.loads(line)

    def suggested(name):
        return {c["code"]: c for c in Fixture.analyses[name]["codes"]}

    def sha(name):
        return Fixture.analyses[name]["document"]["sha256"]

    # Cardiology: accept the DP and a label with commas, reject one, correct
    # one, add one the analysis missed.
    codes = suggested(SAMPLES[0])
    dp = next(c for c, s in codes.items() if s["role"] == "DP")
    das = [c for c, s in codes.items() if s["role"] == "DAS"]
    with_comma = next(c for c in das if "," in (codes[c]["label"] or ""))
    others = [c for c in das if c != with_comma]
    rejected, corrected = others[0], others[1]
    replacement = "N184" if corrected != "N184" else "N183"
    added = "J189" if "J189" not in codes else "I10"
    decide(sha(SAMPLES[0]), dp, "--accept")
    decide(sha(SAMPLES[0]), with_comma, "--accept")
    decide(sha(SAMPLES[0]), rejected, "--reject")
    decide(sha(SAMPLES[0]), replacement, "--replace", corrected)
    decide(sha(SAMPLES[0]), added, "--add")
    decide(sha(SAMPLES[0]), "--validate")
    Fixture.kept[sha(SAMPLES[0])] = {dp: "DP", with_comma: "DAS", replacement: "DAS",
                                     added: "DAS"}

    # Endocrinology: accept the DP, reject a DAS, add a code as the new DP
    # (the old DP becomes a DAS).
    codes = suggested(SAMPLES[1])
    dp = next(c for c, s in codes.items() if s["role"] == "DP")
    das = [c for c, s in codes.items() if s["role"] == "DAS"]
    added = next(c for c in ("J189", "E1198", "I10") if c not in codes)
    decide(sha(SAMPLES[1]), dp, "--accept")
    decide(sha(SAMPLES[1]), das[0], "--reject")
    decide(sha(SAMPLES[1]), das[1], "--accept", user="second, coder")
    decide(sha(SAMPLES[1]), added, "--add", "--role", "DP")
    decide(sha(SAMPLES[1]), "--validate")
    Fixture.kept[sha(SAMPLES[1])] = {dp: "DAS", das[1]: "DAS", added: "DP"}

    # Pneumology: decided but not validated, so absent from CSV and FHIR.
    codes = suggested(SAMPLES[2])
    dp = next(c for c, s in codes.items() if s["role"] == "DP")
    decide(sha(SAMPLES[2]), dp, "--accept")
    decide(sha(SAMPLES[2]), next(c for c, s in codes.items() if s["role"] == "DAS"), "--reject")
    return Fixture


KEPT_VALIDATED_SQL = (
    "SELECT c.code, coalesce (c.role, ''), coalesce (c.label, ''), d.title, d.sha256, c.user, "
    "c.time FROM decisions c JOIN documents d ON d.id = c.document_id "
    "WHERE d.status = 'validated' AND c.status != 'rejected'")


def export(fmt, *extra):
    path = os.path.join(new_dir("export"), "export." + fmt)
    cli("export", "--db", fixture().db, "--format", fmt, "-o", path, *extra)
    with open(path, "rb") as f:
        return f.read()


@check
def csv_round_trips():
    fx = fixture()
    data = export("csv").decode("utf-8")
    rows = list(csv.reader(data.splitlines(keepends=True)))
    assert rows[0] == CSV_HEADER, rows[0]
    body = rows[1:]
    for row in body:
        assert len(row) == len(CSV_HEADER), f"a row has {len(row)} fields"
        assert re.fullmatch(r"[A-Z][0-9]{2}[0-9A-Z+]{0,5}", row[0]), f"code {row[0]!r}"

    expected = sorted(query(fx.db, KEPT_VALIDATED_SQL))
    assert sorted(tuple(r) for r in body) == expected, (
        f"{len(body)} CSV rows, {len(expected)} kept decisions of validated documents")
    got = {}
    for row in body:
        got.setdefault(row[4], {})[row[0]] = row[1]
    assert got == fx.kept, f"exported {got}, decided {fx.kept}"

    labels = {r[0]: r[2] for r in body}
    with_comma = [c for c, label in labels.items() if "," in label]
    assert with_comma, "no label with a comma: quoting was not exercised"
    for code in with_comma:
        suggested = [c["label"] for a in fx.analyses.values() for c in a["codes"]
                     if c["code"] == code]
        assert not suggested or labels[code] in suggested, f"label of {code} altered"
    assert any("," in row[5] for row in body), "the user with a comma was not exported"
    # DP first within each document.
    for sha in fx.kept:
        roles = [r[1] for r in body if r[4] == sha]
        assert roles.count("DP") == 1 and roles[0] == "DP", (sha[:12], roles)


@check
def fhir_bundle_is_structurally_valid():
    fx = fixture()
    bundle = json.loads(export("fhir"))
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    entries = bundle["entry"]
    urls = set()
    found = []
    for entry in entries:
        assert entry["fullUrl"].startswith("urn:uuid:"), entry.get("fullUrl")
        urls.add(entry["fullUrl"])
        resource = entry["resource"]
        assert resource["resourceType"] == "Condition"
        coding = resource["code"]["coding"][0]
        assert coding["system"] == "https://smt.esante.gouv.fr/terminologie-cim-10/"
        assert re.fullmatch(r"[A-Z][0-9]{2}(\.[0-9A-Z+]{1,5})?", coding["code"]), coding["code"]
        verification = resource["verificationStatus"]["coding"][0]
        assert verification["code"] == "confirmed"
        assert verification["system"] == (
            "http://terminology.hl7.org/CodeSystem/condition-ver-status")
        subject = resource["subject"]
        assert subject, "no subject"
        sha = subject["identifier"]["value"]
        found.append((sha, coding["code"]))
    assert len(urls) == len(entries), "two entries share a fullUrl"

    expected = sorted((row[4], dotted(row[0])) for row in query(fx.db, KEPT_VALIDATED_SQL))
    assert len(entries) == len(expected), f"{len(entries)} entries, {len(expected)} decisions"
    assert sorted(found) == expected, f"{sorted(found)} != {expected}"
    assert sorted(found) == sorted((sha, dotted(code)) for sha, codes in fx.kept.items()
                                   for code in codes)


def string_values(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from string_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from string_values(value)


TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T[0-9:.]+Z?")


def leaks(identifiers, texts):
    """The identifying data found in @texts, as (label, where) pairs. Whole
    words only ("Marc" is not in "Marche"); short numbers (years, postcodes)
    are not looked for in timestamps."""
    found = []
    for label, words in identifiers:
        short_number = not re.search(r"[^\W\d_]", words) and len(words) < 8
        pattern = re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)")
        for where, text in texts:
            if pattern.search(TIMESTAMP.sub(" ", text) if short_number else text):
                found.append((label, where))
    return found


@check
def exports_hold_no_report_text():
    fx = fixture()
    identifiers = sorted({(p["label"], p["text"]) for a in fx.analyses.values()
                          for p in a["phi"] if len(p["text"].strip()) >= 4})
    assert len(identifiers) >= 20, f"only {len(identifiers)} identifying data to look for"

    texts = [("csv", cell) for row in csv.reader(export("csv").decode().splitlines())
             for cell in row]
    texts += [("fhir", s) for s in string_values(json.loads(export("fhir")))]
    jsonl = export("jsonl").decode()
    assert len(jsonl.splitlines()) == len(SAMPLES)
    texts += [("jsonl", s) for line in jsonl.splitlines() for s in string_values(json.loads(line))]

    # Every text value of the store, JSON ones opened.
    tables = [row[0] for row in query(fx.db, "SELECT name FROM sqlite_schema WHERE type = 'table'")]
    n_db_values = 0
    for table in tables:
        for row in query(fx.db, f"SELECT * FROM \"{table}\""):
            for value in row:
                if not isinstance(value, str):
                    continue
                n_db_values += 1
                try:
                    texts += [(f"db {table}", s) for s in string_values(json.loads(value))]
                except ValueError:
                    texts.append((f"db {table}", value))
    assert n_db_values > 0

    found = leaks(identifiers, texts)
    # The raw bytes too, deleted pages and WAL included; there, only the data
    # that cannot be a number of the file's own (offsets, sizes).
    wal = fx.db + "-wal"
    assert os.path.exists(wal), "the WAL was checkpointed away: the check is void"
    for path in (fx.db, wal):
        with open(path, "rb") as f:
            raw = f.read().decode("utf-8", errors="replace")
        distinct = [(label, words) for label, words in identifiers
                    if re.search(r"[^\W\d_]", words) or len(words) >= 8]
        found += leaks(distinct, [("wal file" if path == wal else "db file", raw)])
    # Labels and places only: the words themselves are not printed.
    assert not found, f"identifying data found: {sorted(set(found))}"
    print(f"# {len(identifiers)} identifying data looked for in {len(texts)} values and the "
          "raw database")


def decisions_by_document(db):
    rows = query(db, "SELECT d.sha256, c.code, c.role, c.status, c.label, c.replaces, c.time "
                     "FROM decisions c JOIN documents d ON d.id = c.document_id")
    result = {}
    for sha, *rest in rows:
        result.setdefault(sha, set()).add(tuple(rest))
    return result


def snapshot(db):
    """Every row of every table: a merge that changes nothing touches nothing."""
    result = {}
    for (table,) in query(db, "SELECT name FROM sqlite_schema WHERE type = 'table' "
                              "ORDER BY name"):
        columns = [row[1] for row in query(db, f'PRAGMA table_info ("{table}")')]
        names = ", ".join(f'"{c}"' for c in columns)
        result[table] = sorted(query(db, f'SELECT {names} FROM "{table}"'), key=repr)
    return result


def jsonl_texts(db):
    path = os.path.join(new_dir("texts"), "all.jsonl")
    cli("export", "--db", db, "--format", "jsonl", "--status", "all", "-o", path)
    with open(path, encoding="utf-8") as f:
        return {line["sha256"]: line["text"] for line in map(json.loads, f)}


@check
def jsonl_import_is_idempotent():
    fx = fixture()
    folder = new_dir("import")
    jsonl = os.path.join(folder, "training.jsonl")
    with open(jsonl, "wb") as f:
        f.write(export("jsonl"))
    store_b = os.path.join(folder, "b.db")

    out = cli("import", jsonl, "--db", store_b).stdout.decode()
    numbers = [int(n) for n in re.findall(r"\d+", out)]
    n_decisions = query(fx.db, "SELECT count(*) FROM decisions")[0][0]
    assert numbers == [len(SAMPLES), n_decisions], f"first import said {out.strip()!r}"
    a = decisions_by_document(fx.db)
    b = decisions_by_document(store_b)
    assert a.keys() == b.keys(), "the documents differ"
    for sha in a:
        assert a[sha] == b[sha], f"{sha[:12]}: {sorted(a[sha] ^ b[sha])}"
    statuses = "SELECT sha256, status FROM documents ORDER BY sha256"
    assert query(fx.db, statuses) == query(store_b, statuses)
    assert jsonl_texts(fx.db) == jsonl_texts(store_b), "the pseudonymized texts differ"

    before = snapshot(store_b)
    out = cli("import", jsonl, "--db", store_b).stdout.decode()
    assert [int(n) for n in re.findall(r"\d+", out)] == [0, 0], f"again: {out.strip()!r}"
    assert snapshot(store_b) == before, "importing again changed the store"

    # A new document on a good line, then a broken one: all or nothing.
    with open(jsonl, encoding="utf-8") as f:
        line = json.loads(f.readline())
    line["sha256"] = hashlib.sha256(b"another document").hexdigest()
    broken = os.path.join(folder, "broken.jsonl")
    with open(broken, "w", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n" + '{"format":\n')
    result = cli("import", broken, "--db", store_b, expect=None)
    assert result.returncode == 1, f"exit {result.returncode} for a broken import"
    assert "Line 2 " in result.stderr.decode(), "the error does not name the bad line"
    assert snapshot(store_b) == before, "a refused import changed the store"
    assert query(store_b, "SELECT count(*) FROM documents WHERE sha256 = ?",
                 line["sha256"]) == [(0,)]


def files_of(db):
    return sorted(n for n in os.listdir(os.path.dirname(db)))


@check
def damaged_database_is_left_untouched():
    fx = fixture()
    folder = new_dir("damaged")
    cases = []

    noise = os.path.join(folder, "noise.db")
    with open(noise, "wb") as f:
        f.write(RANDOM.randbytes(16384))
    cases.append(("random bytes", noise, ("damaged", "not a Relecture database")))

    # A real store, complete (its WAL folded in), then cut: in the middle of a
    # page and on a page boundary.
    whole = os.path.join(folder, "whole.db")
    source = sqlite3.connect(fx.db)
    target = sqlite3.connect(whole)
    source.backup(target)
    source.close()
    target.execute("PRAGMA journal_mode = DELETE")
    target.close()
    with open(whole, "rb") as f:
        data = f.read()
    page_size = int.from_bytes(data[16:18], "big")
    assert len(data) >= 8 * page_size, f"the store is only {len(data)} bytes"
    for name, size in (("cut.db", len(data) // 2 + 123),
                       ("cut-on-page.db", (len(data) // page_size // 2) * page_size)):
        path = os.path.join(folder, name)
        with open(path, "wb") as f:
            f.write(data[:size])
        cases.append((name, path, ("truncated", "damaged")))

    foreign = os.path.join(folder, "foreign.db")
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE foo (bar TEXT)")
    connection.execute("INSERT INTO foo VALUES ('baz')")
    connection.commit()
    connection.close()
    cases.append(("foreign", foreign, ("another program",)))

    wal_foreign = os.path.join(folder, "foreign-wal.db")
    connection = sqlite3.connect(wal_foreign)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE foo (bar TEXT)")
    connection.commit()
    connection.close()
    cases.append(("foreign in WAL mode", wal_foreign, ("another program",)))

    for what, path, words in cases:
        digest = sha256_of(path)
        before = files_of(path)
        mode_before = mode(path)
        result = cli("worklist", "--db", path, expect=None)
        err = result.stderr.decode()
        assert result.returncode == 1, f"{what}: exit {result.returncode}\n{err}"
        assert err.startswith("relecture-cli: ") and len(err.splitlines()) == 1, f"{what}: {err}"
        assert any(w in err for w in words), f"{what}: unclear message {err!r}"
        assert sha256_of(path) == digest, f"{what}: the file was modified"
        assert mode(path) == mode_before, f"{what}: the file's mode was changed"
        assert files_of(path) == before, f"{what}: left {sorted(set(files_of(path)) - set(before))}"


try:
    run()
finally:
    if Fixture.keeper is not None:
        Fixture.keeper.communicate(timeout=30)
    shutil.rmtree(TMP, ignore_errors=True)
