#!/usr/bin/env python3
"""Independent reference calculation for `plein calc month`.

This is the independent reference used to produce the fixtures in
platform/bijstand/testdata/cases/*.json. It was written from
docs/domain.md sections 1-3 only, without reading the Go engine
(platform/bijstand, platform/law). The Go tests read only the JSON files;
this script is kept so that every expected value can be recomputed and
audited.

Arithmetic: amounts are integer cents, percentages are exact
fractions.Fraction values, and every named amount (norm, vrijlating,
reserve, BVV) is rounded half-up to the cent when it is computed.

Where docs/domain.md leaves a value undefined (e.g. 2025-07-01 youth norms, the
art. 22a.3 youth kostendelersnorm, 2025 vrijlating maxima) the reference
raises Undefined rather than inventing a number; the generator never emits
a case that hits Undefined.

Usage:  python3 reference.py [OUTDIR]      (writes one JSON file per case)
        python3 reference.py --calc < in.json   (prints the result)
"""
import datetime
import json
import os
import re
import sys
from fractions import Fraction as F


class InputError(Exception):
    def __init__(self, field, msg):
        super().__init__(f"{field}: {msg}")
        self.field = field


class Undefined(Exception):
    """docs/domain.md does not define this situation; no case may depend on it."""


def rhu(x):
    """Round a non-negative Fraction half-up to an integer (cents)."""
    x = F(x)
    assert x >= 0, x
    return int((x + F(1, 2)).__floor__())


# --- §1 norms, cents as published, per valid_from. None = not given. ---
NORMS = [
    ("2025-01-01", {
        "21a": 134545, "21b": 192207, "22a": 150107, "22b": 205348,
        "20_single": 33217,
        "20_couple_young": 66434, "20_couple_young_children": 104875,
        "20_couple_mixed": 129321, "20_couple_mixed_children": 167762,
        "20_3_supplement": None, "23_single": None, "23_couple": None,
    }),
    ("2025-07-01", {
        "21a": 136906, "21b": 195580, "22a": 153021, "22b": 209498,
        "20_single": None,
        "20_couple_young": None, "20_couple_young_children": None,
        "20_couple_mixed": None, "20_couple_mixed_children": None,
        "20_3_supplement": None, "23_single": None, "23_couple": None,
    }),
    ("2026-01-01", {
        "21a": 140150, "21b": 200213, "22a": 156469, "22b": 214416,
        "20_single": 34599,
        "20_couple_young": 69198, "20_couple_young_children": 109241,
        "20_couple_mixed": 134706, "20_couple_mixed_children": 174749,
        "20_3_supplement": 74645,
        # art. 23.1 norm + 23.2 zorgpremie supplement, each as published
        "23_single": (44376, 4700), "23_couple": (69027, 10600),
    }),
]

# --- §2 vrijlating. docs/domain.md states these undated; they are taken as the
# 2026 values. For 2025 periods the maxima are not given -> Undefined when
# work income is present.
VRIJLATING_FROM = "2026-01-01"
N_PCT, N_MAX, N_MONTHS, N_MIN_AGE = F(25, 100), 28500, 6, 27
Y_PCT, Y_MAX = F(15, 100), 18019
R_PCT, R_MAX, R_MONTHS, R_MIN_AGE, R_CHILD_UNDER = F(125, 1000), 17766, 30, 27, 12

VT_PCT = F(48, 1000)   # art. 19.3
BVV_PCT = F(95, 100)   # Rv 475dc.2
KDN_MIN_AGE = 27       # art. 22a

KINDS = ("single", "single_parent", "couple")
SOURCES = ("work", "benefit", "other")
DED_KINDS = ("on_behalf", "verrekening", "beslag", "aflossing")


def age_on(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def aow_reached(birth, day):
    """Statutory AOW-leeftijd: 67 years for people born 1957-01-01..1960-12-31
    (AOW age 67 in 2024-2027); 67y3m from 1961 (2028). Anyone born before 1957
    reached AOW age before 2024, i.e. before any period this engine settles."""
    if birth < datetime.date(1957, 1, 1):
        return True
    if birth <= datetime.date(1960, 12, 31):
        return age_on(birth, day) >= 67
    if age_on(birth, day) < 67:
        return False  # AOW age is at least 67 for everyone born 1961 or later
    raise Undefined("AOW age (67y3m or more) for people born 1961 or later not needed")


# ---------------------------------------------------------------- validation
def _int(v, field, minimum=None):
    if isinstance(v, bool) or not isinstance(v, int):
        raise InputError(field, "must be an integer")
    if minimum is not None and v < minimum:
        raise InputError(field, f"must be >= {minimum}")
    return v


def _date(v, field):
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise InputError(field, "must be YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(v)
    except ValueError:
        raise InputError(field, "not a calendar date")


def validate(inp):
    if not isinstance(inp, dict):
        raise InputError("", "input must be an object")
    p = inp.get("period")
    m = re.fullmatch(r"(\d{4})-(\d{2})", p) if isinstance(p, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError("period", "must be YYYY-MM")
    first = datetime.date(int(m.group(1)), int(m.group(2)), 1)
    if first.isoformat() < NORMS[0][0]:
        raise InputError("period", "before the first law file")
    hh = inp.get("household")
    if not isinstance(hh, dict):
        raise InputError("household", "required")
    if hh.get("kind") not in KINDS:
        raise InputError("household.kind", "unknown kind")
    apps = hh.get("applicants")
    want_n = 2 if hh["kind"] == "couple" else 1
    if not isinstance(apps, list) or len(apps) != want_n:
        raise InputError("household.applicants", f"kind {hh['kind']} needs {want_n} applicant(s)")
    for i, a in enumerate(apps):
        f = f"household.applicants[{i}]"
        _date(a.get("birth_date"), f + ".birth_date")
        _int(a.get("n_months_used", 0), f + ".n_months_used", 0)
        _int(a.get("r_months_used", 0), f + ".r_months_used", 0)
    for i, c in enumerate(hh.get("children") or []):
        _date(c.get("birth_date"), f"household.children[{i}].birth_date")
    for i, h in enumerate(hh.get("housemates") or []):
        _date(h.get("birth_date"), f"household.housemates[{i}].birth_date")
    for i, inc in enumerate(inp.get("income") or []):
        f = f"income[{i}]"
        a = _int(inc.get("applicant"), f + ".applicant", 0)
        if a >= len(apps):
            raise InputError(f + ".applicant", "no such applicant")
        if inc.get("source") not in SOURCES:
            raise InputError(f + ".source", "unknown source")
        _int(inc.get("net_cents"), f + ".net_cents", 0)
    for i, d in enumerate(inp.get("deductions") or []):
        f = f"deductions[{i}]"
        if d.get("kind") not in DED_KINDS:
            raise InputError(f + ".kind", "unknown kind")
        _int(d.get("amount_cents"), f + ".amount_cents", 0)
        _int(d.get("priority", 0), f + ".priority")
    _int(inp.get("min_cash_payout_cents", 0), "min_cash_payout_cents", 0)
    return first


# ---------------------------------------------------------------- calculation
def law_for(first):
    chosen = None
    for valid_from, table in NORMS:
        if valid_from <= first.isoformat():
            chosen = table
    return chosen


def need(table, key):
    v = table[key]
    if v is None:
        raise Undefined(f"norm {key} not given for this period")
    return v


def norm_for(first, hh):
    t = law_for(first)
    apps = hh["applicants"]
    births = [datetime.date.fromisoformat(a["birth_date"]) for a in apps]
    ages = [age_on(b, first) for b in births]
    aow = [aow_reached(b, first) for b in births]
    has_children = bool(hh.get("children"))
    pcs = bool(hh.get("parents_cannot_support"))
    if any(a < 18 for a in ages):
        raise Undefined("applicant under 18")
    kdn = [h for h in hh.get("housemates") or []
           if h.get("cost_sharer") and age_on(datetime.date.fromisoformat(h["birth_date"]), first) >= KDN_MIN_AGE]
    young = [a < 21 and not w for a, w in zip(ages, aow)]

    if hh.get("institution"):
        if any(young) or any(aow) or hh.get("housemates"):
            raise Undefined("art. 23 only given for 21..AOW, no housemates")
        base, supp = need(t, "23_couple" if hh["kind"] == "couple" else "23_single")
        return base + supp

    if hh["kind"] == "couple" and any(aow) and not all(aow) and any(young):
        raise Undefined("one AOW + other 18-20 not in the table")

    if kdn:
        if any(young):
            raise Undefined("art. 22a.3 youth kostendelersnorm not specified")
        A = len(apps) + len(kdn)
        B = t["22b"] if any(aow) else t["21b"]
        each = rhu(F(40 + 30 * A, 100 * A) * B)
        return each * len(apps)

    if hh["kind"] in ("single", "single_parent"):
        if aow[0]:
            return t["22a"]
        if not young[0]:
            return t["21a"]
        n = need(t, "20_single")
        if pcs:
            n = min(n + need(t, "20_3_supplement"), t["21a"])
        return n
    # couple
    if any(aow):
        return t["22b"]  # both AOW, or one AOW + other 21+
    n_young = sum(young)
    if n_young == 0:
        return t["21b"]
    if n_young == 2:
        n = need(t, "20_couple_young_children" if has_children else "20_couple_young")
    else:
        n = need(t, "20_couple_mixed_children" if has_children else "20_couple_mixed")
    if pcs:
        n = min(n + n_young * need(t, "20_3_supplement"), t["21b"])
    return n


def vrijlating_for(first, hh, i, work):
    if work == 0:
        return 0, None
    if first.isoformat() < VRIJLATING_FROM:
        raise Undefined("vrijlating maxima before 2026 not given")
    a = hh["applicants"][i]
    age = age_on(datetime.date.fromisoformat(a["birth_date"]), first)
    n_used = a.get("n_months_used", 0)
    r_used = a.get("r_months_used", 0)
    if age >= N_MIN_AGE and n_used < N_MONTHS:
        return min(rhu(N_PCT * work), N_MAX), "n"
    if a.get("medisch_urenbeperkt"):
        return min(rhu(Y_PCT * work), Y_MAX), "y"
    young_child = any(age_on(datetime.date.fromisoformat(c["birth_date"]), first) < R_CHILD_UNDER
                      for c in hh.get("children") or [])
    if (hh["kind"] == "single_parent" and young_child and n_used >= N_MONTHS
            and r_used < R_MONTHS and age >= R_MIN_AGE):
        return min(rhu(R_PCT * work), R_MAX), "r"
    return 0, None


def calc(inp):
    first = validate(inp)
    hh = inp["household"]
    norm = norm_for(first, hh)
    incomes = inp.get("income") or []
    income = sum(x["net_cents"] for x in incomes)
    vrij = 0
    for i in range(len(hh["applicants"])):
        work = sum(x["net_cents"] for x in incomes if x["applicant"] == i and x["source"] == "work")
        v, _ = vrijlating_for(first, hh, i, work)
        vrij += v
    counted = income - vrij
    bijstand = max(0, norm - counted)
    reserve = rhu(VT_PCT * bijstand)
    bvv = max(0, rhu(BVV_PCT * norm) - counted)
    capacity = max(0, bijstand - bvv)
    min_cash = inp.get("min_cash_payout_cents", 0)

    deds = inp.get("deductions") or []
    applied = [0] * len(deds)
    cash = bijstand - reserve
    cap = capacity
    for kind in DED_KINDS:
        order = sorted((i for i, d in enumerate(deds) if d["kind"] == kind),
                       key=lambda i: (deds[i].get("priority", 0), i))
        for i in order:
            room = max(0, cash - min_cash)
            amt = min(deds[i]["amount_cents"], room)
            if kind != "on_behalf":
                amt = min(amt, cap)
                cap -= amt
            applied[i] = amt
            cash -= amt
    return {
        "period": inp["period"],
        "norm_cents": norm,
        "income_cents": income,
        "vrijlating_cents": vrij,
        "counted_income_cents": counted,
        "bijstand_cents": bijstand,
        "vakantietoeslag_reserve_cents": reserve,
        "beslagvrije_voet_cents": bvv,
        "deduction_capacity_cents": capacity,
        "deductions": [{"id": d["id"], "requested_cents": d["amount_cents"],
                        "applied_cents": a, "shortfall_cents": d["amount_cents"] - a}
                       for d, a in zip(deds, applied)],
        "payout_cents": cash,
    }


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--calc":
        try:
            print(json.dumps(calc(json.load(sys.stdin)), indent=2))
        except InputError as e:
            print(f"error: {e}", file=sys.stderr)
            sys.exit(1)
        return
    import cases  # the case list lives beside this file
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "platform", "bijstand", "testdata", "cases")
    cases.write_all(outdir, calc, InputError)


if __name__ == "__main__":
    main()
