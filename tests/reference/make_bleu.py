#!/usr/bin/python3
"""NLTK's BLEU on fixed sentences, to check include/typenet/eval/bleu.hpp where NLTK is absent.

    /usr/bin/python3 tests/reference/make_bleu.py      (Debian's python3-nltk, 3.8)

Writes tests/reference/bleu_nltk.json: for each case, the references and hypotheses (as
lists of tokens) and what nltk.translate.bleu_score gives for them:
    corpus        corpus_bleu(references, hypotheses), BLEU-4, no smoothing
    corpus_smooth the same with SmoothingFunction().method1 (epsilon 0.1)
    corpus_bigram corpus_bleu with weights (0.5, 0.5): BLEU-2
    sentence      [sentence_bleu(refs, hyp) for each pair], and sentence_smooth with method1
    precisions    the corpus's modified n-gram precisions 1..4 as [numerator, denominator]
                  (summed modified_precision fractions, unnormalised, as corpus_bleu sums them)
    brevity       the corpus's brevity penalty, from the summed hypothesis and closest
                  reference lengths
tests/unit/bleu_test.cpp reads the file and compares to 1e-12.

Where an n-gram order has no match and there is no smoothing, NLTK's BLEU is not 0 but
about 1e-78: it puts sys.float_info.min in place of the zero precision and warns.
typenet gives exactly 0 there (Papineni et al.'s geometric mean of a zero); the two agree
to any tolerance a test would use. The script silences NLTK's warning about it.

The file is small and checked in; rerun this script only when a case changes.
"""
import json
import sys
import warnings
from fractions import Fraction
from pathlib import Path

import nltk
from nltk.translate.bleu_score import (SmoothingFunction, brevity_penalty, closest_ref_length,
                                       corpus_bleu, modified_precision, sentence_bleu)

HERE = Path(__file__).resolve().parent


def words(text):
    return text.split()


# Each case: (name, [(references, hypothesis), ...]) with sentences as space-separated tokens.
CASES = [
    # Papineni et al.'s and NLTK's documentation examples: three references, two hypotheses.
    ("nltk_doc_example", [
        (["It is a guide to action that ensures that the military will forever heed Party commands",
          "It is the guiding principle which guarantees the military forces always being under the command of the Party",
          "It is the practical guide for the army always to heed the directions of the party"],
         "It is a guide to action which ensures that the military always obeys the commands of the party"),
        (["he was interested in world history because he read the book"],
         "he read the book because he was interested in world history"),
    ]),
    # Several references, and the brevity penalty's closest length with a tie: the hypothesis
    # has 5 tokens, the references 4 and 6 (equally close: the shorter, 4, is taken) and 9.
    ("closest_length_tie", [
        (["the cat sat on", "the cat sat on the mat", "there is a cat sitting on the mat today"],
         "the cat sat on mat"),
    ]),
    # A hypothesis shorter than every reference: the brevity penalty bites (3 tokens against 6 and 7).
    ("shorter_than_every_reference", [
        (["the quick brown fox jumps high", "a quick brown fox jumps over it"], "the quick fox"),
    ]),
    # No 4-gram in common (every 3-gram matches somewhere, no 4-gram does): BLEU-4 is 0
    # without smoothing, method1 gives 0.1 / count for that order.
    ("no_fourgram_match", [
        (["a b c d e f"], "a b c x b c d x"),
        (["one two three four five"], "one two three one two"),
    ]),
    # Clipping: "the the the ..." against a reference with two "the".
    ("clipped_repeats", [
        (["the cat is on the mat", "there is a cat on the mat"], "the the the the the the the"),
    ]),
    # A hypothesis shorter than n: NLTK counts at least one n-gram (denominator 1) for it.
    ("hypothesis_shorter_than_n", [
        (["good morning to you all"], "good morning"),
        (["see you later my friend"], "see you later my friend"),
    ]),
    # A perfect match: BLEU 1.
    ("identical", [
        (["in the beginning god created the heavens and the earth ."],
         "in the beginning god created the heavens and the earth ."),
    ]),
    # Nothing in common: 0 even with smoothing (NLTK returns 0 when no unigram matches).
    ("no_unigram_match", [
        (["alpha beta gamma delta"], "one two three four"),
    ]),
    # Spanish words with accents, as the verse pairs have them, and a longer corpus where a
    # hypothesis is longer than its references (no penalty for that sentence, but the
    # penalty is a corpus-level one: summed lengths).
    ("spanish_corpus", [
        (["porque de tal manera amó dios al mundo , que ha dado á su hijo unigénito"],
         "porque dios amó tanto al mundo que dio á su hijo unigénito"),
        (["en el principio crió dios los cielos y la tierra ."],
         "en el principio dios creó los cielos y la tierra ."),
        (["y dijo dios : sea la luz : y fué la luz ."],
         "y dios dijo : sea la luz , y la luz fue hecha allí ."),
        (["jesús lloró ."], "jesús lloró mucho ."),
    ]),
]


def fraction_pair(f):
    return [f.numerator, f.denominator]


def case_values(pairs):
    refs = [[words(r) for r in rs] for rs, _ in pairs]
    hyps = [words(h) for _, h in pairs]
    smooth = SmoothingFunction().method1
    precisions = []
    for n in range(1, 5):
        num = sum(modified_precision(r, h, n).numerator for r, h in zip(refs, hyps))
        den = sum(modified_precision(r, h, n).denominator for r, h in zip(refs, hyps))
        precisions.append([num, den])
    hyp_len = sum(len(h) for h in hyps)
    ref_len = sum(closest_ref_length(r, len(h)) for r, h in zip(refs, hyps))
    return {
        "references": refs,
        "hypotheses": hyps,
        "corpus": corpus_bleu(refs, hyps),
        "corpus_smooth": corpus_bleu(refs, hyps, smoothing_function=smooth),
        "corpus_bigram": corpus_bleu(refs, hyps, weights=(0.5, 0.5)),
        "sentence": [sentence_bleu(r, h) for r, h in zip(refs, hyps)],
        "sentence_smooth": [sentence_bleu(r, h, smoothing_function=smooth) for r, h in zip(refs, hyps)],
        "precisions": precisions,
        "hypothesis_length": hyp_len,
        "reference_length": ref_len,
        "brevity": float(brevity_penalty(ref_len, hyp_len)),
    }


def main():
    warnings.simplefilter("ignore")  # NLTK's "0 counts of n-gram overlaps" warning, on purpose here
    cases = {name: case_values(pairs) for name, pairs in CASES}
    out = {"nltk": nltk.__version__, "python": sys.version.split()[0], "cases": cases}
    path = HERE / "bleu_nltk.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, c in cases.items():
        print(f"{name:32s} corpus {c['corpus']:.6g}  smooth {c['corpus_smooth']:.6g}  bp {c['brevity']:.6g}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
