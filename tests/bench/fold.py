# SPDX-License-Identifier: GPL-3.0-or-later
# fold.py: the baseline's own text normalization, in Python, written as a
# Python programmer would write it to match the engine's dictionary: the same
# rules as backend/rel-tokens.c (words, decimal numbers kept whole, lower case,
# no accents, French plurals dropped, stop words of data/lexicons/stopwords.tsv
# left out, a line break where punctuation stops a term), so that the same
# terms match the same places. `run` checks the output against the engine's
# own folding (dump-terms fold) and prints how many reports agree.

import re
import unicodedata

HYPHENS = '-\u2010\u2011'
APOSTROPHES = "'\u2019\u2018\u02bc"
BULLETS = HYPHENS + '*\u2022\u2013\u2014>\u25cf\u25aa'
SPACES = ' \t\r\xa0\u202f'

# A word: letters, digits and combining marks; a decimal number stays one
# token ("2,5", "37.8").
WORD = re.compile(r'\d+(?:[.,]\d+)+(?![^\W_])|(?:[^\W_]|[\u0300-\u036f])+')


def _accents():
    table = {}
    for c in range(0x00C0, 0x0180):
        base = unicodedata.normalize('NFD', chr(c))[0]
        if base.isascii() and base.isalpha():
            table[c] = base.lower()
    table.update({0x0153: 'oe', 0x0152: 'oe', 0x00E6: 'ae', 0x00C6: 'ae'})
    return table


ACCENTS = _accents()


def load_stopwords(path):
    words = set()
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line and not line.startswith('#'):
                words.add(depluralize(fold_word(line.split('\t')[0])))
    return words


def fold_word(word):
    folded = word.translate(ACCENTS).lower()
    if not folded.isascii():
        folded = ''.join(c for c in unicodedata.normalize('NFKD', folded.replace('ß', 'ss'))
                         if c.isalnum()).lower()
    return folded


def depluralize(word):
    if len(word) > 4 and word.endswith('aux'):
        return word[:-3] + 'al'
    if len(word) > 3 and word[-1] in 'sx' and not word[-2].isdigit() and word[-2] != 's':
        return word[:-1]
    return word


def _is_break(gap, previous, first):
    """Whether the characters between two words stop a term."""
    if gap == ' ' and not first:
        return False
    line_start = first
    newlines = 0
    for c in gap:
        if c == '\n' or c == '\f':
            newlines += 1
            line_start = True
            continue
        if c in SPACES:
            continue
        if line_start and c in BULLETS:
            return True
        line_start = False
        if c in APOSTROPHES:
            continue
        if c in HYPHENS and len(gap) == 1:
            continue
        if c == '.' and len(previous) == 1 and len(gap) <= 2:
            continue
        return True
    return newlines >= 2


def fold(text, stopwords):
    """The text as the automaton reads it: folded words between spaces, a
    line break where a term cannot go on."""
    out = [' ']
    end = 0
    previous = ''
    cache = {}
    for match in WORD.finditer(text):
        start = match.start()
        if _is_break(text[end:start], previous, end == 0) and len(out) > 1 and out[-1] != '\n ':
            out.append('\n ')
        previous = match.group()
        end = match.end()
        word = cache.get(previous)
        if word is None:
            word = cache[previous] = depluralize(fold_word(previous))
        if word not in stopwords:
            out.append(word)
            out.append(' ')
    return ''.join(out)
