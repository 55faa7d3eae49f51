#!/usr/bin/env python3
"""Lesson 46's page in a real browser: headless Chromium driven through Selenium.

    browser_test.py LESSON OUT_DIR MNIST_DIR

Starts the lesson's server (LESSON --smoke --out OUT_DIR --serve --port 0: a short
training, then serving on a free loopback port), opens its page in Debian's
chromium through chromium-driver, and for each of the first 10 MNIST test digits
clears the pad, draws the digit as mouse strokes (one stroke along each run of dark
pixels in each row, the digit's box scaled to 200 screen pixels, off the pad's
centre), presses Predict and reads the
label the page shows. Passes when at least 9 of the 10 are read right: the drawing
goes through the page's own preprocessing (crop, 20 x 20, centre of mass), so this
checks the page, its JavaScript, the HTTP server and the model end to end. It also
reads back the 28 x 28 image the page sent (its "what the network sees" canvas) and
needs a mean correlation of 0.6 with the MNIST originals. The last page is kept as
OUT_DIR/46-serving/page.png, the lesson's picture.

Exits 77 (ctest's skip) only when the browser cannot start, saying why.
"""
import os
import re
import subprocess
import sys
import time

SKIP = 77
# Where the digit goes on the 280 x 280 pad: its own bounding box scaled so that the
# longer side is 200 screen pixels (about 10 to 14 per MNIST pixel), top-left at
# (60, 50). Not MNIST's place and size, as a person's drawing is not: only the page's
# crop, 20 x 20 box and centring give the original back.
SPAN, LEFT, TOP = 200, 60, 50
INK = 128   # a pixel of at least this (of 255) is part of a stroke


def read_mnist(folder, count):
    with open(os.path.join(folder, "t10k-images-idx3-ubyte"), "rb") as f:
        images = f.read()
    with open(os.path.join(folder, "t10k-labels-idx1-ubyte"), "rb") as f:
        labels = f.read()
    assert images[:4] == b"\x00\x00\x08\x03" and labels[:4] == b"\x00\x00\x08\x01", "not MNIST's IDX files"
    return [(images[16 + i * 784:16 + (i + 1) * 784], labels[8 + i]) for i in range(count)]


def placement(pixels):
    """(scale, x of column 0, y of row 0) on the pad, from the digit's bounding box."""
    ink = [(i % 28, i // 28) for i in range(784) if pixels[i] >= INK]
    x0, y0 = min(x for x, _ in ink), min(y for _, y in ink)
    w, h = max(x for x, _ in ink) - x0 + 1, max(y for _, y in ink) - y0 + 1
    scale = SPAN / max(w, h)
    return scale, LEFT - x0 * scale, TOP - y0 * scale


def strokes(pixels):
    """Each row's runs of dark pixels, as (x0, x1, y) in MNIST pixels."""
    out = []
    for y in range(28):
        x = 0
        while x < 28:
            if pixels[y * 28 + x] >= INK:
                x0 = x
                while x + 1 < 28 and pixels[y * 28 + x + 1] >= INK:
                    x += 1
                out.append((x0, x, y))
            x += 1
    return out


def correlation(a, b):
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    va = sum((x - ma) ** 2 for x in a)
    vb = sum((y - mb) ** 2 for y in b)
    return cov / (va * vb) ** 0.5 if va > 0 and vb > 0 else 0.0


def start_server(lesson, out_dir):
    server = subprocess.Popen([lesson, "--smoke", "--out", out_dir, "--serve", "--port", "0", "--workers", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 180
    log = []
    for line in server.stdout:
        log.append(line)
        m = re.search(r"serving on (http://\S+?)/? ", line)
        if m:
            return server, m.group(1)
        if time.time() > deadline:
            break
    server.kill()
    sys.exit("browser test: the lesson did not start serving:\n" + "".join(log[-30:]))


def start_browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        print(f"SKIP: python3-selenium is not installed ({e}); scripts/setup.sh installs it")
        sys.exit(SKIP)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1040,640", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    try:
        return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    except Exception as e:  # no chromium, no driver, or a machine where it cannot run
        reason = str(e).split("Stacktrace:")[0].strip().replace("\n", " ")[:300]
        print(f"SKIP: headless Chromium did not start ({type(e).__name__}: {reason})")
        sys.exit(SKIP)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    lesson, out_dir, mnist_dir = sys.argv[1:]
    digits = read_mnist(mnist_dir, 10)
    browser = start_browser()  # first: a missing browser skips before anything trains
    server, url = start_server(lesson, out_dir)
    try:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        browser.get(url + "/")
        pad = browser.find_element(By.ID, "pad")
        shown = browser.find_element(By.ID, "prediction")
        size = pad.size
        assert (size["width"], size["height"]) == (280, 280), f"the pad is {size}, expected 280 x 280"
        right = 0
        similarity = []
        for i, (pixels, label) in enumerate(digits):
            browser.find_element(By.ID, "clear").click()
            # Offsets are from the pad's centre (WebDriver's pointer origin is an element's centre).
            draw = ActionChains(browser, duration=0)
            scale, left, top = placement(pixels)
            for x0, x1, y in strokes(pixels):
                sy = int(top + (y + 0.5) * scale - size["height"] / 2)
                draw.move_to_element_with_offset(pad, int(left + (x0 + 0.5) * scale - size["width"] / 2), sy)
                draw.click_and_hold()
                draw.move_to_element_with_offset(pad, int(left + (x1 + 0.5) * scale - size["width"] / 2), sy)
                draw.release()
            draw.perform()
            answers = int(shown.get_attribute("data-answers"))
            browser.find_element(By.ID, "predict").click()
            WebDriverWait(browser, 20).until(lambda _: int(shown.get_attribute("data-answers")) > answers)
            read = shown.text.strip()
            # What the page sent, from its "what the network sees" canvas, against the
            # MNIST original: the page's preprocessing should give the digit back.
            seen = browser.execute_script(
                "const c = document.getElementById('seen').getContext('2d');"
                "return Array.from(c.getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0));")
            similarity.append(correlation(seen, pixels))
            error = browser.find_element(By.ID, "error").text.strip()
            ok = read == str(label)
            right += ok
            print(f"test digit {i}: label {label}, the page reads {read} "
                  f"({browser.find_element(By.ID, 'confidence').text}; what it sent vs the original: "
                  f"correlation {similarity[-1]:.3f}){'' if ok else '  WRONG'}"
                  f"{'  error: ' + error if error else ''}")
        picture = os.path.join(out_dir, "46-serving", "page.png")
        browser.save_screenshot(picture)
        print(f"  wrote {picture}")
        print(f"{right} of {len(digits)} drawn digits read right (at least 9 needed)")
        # A loose floor: a drawing is thicker than MNIST's digit and its centre of mass
        # lands a pixel off now and then (measured: 0.55-0.93, mean 0.80). A page that
        # only shrank the whole pad to 28 x 28 (no crop, no 20 x 20 box, no centring)
        # was tried: mean 0.49, and 8 of 10 read right.
        mean = sum(similarity) / len(similarity)
        print(f"what the page sent vs the MNIST originals: mean correlation {mean:.3f} (at least 0.6 needed)")
        return 0 if right >= 9 and mean >= 0.6 else 1
    finally:
        browser.quit()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
