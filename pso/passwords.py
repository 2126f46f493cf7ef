"""Password hashing (Argon2id via argon2-cffi) and the password rules of SPEC §7.1.

A weak password is refused with its reason: shorter than 12 characters, on the list of
common passwords (pso/data/common-passwords.txt.gz: the 20,000 most common passwords as
shipped with Django's CommonPasswordValidator, BSD licence, one per line, lower-case), or
easy to guess by Dropbox's zxcvbn estimator (repeats, sequences, keyboard rows, years and
dictionary words with substitutions: "aaaaaaaaaaaa", "wachtwoord1234"), which is given the
Dutch words a guesser tries first and the person's own e-mail address.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200  # Argon2 takes any length; this only bounds the work per attempt
# zxcvbn's score 3: "safely unguessable", about 10^8 guesses, what its authors advise for
# an online service with throttled sign-in (pso.services.accounts).
MIN_SCORE = 3
# Words zxcvbn's English dictionaries lack but a guesser of a Dutch service tries first.
DUTCH_WORDS = ("wachtwoord", "welkom", "geheim", "inloggen", "pso", "prestatieladder",
               "socialer", "ondernemen", "gemeente", "voorjaar", "zomer", "najaar", "winter",
               "maandag", "januari", "nederland", "amsterdam", "rotterdam", "utrecht")
COMMON_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"

# argon2-cffi's defaults are RFC 9106's second recommended profile, type Argon2id.
_FULL = PasswordHasher()
# PSO_ENV=test only (configure): the suite hashes and signs in thousands of times, and the
# full profile costs 125 ms and every core per hash on the 2-core CI machine. Same
# algorithm at its least work; a hash of the other profile is rehashed at sign-in.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_hasher = _FULL


def configure(env: str) -> None:
    """The profile for this process: the full one, except under PSO_ENV=test."""
    global _hasher
    chosen = _CHEAP if env == "test" else _FULL
    if chosen is not _hasher:
        _hasher = chosen
        _dummy_hash.cache_clear()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches; with no stored hash a dummy one is checked, so an
    unknown account costs the same time as a wrong password."""
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password of anyone")


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def weakness(password: str, email: str = "") -> str | None:
    """Why a new password is refused (Dutch), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Het wachtwoord moet minstens {MIN_LENGTH} tekens lang zijn."
    if len(password) > MAX_LENGTH:
        return f"Het wachtwoord mag hoogstens {MAX_LENGTH} tekens lang zijn."
    if password.lower() in common_passwords():
        return "Dit wachtwoord staat op de lijst van veelgebruikte wachtwoorden; kies een ander."
    if email and password.strip().lower() == email.strip().lower():
        return "Het wachtwoord mag niet gelijk zijn aan uw e-mailadres."
    local = email.lower().split("@")[0]
    hints = [*DUTCH_WORDS, local, *re.split(r"[^a-z0-9]+", email.lower())]
    if zxcvbn(password[:100], user_inputs=hints)["score"] < MIN_SCORE:
        return ("Dit wachtwoord is te makkelijk te raden; kies bijvoorbeeld een paar woorden "
                "die niet bij elkaar horen.")
    return None
