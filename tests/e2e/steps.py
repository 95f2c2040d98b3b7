"""Steps the browser tests share: sign in, screenshot, run axe-core."""

import json
from dataclasses import dataclass
from pathlib import Path

from tests.accounts.signin_helpers import PASSWORD, totp_code

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"  # git-ignored
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
#: axe impacts that fail a test; moderate and minor ones are printed.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def sign_in(page, user, device) -> None:
    """The real sign-in: username and password, then the code from the app."""
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/verify/" in url)
    page.get_by_label("Code").fill(totp_code(device))
    page.locator("main").get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def confirm_identity(page, code: str) -> None:
    """The re-authentication page before an export: password and a code not used yet."""
    page.wait_for_url(lambda url: "/confirm-identity/" in url)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code").fill(code)
    page.locator("main").get_by_role("button", name="Confirm").click()
    page.wait_for_url(lambda url: "/confirm-identity/" not in url)


def screenshot(page, name: str) -> Path:
    """Save what the viewport shows as ``screenshots/<name>.png``."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=False)
    return path


@dataclass
class AxeResult:
    violations: list[dict]
    #: Rules axe could not decide alone (for a person to review), by id.
    incomplete: list[str]
    #: Rules that passed: more than zero proves axe looked at the page.
    passes: int


def axe_run(page) -> AxeResult:
    """Run axe-core (vendored, see vendor/README.md) on the page as it is now.

    The page's context must bypass the CSP (``new_page(bypass_csp=True)``): the
    injected script carries no nonce.
    """
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                 "wcag22aa", "best-practice"]},
                resultTypes: ["violations"],
            });
            return {
                violations: result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
                })),
                incomplete: result.incomplete.map(v => v.id),
                passes: result.passes.length,
            };
        }"""
    )
    return AxeResult(**result)


def describe_violations(screen: str, violations: list[dict]) -> str:
    return "\n".join(
        f"  [{screen}] {v['impact']}: {v['id']} – {v['help']} – {json.dumps(v['nodes'])}"
        for v in violations
    )
