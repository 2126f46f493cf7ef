"""Voucher codes: enough randomness, no look-alikes, and typos caught by the check symbol."""

from __future__ import annotations

import itertools

from pso.voucher_codes import ALPHABET, LENGTH, RANDOM_SYMBOLS, display, new_code, normalise


def test_codes_are_random_enough_and_readable() -> None:
    assert RANDOM_SYMBOLS * 5 >= 80  # 32 symbols = 5 bits each
    assert not set("ILOU") & set(ALPHABET) and len(set(ALPHABET)) == 32
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in itertools.islice(codes, 200):
        assert len(code) == LENGTH and set(code) <= set(ALPHABET)
        assert normalise(code) == code
        shown = display(code)
        assert [len(group) for group in shown.split("-")] == [4, 4, 4, 4, 4]
        assert normalise(shown) == normalise(shown.lower()) == code


def test_every_single_wrong_symbol_is_caught() -> None:
    for _ in range(30):
        code = new_code()
        for position, symbol in itertools.product(range(LENGTH), ALPHABET):
            if symbol != code[position]:
                assert normalise(code[:position] + symbol + code[position + 1:]) is None


def test_swapped_neighbours_are_caught() -> None:
    # Luhn mod 32 catches every swap of two neighbours except the pair 0 and Z
    # (values 0 and 31), like 09/90 in the decimal Luhn check.
    for _ in range(100):
        code = new_code()
        for i in range(LENGTH - 1):
            a, b = code[i], code[i + 1]
            if a != b and {a, b} != {"0", "Z"}:
                assert normalise(code[:i] + b + a + code[i + 2:]) is None


def test_normalise_reads_what_people_type() -> None:
    code = new_code()
    typed = display(code).replace("0", "O").replace("1", "I").lower()
    assert normalise(typed) == code
    assert normalise(" ".join(display(code).split("-"))) == code
    for junk in ("", "U" * LENGTH, code + "0", code[:-1], code * 4, "é" * LENGTH, "%00"):
        assert normalise(junk) is None
