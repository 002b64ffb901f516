#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# corpus.py: fictitious reports of 1 KB to 1 MB made of the paragraphs of
# data/samples/*.txt, shuffled with a fixed seed (the same corpus every run).
"""Usage: corpus.py OUTDIR [--samples DIR] [--count N] [--seed S]"""

import argparse
import math
import pathlib
import random
import re

SMALLEST = 1024
LARGEST = 1024 * 1024


def paragraphs(samples_dir):
    """Every paragraph (blank-line separated) of the samples, as UTF-8 bytes."""
    found = []
    for path in sorted(pathlib.Path(samples_dir).glob('*.txt')):
        text = path.read_text(encoding='utf-8').replace('\r\n', '\n')
        for block in re.split(r'\n[ \t]*\n', text):
            block = block.strip('\n')
            if block.strip():
                found.append(block.encode('utf-8') + b'\n\n')
    if not found:
        raise SystemExit(f'corpus.py: no paragraph in {samples_dir}/*.txt')
    return found


def sizes(count):
    """@count sizes spaced evenly on a log scale from 1 KB to 1 MB."""
    if count == 1:
        return [SMALLEST]
    ratio = math.log(LARGEST / SMALLEST)
    return [round(SMALLEST * math.exp(ratio * i / (count - 1))) for i in range(count)]


def report(pool, size, rng):
    """About @size bytes: shuffled paragraphs, cut at a line end."""
    out = bytearray()
    order = []
    while len(out) < size:
        if not order:
            order = list(range(len(pool)))
            rng.shuffle(order)
        out += pool[order.pop()]
    # The line end nearest to @size, before or after it.
    before, after = out.rfind(b'\n', 0, size), out.find(b'\n', size)
    candidates = [c for c in (before, after) if c > 0]
    cut = min(candidates, key=lambda c: abs(c - size)) if candidates else size
    return bytes(out[:cut]).rstrip(b'\n') + b'\n'


def generate(outdir, samples_dir, count=64, seed=20240601):
    """Writes the corpus into @outdir; returns the paths, smallest first."""
    pool = paragraphs(samples_dir)
    rng = random.Random(seed)
    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, size in enumerate(sizes(count)):
        path = outdir / f'report-{index:03d}-{size:07d}.txt'
        path.write_bytes(report(pool, size, rng))
        paths.append(path)
    return paths


def main():
    here = pathlib.Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('outdir')
    parser.add_argument('--samples', default=here.parent.parent / 'data' / 'samples')
    parser.add_argument('--count', type=int, default=64)
    parser.add_argument('--seed', type=int, default=20240601)
    args = parser.parse_args()
    paths = generate(args.outdir, args.samples, args.count, args.seed)
    total = sum(p.stat().st_size for p in paths)
    print(f'{len(paths)} reports, {total / 1048576:.1f} MB, in {args.outdir}')


if __name__ == '__main__':
    main()
