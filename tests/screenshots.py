"""Every page in both languages at the three sizes people use, saved in artifacts/screens/ to be looked at.

    .venv/bin/python tests/screenshots.py [--pages overview,upload] [--sizes 1600x1000] [--langs ja]

Starts its own server on a private copy of the sample (signed in as an analyst, so Upload and Targets show their
forms), and also the presentation mode's first three slides at 1920×1080. Not a test: a tool for looking.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import ANALYST_ENV, ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402
from tests_support import ACCOUNT as ANALYST  # noqa: E402
from tests_support import PASSWORD, settle, steady  # noqa: E402

from kpi.store import service, storage  # noqa: E402

PAGES = {"overview": "/", "indicator": "/indicator", "mobility": "/mobility", "research": "/research",
         "partnerships": "/partnerships", "targets": "/targets", "data": "/data", "upload": "/upload"}
SIZES = {"1600x1000": (1600, 1000), "1366x768": (1366, 768), "390x844": (390, 844)}


def shoot(page, base: str, name: str, path: str, lang: str, size: str, out: Path) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}{path}?lang={lang}")
    settle(page)
    if page.locator("input[type='password']").count():  # each page load is a new session: sign in again
        page.locator("input[type='text']").first.fill(ANALYST)
        page.locator("input[type='password']").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Sign in|サインイン")).click()
        page.locator("input[type='password']").wait_for(state="detached")
        settle(page)
    steady(page)
    page.screenshot(path=str(out / f"{name}-{lang}-{size}.png"))
    # The main area scrolls inside itself: the whole page is seen in a window as tall as its content.
    tall = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
                         "[data-testid=\"stMainBlockContainer\"]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": width, "height": min(int(tall) + 40, 8000)})
    steady(page)
    page.screenshot(path=str(out / f"{name}-{lang}-{size}-full.png"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--langs", default="ja,en")
    parser.add_argument("--present", action="store_true", help="also the first slides at 1920×1080")
    args = parser.parse_args()
    out = ARTIFACTS / "screens"
    out.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'kpi.sqlite3'}"
    service.load_sample(engine=storage.get_engine(url))
    server = Server(url, **ANALYST_ENV)
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(180_000)
            for name in args.pages.split(","):
                for lang in args.langs.split(","):
                    for size in args.sizes.split(","):
                        shoot(page, server.url, name, PAGES[name], lang, size, out)
                        print(out / f"{name}-{lang}-{size}.png", flush=True)
            if args.present:
                page.set_viewport_size({"width": 1920, "height": 1080})
                for lang in args.langs.split(","):
                    for slide in range(3):
                        page.goto(f"{server.url}/?present=1&lang={lang}&slide={slide}")
                        settle(page)
                        steady(page)
                        page.screenshot(path=str(out / f"present-{lang}-{slide}.png"))
                        print(out / f"present-{lang}-{slide}.png", flush=True)
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
