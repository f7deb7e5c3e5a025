"""An exercise's lines edited in a real browser, with Django's admin JavaScript on the page:
headless Chromium (Debian's) driven by Playwright."""

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.browser import BROWSER_TEST, signed_in_page
from tests.factories import CustomExerciseFactory

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"

pytestmark = BROWSER_TEST

PASTE = """(input) => {
    const data = new DataTransfer();
    data.setData('text/plain', 'Ribs down.\\nLong neck.');
    const paste = {clipboardData: data, bubbles: true, cancelable: true};
    input.dispatchEvent(new ClipboardEvent('paste', paste));
}"""


def test_steps_are_added_removed_and_reordered_then_saved(live_server, therapist):
    exercise = CustomExerciseFactory(
        owner=therapist,
        name="Heel slide",
        steps=["Lie on your back.", "Bend the knee.", "Slide the heel away."],
        cues=["Breathe."],
    )
    change_page = live_server.url + reverse("admin:exercises_exercise_change", args=[exercise.pk])

    with signed_in_page(live_server, therapist, viewport={"width": 1280, "height": 1150}) as page:
        problems = []  # script errors, and failed requests (a missing asset, /favicon.ico)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                problems.append(f"{message.text} {message.location['url']}")
                if message.type == "error"
                else None
            ),
        )
        page.on(
            "response",
            lambda answer: (
                problems.append(f"{answer.status} {answer.url}") if answer.status >= 400 else None
            ),
        )
        assert page.goto(change_page).status == 200
        steps = page.locator(".field-steps .line-list")
        lines = steps.locator(".line-list-lines > li")

        steps.get_by_role("button", name="Add a step").click()
        page.keyboard.type("Breathe out as the heel slides.")  # the new line has the focus
        page.keyboard.press("Enter")  # a new line after it, not a submitted page
        page.keyboard.type("   ")  # left blank: dropped when saved
        lines.nth(1).get_by_role("button", name="Remove").click()
        lines.nth(2).get_by_role("button", name="Move up").click()
        cues = page.locator(".field-cues .line-list")
        cues.get_by_role("button", name="Add a cue").click()
        cues.locator("input").last.evaluate(PASTE)  # two lines pasted: two lines

        assert page.url == change_page
        assert steps.locator("input").evaluate_all("inputs => inputs.map(i => i.value)") == [
            "Lie on your back.",
            "Breathe out as the heel slides.",
            "Slide the heel away.",
            "   ",
        ]
        page.locator("input[name=_continue]").click()
        page.wait_for_load_state("networkidle")
        saved_message = page.locator(".messagelist .success").inner_text()
        saved_lines = steps.locator("input").evaluate_all("inputs => inputs.map(i => i.value)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "exercise-admin-steps.png"))  # message and lines

    assert "was changed successfully" in saved_message
    assert saved_lines == [
        "Lie on your back.",
        "Breathe out as the heel slides.",
        "Slide the heel away.",
    ]
    exercise.refresh_from_db()
    assert exercise.steps == saved_lines
    assert exercise.cues == ["Breathe.", "Ribs down.", "Long neck."]
    assert problems == []
