"""Search text: one normal form for stored names and typed queries.

`fold("Coöperatie Groen & Schoon")` → "cooperatie groen & schoon": casefolded, accents
stripped, whitespace collapsed. Organisations keep it in `search_name`, which the trigram
index serves (PostgreSQL pg_trgm GIN; SQLite an FTS5 table with the trigram tokenizer, kept in
step by triggers, see migration 0007). A query matches when every word of it occurs in the
folded name, in any order.
"""

from __future__ import annotations

import unicodedata

MIN_INDEXED = 3  # trigram indexes only serve words of at least three characters


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Accents go; control and format characters (NUL, zero-width, ...) become spaces: they
    # are never part of a name, and NUL would end an FTS5 string early.
    plain = "".join(" " if unicodedata.category(ch)[0] == "C" else ch
                    for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def words(query: str) -> list[str]:
    """The distinct folded words of a query, longest first (the most selective)."""
    unique = dict.fromkeys(fold(query).split())
    return sorted(unique, key=len, reverse=True)


def fts_phrase(word: str) -> str:
    """A word as an FTS5 string (substring match under the trigram tokenizer)."""
    return '"' + word.replace('"', '""') + '"'
