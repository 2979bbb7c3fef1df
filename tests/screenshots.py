"""Every page in both languages at the three sizes people use, saved in artifacts/screens/ to be looked at.

    .venv/bin/python tests/screenshots.py [--pages overview,upload] [--sizes 1600x1000] [--langs ja]

Starts its own server on a private copy of the sample (signed in as an analyst, so Upload, Targets and Check-ins show
their forms) that also holds an owner, a check-in and an event (so the Overview's 要対応, the Indicator page, the
charts and 更新情報 show them) and a fresh first-run link (so Setup shows its form), and also the presentation mode's
first three slides at 1920×1080. Not a test: a tool for looking.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import ANALYST_ENV, ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402
from tests_support import ACCOUNT as ANALYST  # noqa: E402
from tests_support import PASSWORD, settle, steady  # noqa: E402

from kpi.store import identity, notes, service, storage  # noqa: E402

# The url_path of each st.Page in dashboard.py; {token} is a first-run link made for this run.
PAGES = {"overview": "/", "indicator": "/indicator?kpi={noted}", "mobility": "/mobility", "research": "/research",
         "partnerships": "/partnerships", "targets": "/targets", "checkins": "/checkins?kpi={noted}",
         "digest": "/digest", "data": "/data", "upload": "/upload", "setup": "/setup?token={token}"}
SIZES = {"1600x1000": (1600, 1000), "1366x768": (1366, 768), "390x844": (390, 844)}
NOTED = "partner_institutions"  # 'behind' in the sample: the check-in shows on the Overview's 要対応


def sample_with_notes(url: str) -> str:
    """The sample with an owner, a check-in (note, due date, own status) and an event; returns a setup token."""
    engine = storage.get_engine(url)
    service.load_sample(engine=engine)
    notes.set_owner(NOTED, "国際戦略室", "青葉 花子", user=ANALYST, engine=engine)
    notes.record_checkin(notes.CheckIn(NOTED, "協定校の新規開拓が遅れている。欧州の3大学と協議中で、年度内の締結を目指す。",
                                       status="at_risk", due=dt.date.today() + dt.timedelta(days=60)),
                         user=ANALYST, engine=engine)
    notes.record_event("2020-04-07", "COVID-19 渡航制限", user=ANALYST, engine=engine)
    link = identity.new_setup_link(base_url="http://localhost", engine=engine)
    return link.split("token=", 1)[1]


def shoot(page, base: str, name: str, path: str, lang: str, size: str, out: Path) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
    settle(page)
    if name != "setup" and page.locator("input[type='password']").count():  # each page load is a new session: sign in again
        page.locator(".st-key-sign_in_name input").fill(ANALYST)
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
    token = sample_with_notes(url)
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
                        shoot(page, server.url, name, PAGES[name].format(token=token, noted=NOTED), lang, size, out)
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
