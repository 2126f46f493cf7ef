"""What an HTML validator would refuse in our pages, checked on the parsed document (the
WHATWG parser tinyhtml5, which WeasyPrint brings): attributes Jinja escaped into another
attribute's value (`spellcheck="&#34;false&#34;"`), headings that skip a level (h1 → h3), and
roles on headings (which take the heading away from screen readers)."""

from __future__ import annotations

import tinyhtml5

_NS = "{http://www.w3.org/1999/xhtml}"
_HEADINGS = {f"{_NS}h{level}": level for level in range(1, 7)}


def problems(html: str) -> list[str]:
    """Each problem as one line naming the element; empty when the page is clean."""
    found: list[str] = []
    previous = 0
    for element in tinyhtml5.parse(html).iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = element.tag.removeprefix(_NS)
        for name, value in element.attrib.items():
            if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1:
                found.append(f"<{tag} {name}={value!r}>: an attribute escaped into a value")
        level = _HEADINGS.get(element.tag)
        if level is None:
            continue
        text = " ".join("".join(element.itertext()).split())[:60]
        if "role" in element.attrib:
            # The role replaces the heading: screen readers then see the levels around it.
            found.append(f'<{tag} role="{element.attrib["role"]}"> "{text}": a role on a heading')
            continue
        if level > previous + 1:
            found.append(f"<{tag}> \"{text}\" follows h{previous or '-'}: a heading level skipped")
        previous = level
    return found
