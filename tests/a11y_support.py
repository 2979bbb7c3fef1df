"""axe-core (vendored from npm, MPL-2.0, tests/vendor/axe-core) run in the page; focus and contrast helpers."""

from __future__ import annotations

import json
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

# Findings caused by Streamlit's own markup that the app cannot change, excluded by exact rule and selector.
# Each entry: (rule id, CSS selector the flagged element matches, why it cannot be fixed from the app).
STREAMLIT_EXCEPTIONS: list[tuple[str, str, str]] = []

_RUN = """async ([tags, exceptions]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const excused = (rule, node) => {
    const el = document.querySelector(node.target[node.target.length - 1]);
    return exceptions.some(([id, selector]) => id === rule && el && el.matches(selector));
  };
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.filter(n => !excused(v.id, n)).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                                         summary: n.failureSummary}))
  })).filter(v => v.nodes.length);
}"""


def quiet(page) -> None:
    """Wait until the script has finished and no element is left faded from the previous run (Streamlit greys
    those out while it reruns; measuring or photographing them then would judge a transient state)."""
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]') && "
                           "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60000)
    page.wait_for_timeout(300)


def axe_violations(page, *, impacts=BLOCKING) -> list[dict]:
    """WCAG 2.1 A/AA violations of the given impacts on the page as it is now (Streamlit's exceptions removed)."""
    quiet(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate(_RUN, [WCAG_TAGS, [[rule, selector] for rule, selector, _ in STREAMLIT_EXCEPTIONS]])
    return [v for v in found if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


# --- keyboard ---------------------------------------------------------------------------------------------------

_FOCUS = """() => {
  const active = document.activeElement;
  if (!active || active === document.body) return null;
  // The outline may sit on the focused element or on the widget frame around it (selects, text inputs).
  let shown = getComputedStyle(active).boxShadow !== 'none';
  for (let el = active, depth = 0; el && depth < 5 && !shown; el = el.parentElement, depth++) {
    const style = getComputedStyle(el);
    shown = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  }
  const box = active.getBoundingClientRect();
  return {tag: active.tagName, name: (active.getAttribute('aria-label') || active.innerText || '').slice(0, 60),
          focusVisible: active.matches(':focus-visible'), outlined: shown, width: box.width, height: box.height};
}"""


def focused(page) -> dict | None:
    """What the keyboard is on, and whether the focus is drawn (focus-visible with an outline or a ring)."""
    return page.evaluate(_FOCUS)


def assert_focus_visible(page) -> None:
    state = focused(page)
    assert state and state["focusVisible"] and state["outlined"], f"focus not visible: {state}"


def tab_to(page, target, *, limit: int = 200, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``target`` (a locator) holds the focus; keys only, never a click."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if holds_focus(target):
            assert_focus_visible(page)
            return
    raise AssertionError(f"{target} not reached with {limit} presses of Tab; focus on {focused(page)}")


def holds_focus(target) -> bool:
    return target.evaluate("el => el === document.activeElement || el.contains(document.activeElement)")


def press_on(page, target, key: str) -> None:
    """Press ``key`` on ``target`` once the app is quiet; if a rerun took the focus away, Tab back to it first."""
    quiet(page)
    if not holds_focus(target):
        tab_to(page, target)
    page.keyboard.press(key)


_CONTROL = """sel => { const el = document.activeElement;
  return !!el && !!el.closest(sel) && !el.closest('h1, h2, h3, h4, h5, h6') &&
         el.matches('a[href], button, input, select, textarea, summary, [role=radio], [role=slider], [role=tab]'); }"""


def tab_to_control(page, container: str = "[data-testid='stMain']", *, limit: int = 80) -> dict | None:
    """Press Tab until a control (not a heading's anchor) inside ``container`` has the focus; it, or None."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(_CONTROL, container):
            return focused(page)
    return None
