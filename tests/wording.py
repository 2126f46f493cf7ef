"""The one style of every error text the service shows (issue 15): a sentence that starts
with a capital (or a number) and ends with a full stop, e.g. "Moet een getal zijn."."""

import re
from html import unescape


def is_sentence(text: str) -> bool:
    first = text.lstrip("'\"“‘(")[:1]
    return (first.isupper() or first.isdigit()) and text.rstrip().endswith((".", "?", "!"))


def problem_texts(body: dict) -> list[str]:
    """The detail and every invalidParams reason of a problem-details body."""
    return [body.get("detail") or "", *(p.get("reason", "") for p in body.get("invalidParams") or [])]


def unstyled(body: dict) -> list[str]:
    """The texts of a problem-details body that break the style (empty when all is well)."""
    return [text for text in problem_texts(body) if not is_sentence(text)]


def page_errors(html: str) -> list[str]:
    """What a form page shows as errors: the summary's items and the texts at the fields."""
    blocks = re.findall(r'<div class="(?:error-summary|field-error)".*?</div>', html, re.DOTALL)
    items = [li for block in blocks for li in re.findall(r"<li>(.*?)</li>", block, re.DOTALL)]
    items += re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', html, re.DOTALL)
    texts = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]
    return [unescape(t).removeprefix("Fout: ").strip() for t in texts]
