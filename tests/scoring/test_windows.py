"""Counted days and counting windows (spec §2.2, §2.3). Period 2024 has 366 days.

Each case writes the arithmetic: the window's last counted day, then the days counted.
"""
import pytest

from .helpers import emp, one

CASES = [
    # id, employee, period (start, end), countedDays
    ("no limit, whole year", emp(position="wajong"), None, 366),
    # 5 years after 2019-07-01 is 2024-07-01, exclusive -> last day 2024-06-30:
    # Jan 31 + Feb 29 + Mar 31 + Apr 30 + May 31 + Jun 30 = 182
    ("participatiewet 5 years", emp(position="participatiewet", start="2019-07-01"), None, 182),
    ("nug_sroi 5 years", emp(position="nug_sroi", start="2019-07-01"), None, 182),
    ("statushouder 5 years", emp(position="statushouder", start="2019-07-01"), None, 182),
    ("ukraine 5 years", emp(position="ukraine_protection", start="2019-07-01"), None, 182),
    ("ww 5 years (assumption)", emp(position="ww", start="2019-07-01"), None, 182),
    # wage subsidy until 2024-09-30 is later than 2024-06-30 -> counts to 2024-09-30 inclusive:
    # 182 + Jul 31 + Aug 31 + Sep 30 = 274
    ("wage subsidy extends", emp(position="participatiewet", start="2019-07-01",
                                 wageSubsidyUntil="2024-09-30"), None, 274),
    # wage subsidy ends before the 5-year end: no extension, still 182
    ("wage subsidy earlier: no effect", emp(position="participatiewet", start="2019-07-01",
                                            wageSubsidyUntil="2024-03-31"), None, 182),
    # wage subsidy only extends the positions that have it in the rulebook (not ww)
    ("ww ignores wage subsidy", emp(position="ww", start="2019-07-01",
                                    wageSubsidyUntil="2024-09-30"), None, 182),
    # school left 2019-05-15 + 5 years = 2024-05-15, exclusive -> last 2024-05-14:
    # 31 + 29 + 31 + 30 + 14 = 135
    ("vso_pro school + 5 years", emp(position="vso_pro", start="2022-01-01",
                                     schoolLeftOn="2019-05-15"), None, 135),
    # Wsw indication until 2024-03-31 inclusive: 31 + 29 + 31 = 91
    ("wsw indication end", emp(position="wsw", wswIndicationUntil="2024-03-31"), None, 91),
    ("wsw without indication date", emp(position="wsw"), None, 366),
    # internship 3 years from 2021-10-01 -> 2024-10-01 exclusive -> last 2024-09-30: 274
    ("internship 3-year cap", emp(contract="internship", start="2021-10-01"), None, 274),
    # participatiewet internship from 2021-03-01 with wage subsidy to 2030: position window runs
    # to 2030-01-01, internship cap to 2024-02-29 (2024-03-01 exclusive). Earliest wins:
    # Jan 31 + Feb 29 = 60
    ("earliest limit wins", emp(position="participatiewet", contract="internship",
                                start="2021-03-01", wageSubsidyUntil="2030-01-01"), None, 60),
    # wsw indication 2024-04-30 vs internship cap from 2022-01-01 -> last 2024-12-31: wsw wins:
    # 31 + 29 + 31 + 30 = 121
    ("earliest limit: wsw before internship", emp(position="wsw", contract="internship",
                                                  start="2022-01-01",
                                                  wswIndicationUntil="2024-04-30"), None, 121),
    # internship from 2021-02-28: 3 years -> 2024-02-28 exclusive -> last 2024-02-27: 31 + 27 = 58
    ("internship ends just before leap day", emp(contract="internship", start="2021-02-28"),
     None, 58),
    # 29 Feb 2020 + 5 years = 28 Feb 2025 (no 29 Feb in 2025), exclusive -> last 2025-02-27.
    # Period 2025 (365 days): Jan 31 + Feb 27 = 58
    ("leap day start + 5 years", emp(position="participatiewet", start="2020-02-29"),
     ("2025-01-01", "2025-12-31"), 58),
    ("leap day school left + 5 years", emp(position="vso_pro", start="2021-01-01",
                                           schoolLeftOn="2020-02-29"),
     ("2025-01-01", "2025-12-31"), 58),
    # 29 Feb 2021 does not exist; 29 Feb 2024 employment start, internship 3 years ->
    # 2027-02-28 exclusive -> last 2027-02-27; period 2027: 31 + 27 = 58
    ("leap day internship start", emp(contract="internship", start="2024-02-29"),
     ("2027-01-01", "2027-12-31"), 58),
    # employment 2024-03-01..2024-08-31: 31 + 30 + 31 + 30 + 31 + 31 = 184
    ("employment partly in period", emp(start="2024-03-01", employmentEnd="2024-08-31"),
     None, 184),
    # employment starts on the last day of the period: 1 day
    ("employment starts on last day", emp(start="2024-12-31"), None, 1),
    # employment ends on the first day of the period: 1 day
    ("employment ends on first day", emp(start="2020-01-01", employmentEnd="2024-01-01"),
     None, 1),
    ("employment ended before period", emp(start="2020-01-01", employmentEnd="2023-12-31"),
     None, 0),
    ("employment starts after period", emp(start="2025-01-01"), None, 0),
    # 5 years from 2019-01-02 -> 2024-01-02 exclusive -> last 2024-01-01: window ends on the
    # first day of the period: 1 day
    ("window ends on first day", emp(position="participatiewet", start="2019-01-02"), None, 1),
    # 5 years from 2020-01-01 -> last 2024-12-31: window ends on the last day: 366
    ("window ends on last day", emp(position="participatiewet", start="2020-01-01"), None, 366),
    # 5 years from 2019-01-01 -> last 2023-12-31: window ended the day before the period
    ("window ended day before", emp(position="participatiewet", start="2019-01-01"), None, 0),
    # Wsw indication ended before employment started
    ("wsw indication before hire", emp(position="wsw", start="2024-06-01",
                                       wswIndicationUntil="2024-05-31"), None, 0),
    # window and employment end both inside: employment end 2024-04-30 comes first: 121
    ("employment end before window end", emp(position="participatiewet", start="2019-07-01",
                                             employmentEnd="2024-04-30"), None, 121),
    # window starts at employmentStart (2024-03-01), wage subsidy cannot start it earlier:
    # Mar 1 .. Dec 31 = 366 - 60 = 306
    ("window starts at employment start", emp(position="participatiewet", start="2024-03-01",
                                              wageSubsidyUntil="2029-12-31"), None, 306),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_counted_days(case):
    _, employee, period, days = case
    kw = {} if period is None else {"start": period[0], "end": period[1]}
    row = one(employee, **kw)
    assert row["countedDays"] == days


def test_fte_is_hours_ratio_times_day_fraction():
    # 20 h of 40 h = 0.5; employed 2024-07-02..2024-12-31 = 183 of 366 days -> 0.5 * 0.5 = 0.25
    row = one(emp(hours="20", start="2024-07-02"))
    assert row["countedDays"] == 183
    assert row["fte"] == 0.25


def test_fte_capped_at_one():
    # 45 h with a 40 h week counts as 1 FTE, not 1.125
    assert one(emp(hours="45"))["fte"] == 1.0


def test_fte_uses_cao_week():
    # 24 h of a 36 h CAO week = 2/3 FTE, whole year
    row = one(emp(hours="24"), fullTimeHoursPerWeek=36)
    assert row["fte"] == pytest.approx(2 / 3, abs=1e-15)


def test_fte_short_period():
    # Period of one quarter (2024-01-01..2024-03-31, 91 days); employee from 2024-02-01:
    # Feb 29 + Mar 31 = 60 days -> fte 60/91
    row = one(emp(start="2024-02-01"), start="2024-01-01", end="2024-03-31")
    assert row["countedDays"] == 60
    assert row["fte"] == 60 / 91


def test_notes_explain_windows():
    cut = one(emp(position="participatiewet", start="2019-07-01"))
    assert "2024-06-30" in cut["note"]
    gone = one(emp(position="participatiewet", start="2019-01-01"))
    assert "2023-12-31" in gone["note"]
    out = one(emp(start="2025-01-01"))
    assert out["note"] == "niet in dienst tijdens de periode"
    assert one(emp())["note"] is None
