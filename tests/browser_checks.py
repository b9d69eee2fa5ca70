"""What the browser tests check on any page, as a person using it would notice: axe-core's WCAG
2.2 A and AA audit, the keyboard focus being visible, targets big enough to press, and no
sideways scrolling on a phone."""
import json
from collections import Counter

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")
SERIOUS = ("critical", "serious")
SMALLEST_TARGET = 24  # CSS px, WCAG 2.2 success criterion 2.5.8 (AA)

AXE_RUN = """async tags => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    const brief = v => ({id: v.id, impact: v.impact, help: v.help,
                         targets: v.nodes.map(n => n.target.join(" "))});
    return {violations: result.violations.map(brief), review: result.incomplete.map(brief),
            passed: result.passes.length};
}"""


def axe_results(page):
    """axe-core's WCAG 2.0 to 2.2 A and AA audit of the page as it is now (colour contrast
    included): its violations and what it could not decide (to review), each as
    {id, impact, help, targets}, and how many rules passed."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe.min.js")  # same origin, so the CSP allows it
    return page.evaluate(AXE_RUN, WCAG_TAGS)


def axe_violations(page):
    return axe_results(page)["violations"]


def describe(violation):
    return (f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({', '.join(violation['targets'])})")


def accessibility_problems(page):
    """The violations on the page as sentences; [] when axe finds none of any impact."""
    return [describe(v) for v in axe_violations(page)]


class AxeAudit:
    """axe's findings page by page, for one table and one JSON file of the whole run."""

    def __init__(self):
        self.results = {}

    def record(self, page, name):
        self.results[name] = axe_results(page)
        for violation in self.violations(name):
            print(f"    axe {name}: {describe(violation)}")
        return self.violations(name)

    def check(self, page, name):
        """Record the page, and fail at once on anything serious or critical."""
        serious = [describe(v) for v in self.record(page, name) if v["impact"] in SERIOUS]
        assert serious == [], f"{name}: serious or critical accessibility problems: {serious}"

    def violations(self, name):
        return self.results[name]["violations"]

    def counts(self, name):
        found = Counter(v["impact"] for v in self.violations(name))
        return {impact: found[impact] for impact in IMPACTS}

    def serious(self):
        return {name: [describe(v) for v in self.violations(name) if v["impact"] in SERIOUS]
                for name in self.results
                if any(v["impact"] in SERIOUS for v in self.violations(name))}

    def rules(self, name, kind="violations"):
        return sorted({v["id"] for v in self.results[name][kind]})

    def table(self):
        width = max([len("Page")] + [len(name) for name in self.results])
        columns = (*IMPACTS, "review", "passed")
        lines = [f"{'Page':<{width}}  " + "  ".join(f"{c:>8}" for c in columns) + "  rules"]
        for name, result in self.results.items():
            cells = (*self.counts(name).values(), len(result["review"]), result["passed"])
            lines.append(f"{name:<{width}}  " + "  ".join(f"{c:>8}" for c in cells)
                         + f"  {', '.join(self.rules(name)) or '-'}")
        return "\n".join(lines)

    def write(self, path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({
            name: {"violations": self.counts(name), "rules": self.rules(name),
                   "needs_review": self.rules(name, "review"), "rules_passed": result["passed"],
                   "details": result["violations"], "review_details": result["review"]}
            for name, result in self.results.items()}, indent=2) + "\n")


# ---- The keyboard focus ------------------------------------------------------------------------

FOCUS_INDICATOR = r"""() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const clear = colour => colour === "transparent" || /rgba\(.*,\s*0\)$/.test(colour);
    const outline = s => s.outlineStyle === "none" || clear(s.outlineColor) ? 0
        : parseFloat(s.outlineWidth) || 0;
    // Computed shadows read "rgb(255, 221, 0) 0px 0px 0px 4px, ...": colour, x, y, blur, spread.
    const shadow = s => Math.max(0, ...[...s.boxShadow.matchAll(
        /(rgba?\([^)]*\))\s+(-?[\d.]+)px\s+(-?[\d.]+)px\s+(-?[\d.]+)px(?:\s+(-?[\d.]+)px)?/g)]
        .filter(m => !clear(m[1]))
        .map(m => Math.max(Math.abs(+m[2]), Math.abs(+m[3]), +(m[5] || 0))));
    // A radio or tick box is drawn by its label: the label (or its ::before) shows the focus.
    const choice = el.matches("input[type=radio], input[type=checkbox]")
        && el.labels && el.labels[0];
    const shown = choice || el;
    const styles = [getComputedStyle(shown)];
    if (choice) styles.push(getComputedStyle(choice, "::before"));
    const box = shown.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(), id: el.id,
        text: (el.innerText || el.value || el.name || "").trim().slice(0, 40),
        outline: Math.max(...styles.map(outline)), shadow: Math.max(...styles.map(shadow)),
        background: getComputedStyle(el).backgroundColor, width: box.width, height: box.height,
    };
}"""
FOCUS_YELLOW = "rgb(255, 221, 0)"  # GOV.UK focus colour


def focus_indicator(page):
    """What shows where the keyboard focus is: the focused element (or None on the page body)
    with its outline width and box-shadow size in CSS px."""
    return page.evaluate(FOCUS_INDICATOR)


def expect_focus_visible(page, where=""):
    """The focus is on a control (not lost to the page) and shows a GOV.UK-sized indicator:
    at least a 2 px outline or shadow (WCAG 2.4.7, and 2.4.11's 2 px perimeter), or the yellow
    focus fill GOV.UK links and buttons use."""
    for _ in range(10):  # the indicator as the next frames paint it, not mid-way through a move
        focused = focus_indicator(page)
        if focused is not None and shows(focused):
            return focused
        page.wait_for_timeout(50)
    assert focused is not None, f"{where}: the focus was lost to the page"
    assert focused["width"] > 0 and focused["height"] > 0, f"{where}: focus is on {focused}, unseen"
    raise AssertionError(f"{where}: the focused element shows no visible focus: {focused}")


def shows(focused):
    return focused["width"] > 0 and focused["height"] > 0 and (
        focused["outline"] >= 2 or focused["shadow"] >= 2 or focused["background"] == FOCUS_YELLOW)


# ---- Phones ------------------------------------------------------------------------------------

def sideways_scroll(page):
    """How far the page is wider than the screen it is on, in CSS px (0: no sideways
    scrolling). The screen's width, not the window's: a phone zooms out to fit a page that is
    too wide, which widens the window."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    return max(0, width - page.viewport_size["width"])


SMALL_TARGETS = """smallest => {
    const controls = document.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex='0']");
    const boxes = [];
    for (const el of controls) {
        if (el.closest("[hidden], .govuk-visually-hidden")) continue;
        // Inside a closed <details> nothing can be pressed, though Chromium still gives a box.
        if (el.closest("details:not([open]) > :not(summary)")) continue;
        // Radios and tick boxes are pressed through their label: GOV.UK's item, or the tile.
        const target = el.matches(".govuk-radios__input, .govuk-checkboxes__input")
            ? el.parentElement
            : el.matches("input[type=radio], input[type=checkbox]") && el.labels && el.labels[0]
            || el;
        const r = target.getBoundingClientRect();
        if (!r.width || !r.height || getComputedStyle(target).visibility === "hidden") continue;
        const words = text => (text || "").trim().length;
        const inSentence = el.tagName === "A" && getComputedStyle(el).display === "inline"
            && words(el.parentElement.innerText) > words(el.innerText);
        boxes.push({el: target, r, inSentence, name: (el.innerText || el.value || el.name || el.id
                    || el.tagName).trim().slice(0, 40)});
    }
    const centre = r => [r.left + r.width / 2, r.top + r.height / 2];
    const small = [];
    for (const b of boxes) {
        if (b.r.width >= smallest && b.r.height >= smallest) continue;
        // A link within a sentence is exempt (2.5.8 "inline"); so is a small target whose
        // 24 px circle around its centre meets no other target (the spacing exception).
        if (b.inSentence) continue;
        const [x, y] = centre(b.r);
        const crowded = boxes.some(o => {
            if (o === b || o.el.contains(b.el) || b.el.contains(o.el)) return false;
            const [ox, oy] = centre(o.r);
            const undersized = o.r.width < smallest || o.r.height < smallest;
            if (undersized && (ox - x) ** 2 + (oy - y) ** 2 < smallest ** 2) return true;
            return Math.max(o.r.left - x, 0, x - o.r.right) ** 2 +
                Math.max(o.r.top - y, 0, y - o.r.bottom) ** 2 < (smallest / 2) ** 2;
        });
        if (crowded) small.push(`${b.name} (${Math.round(b.r.width)}x${Math.round(b.r.height)})`);
    }
    return small;
}"""


def small_targets(page):
    """Controls smaller than 24 x 24 CSS px without the room around them that WCAG 2.5.8 allows
    instead; [] when every target is big enough to press."""
    return page.evaluate(SMALL_TARGETS, SMALLEST_TARGET)


# ---- Moving by keyboard ------------------------------------------------------------------------

def focused_matches(page, selector):
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def keyboard_to(page, selector, backwards=False, presses=200):
    """Press Tab (or Shift+Tab) until the focus is on `selector`, as a keyboard user moves
    through the page; at every stop on the way the focus must show. (Past the last control the
    focus leaves for the browser's own bar, which is the page body here: that stop is skipped.)"""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(presses):
        page.keyboard.press(key)
        if focus_indicator(page) is None:
            continue
        expect_focus_visible(page, f"{key} towards {selector} on {page.url}")
        if focused_matches(page, selector):
            return
    raise AssertionError(f"{key} never reached {selector} on {page.url}")


def press_on(page, selector, key="Enter", backwards=False):
    """Move the focus to `selector` by keyboard, then press `key` there."""
    keyboard_to(page, selector, backwards=backwards)
    page.keyboard.press(key)


def choose_by_arrows(page, selector, wanted, presses=20):
    """In a focused radio group or select, press the down arrow until `wanted` (a value) is
    chosen, as a keyboard user picks an option."""
    for _ in range(presses):
        if page.evaluate("s => document.activeElement.matches(s) && "
                         "document.activeElement.value", selector) == wanted:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never chose {wanted!r} in {selector}")


def accessible_name(page, selector):
    """The name Chromium's own accessibility tree gives the element, spaces collapsed as a
    screen reader reads it."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        tree = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node,
                                                            "fetchRelatives": False})
        return " ".join(tree["nodes"][0]["name"]["value"].split())
    finally:
        cdp.detach()
