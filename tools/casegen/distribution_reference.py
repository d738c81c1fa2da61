#!/usr/bin/env python3
"""Independent reference for `plein calc distribution` (minnelijk traject).

Written from docs/domain.md §4 ("Minnelijk traject") and the command
contract only, without reading the Go implementation
(platform/distribution). The Go tests read only the JSON fixtures in
platform/distribution/testdata/cases/; this script regenerates them and
asserts every hand-computed figure against the exact calculation.

Arithmetic: integer cents, the percentage p and every exact offer are
fractions.Fraction values; no floating point anywhere.

Interpretations (see also each case's "why"):
  * pool_cents = capacity_cents_per_month x months, always (also when it
    exceeds the claims).
  * months omitted -> 18 (docs/domain.md §4: 18-month period); preferent_factor
    omitted -> 2 (docs/domain.md §4: default 2). Both must otherwise be given as
    numbers: months a positive integer, preferent_factor a number >= 1
    (an exact decimal such as 1.5 is allowed: "factor x p").
  * pool >= sum of claims: every claim is paid in full; the offers then add
    up to the claims total, NOT to the pool (a creditor never gets more than
    its claim). So "offers always add up to the pool exactly" is read as
    "offers add up to min(pool, total claims)".
  * otherwise p solves  sum_conc p*c + sum_pref min(1, f*p)*c = pool
    exactly; each exact offer is floored to the cent, and the
    pool - sum(floors) cents left over go one by one to the largest
    fractional remainders, ties in input order.
  * output claims are in input order.

Usage:  python3 distribution_reference.py [OUTDIR]   (writes one JSON file per case)
        python3 distribution_reference.py --calc < in.json   (prints the result)
"""
import json
import os
import sys
from fractions import Fraction as F

DEFAULT_MONTHS = 18
DEFAULT_FACTOR = 2


class Invalid(Exception):
    def __init__(self, field, msg):
        super().__init__(f"{field}: {msg}")
        self.field = field


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _num(v):
    """Exact value of a JSON number (int or float literal)."""
    if _is_int(v):
        return F(v)
    if isinstance(v, float):
        return F(repr(v))
    return None


def validate(inp):
    if not isinstance(inp, dict):
        raise Invalid("", "input must be a JSON object")
    cap = inp.get("capacity_cents_per_month")
    if not _is_int(cap) or cap < 0:
        raise Invalid("capacity_cents_per_month", "must be an integer >= 0")
    months = inp.get("months", DEFAULT_MONTHS)
    if not _is_int(months) or months < 1:
        raise Invalid("months", "must be an integer >= 1")
    fac = _num(inp.get("preferent_factor", DEFAULT_FACTOR))
    if fac is None or fac < 1:
        raise Invalid("preferent_factor", "must be a number >= 1")
    claims = inp.get("claims")
    if not isinstance(claims, list) or not claims:
        raise Invalid("claims", "must be a non-empty list")
    seen = set()
    out = []
    for i, c in enumerate(claims):
        if not isinstance(c, dict):
            raise Invalid(f"claims[{i}]", "must be an object")
        cid = c.get("id")
        if not isinstance(cid, str) or cid == "":
            raise Invalid(f"claims[{i}].id", "must be a non-empty string")
        if cid in seen:
            raise Invalid(f"claims[{i}].id", f"duplicate id {cid!r}")
        seen.add(cid)
        amt = c.get("amount_cents")
        if not _is_int(amt) or amt < 0:
            raise Invalid(f"claims[{i}].amount_cents", "must be an integer >= 0")
        pref = c.get("preferent", False)
        if not isinstance(pref, bool):
            raise Invalid(f"claims[{i}].preferent", "must be a boolean")
        out.append((cid, amt, pref))
    return cap, months, fac, out


def solve_p(pool, fac, claims):
    """Exact p with sum of exact offers == pool (pool < total claims)."""
    conc = sum(a for _, a, pr in claims if not pr)
    pref = sum(a for _, a, pr in claims if pr)
    # Region 1: no preferent claim capped (f*p <= 1).
    p = F(pool, 1) / (conc + fac * pref)
    if fac * p <= 1:
        return p
    # Region 2: all preferent claims capped (one factor -> one breakpoint 1/f).
    # conc > 0 here: with conc == 0, f*p = pool/pref < 1.
    return F(pool - pref, conc)


def calc(inp):
    cap, months, fac, claims = validate(inp)
    pool = cap * months
    total = sum(a for _, a, _ in claims)
    if pool >= total:
        exact = [F(a) for _, a, _ in claims]
        p = None
        target = total
    else:
        p = solve_p(pool, fac, claims)
        exact = [min(F(1), fac * p) * a if pr else p * a for _, a, pr in claims]
        target = pool
    assert sum(exact) == target, (sum(exact), target)
    floors = [e.numerator // e.denominator for e in exact]
    rem = [e - fl for e, fl in zip(exact, floors)]
    left = target - sum(floors)
    assert 0 <= left < len(claims)
    order = sorted(range(len(claims)), key=lambda i: (-rem[i], i))
    offered = list(floors)
    for i in order[:left]:
        assert rem[i] > 0
        offered[i] += 1
    assert sum(offered) == target
    for (_, a, _), o in zip(claims, offered):
        assert 0 <= o <= a
    res = {"pool_cents": pool,
           "claims": [{"id": cid, "offered_cents": o} for (cid, _, _), o in zip(claims, offered)]}
    trace = {"p": p, "exact": exact, "floors": floors, "rem": rem, "left": left,
             "winners": [claims[i][0] for i in order[:left]], "total": total, "fac": fac}
    return res, trace


# ------------------------------------------------------------------ cases
CASES = []


def cl(*specs):
    """cl(("A", 300000), ("B", 100000, True)) -> claims list."""
    out = []
    for s in specs:
        out.append({"id": s[0], "amount_cents": s[1], "preferent": bool(s[2]) if len(s) > 2 else False})
    return out


def inp(cap, claims, months=DEFAULT_MONTHS, factor=DEFAULT_FACTOR, omit=()):
    d = {"capacity_cents_per_month": cap, "months": months, "preferent_factor": factor, "claims": claims}
    for k in omit:
        del d[k]
    return d


def add(name, why, i, hand=None, auto_why=False):
    CASES.append({"name": name, "why": why, "input": i, "hand": hand, "auto_why": auto_why})


def bad(name, why, i, field):
    CASES.append({"name": name, "why": why, "input": i, "want_error_field": field})


def bad_raw(name, why, raw):
    CASES.append({"name": name, "why": why, "input_raw": raw, "want_error_field": ""})


def fmt_frac(x):
    if x.denominator == 1:
        return str(x.numerator)
    return f"{x.numerator}/{x.denominator} (~{float(x):.6f})"


def explain(res, tr):
    if tr["p"] is None:
        return (f" [reference] pool {res['pool_cents']} >= claims total {tr['total']}: all paid in full; "
                f"offers add up to {tr['total']}.")
    p = tr["p"]
    s = (f" [reference] pool {res['pool_cents']} < total {tr['total']}; p = {fmt_frac(p)}, "
         f"preferent rate min(1, {fmt_frac(tr['fac'])} x p) = {fmt_frac(min(F(1), tr['fac'] * p))}; "
         f"floors sum {sum(tr['floors'])}, {tr['left']} cent(s) left over to largest remainders: "
         f"{', '.join(tr['winners']) or 'none'}.")
    return s


# ---- docs/domain.md §4 example and contract
add("domain_example_p30",
    "DOMAIN.md §4 example: pool 100.00 x 18 = 1800.00 (180000 cents) over concurrent A 3000.00, B 1000.00, "
    "C 2000.00 (total 600000). p = 180000/600000 = 30 %: A 90000, B 30000, C 60000; sum 180000, no cents "
    "left over.",
    inp(10000, cl(("A", 300000), ("B", 100000), ("C", 200000))),
    {"A": 90000, "B": 30000, "C": 60000})
add("contract_single_claim",
    "Contract example input: capacity 10000 x 18 = 180000 over one concurrent claim A 300000. p = "
    "180000/300000 = 60 %: A gets the whole pool 180000. (The contract's illustrative 90000 is the DOMAIN "
    "three-claim figure for A; with A alone the whole pool goes to A.)",
    inp(10000, cl(("A", 300000))),
    {"A": 180000})
add("single_claim_smaller_than_pool",
    "One claim A 100000, pool 10000 x 18 = 180000 >= 100000: paid in full, A 100000. pool_cents stays "
    "180000 (capacity x months); offers add up to min(pool, claims) = 100000.",
    inp(10000, cl(("A", 100000))),
    {"A": 100000})
add("single_preferent_claim_partial",
    "One preferent claim A 300000, factor 2, pool 180000. f*p*300000 = 180000 -> p = 30 %, preferent rate "
    "60 % (< 100 %, not capped): A 180000. A lone claim always gets the whole pool when pool < claim.",
    inp(10000, cl(("A", 300000, True))),
    {"A": 180000})

# ---- pool vs total
add("pool_equals_total",
    "Pool 10000 x 18 = 180000 equals claims A 100000 + B 80000 = 180000: 'pool >= all claims' -> both in "
    "full, A 100000, B 80000; sum = pool.",
    inp(10000, cl(("A", 100000), ("B", 80000))),
    {"A": 100000, "B": 80000})
add("pool_equals_total_with_preferent",
    "Pool 180000 equals A 120000 (concurrent) + B 60000 (preferent): all in full (p = 100 %, preferent "
    "capped at 100 %): A 120000, B 60000.",
    inp(10000, cl(("A", 120000), ("B", 60000, True))),
    {"A": 120000, "B": 60000})
add("pool_exceeds_total",
    "Pool 20000 x 18 = 360000 > claims A 100000 + B 50000 + C 25000 = 175000: every claim in full (A "
    "100000, B 50000, C 25000). Interpretation: offers add up to the claims total 175000, not to the pool "
    "(a creditor never gets more than its claim); pool_cents is still reported as capacity x months = "
    "360000; the unused 185000 is not offered.",
    inp(20000, cl(("A", 100000), ("B", 50000), ("C", 25000))),
    {"A": 100000, "B": 50000, "C": 25000})
add("pool_exceeds_total_with_preferent",
    "Pool 10000 x 18 = 180000 > A 50000 (preferent) + B 70000 + C 1 = 120001: all in full, A 50000, "
    "B 70000, C 1; offers sum 120001 = claims total (not the pool 180000).",
    inp(10000, cl(("A", 50000, True), ("B", 70000), ("C", 1))),
    {"A": 50000, "B": 70000, "C": 1})
add("pool_exceeds_total_by_one_cent",
    "Capacity 10001 x 18 = 180018 vs claims A 100000 + B 80017 = 180017: pool exceeds by 1 cent -> all in "
    "full, A 100000, B 80017 (sum 180017).",
    inp(10001, cl(("A", 100000), ("B", 80017))),
    {"A": 100000, "B": 80017})
add("pool_one_cent_short",
    "Pool 180000, claims A 90000 + B 90001 = 180001 (1 cent short). p = 180000/180001. Exact A = "
    "90000 x 180000/180001 = 90000 - 90000/180001 = 89999.500003; B = 90001 - 90001/180001 = 90000.499997. "
    "Floors 89999 + 90000 = 179999, 1 cent left: remainders A .500003 > B .499997 -> A. Result A 90000, "
    "B 90000 (a float rounding of p would be at risk here).",
    inp(10000, cl(("A", 90000), ("B", 90001))),
    {"A": 90000, "B": 90000})

# ---- zero capacity
add("zero_capacity",
    "Capacity 0 -> pool 0 < claims: p = 0, all offers 0 (A 0, B 0); sum 0 = pool.",
    inp(0, cl(("A", 300000), ("B", 100000))),
    {"A": 0, "B": 0})
add("zero_capacity_with_preferent",
    "Capacity 0 -> pool 0: p = 0, factor x p = 0 too: A (preferent) 0, B 0, C 0.",
    inp(0, cl(("A", 50000, True), ("B", 70000), ("C", 1))),
    {"A": 0, "B": 0, "C": 0})

# ---- defaults
add("default_months_18",
    "'months' omitted -> default 18 (DOMAIN: repayment period of 18 months since 1-7-2023). Same as the "
    "DOMAIN example: pool 10000 x 18 = 180000, p = 30 %: A 90000, B 30000, C 60000; pool_cents 180000.",
    inp(10000, cl(("A", 300000), ("B", 100000), ("C", 200000)), omit=("months",)),
    {"A": 90000, "B": 30000, "C": 60000})
add("default_factor_2",
    "'preferent_factor' omitted -> default 2 (DOMAIN: tenant setting, default 2). Pool 10000 x 18 = 180000; "
    "concurrent A 300000, preferent B 100000: 300000p + 2p x 100000 = 500000p = 180000 -> p = 36 %, B at "
    "72 %: A 108000, B 72000. (With factor 1 it would be A 135000, B 45000.)",
    inp(10000, cl(("A", 300000), ("B", 100000, True)), omit=("preferent_factor",)),
    {"A": 108000, "B": 72000})
add("default_months_and_factor",
    "Both omitted -> months 18, factor 2. Capacity 5000 x 18 = 90000; concurrent A 200000, preferent B "
    "50000: 200000p + 100000p = 300000p = 90000 -> p = 30 %, B at 60 %: A 60000, B 30000.",
    inp(5000, cl(("A", 200000), ("B", 50000, True)), omit=("months", "preferent_factor")),
    {"A": 60000, "B": 30000})
add("months_given_12",
    "Explicit months 12 is used as given (not forced to 18): pool 10000 x 12 = 120000 over A 300000, "
    "B 100000, C 200000 -> p = 20 %: A 60000, B 20000, C 40000.",
    inp(10000, cl(("A", 300000), ("B", 100000), ("C", 200000)), months=12),
    {"A": 60000, "B": 20000, "C": 40000})
# ---- preferent factor
add("preferent_factor2_uncapped",
    "Factor 2, pool 180000; concurrent A 300000, preferent B 100000, concurrent C 200000: 500000p + "
    "200000p = 700000p = 180000 -> p = 18/70 = 9/35. A = 300000 x 9/35 = 77142.857; B = 100000 x 18/35 = "
    "51428.571; C = 200000 x 9/35 = 51428.571. Floors 77142 + 51428 + 51428 = 179998, 2 cents left: "
    "remainders A .857, B .571, C .571 -> A, then B (tie B/C by input order). A 77143, B 51429, C 51428.",
    inp(10000, cl(("A", 300000), ("B", 100000, True), ("C", 200000))),
    {"A": 77143, "B": 51429, "C": 51428})
add("preferent_factor2_capped",
    "Factor 2, pool 180000; concurrent A 200000, preferent B 50000. Uncapped p = 180000/(200000 + "
    "2 x 50000) = 60 % -> 2p = 120 % > 100 %: B is capped, B = 50000 in full; the rest 130000 goes to A: "
    "p = 130000/200000 = 65 %. A 130000, B 50000 (sum 180000).",
    inp(10000, cl(("A", 200000), ("B", 50000, True))),
    {"A": 130000, "B": 50000})
add("preferent_factor2_exactly_at_cap",
    "Factor 2, pool 180000; concurrent A 200000, preferent B 80000: p = 180000/(200000 + 160000) = 50 %, "
    "2p = 100 % exactly: B 80000 (full), A 100000.",
    inp(10000, cl(("A", 200000), ("B", 80000, True))),
    {"A": 100000, "B": 80000})
add("preferent_two_uncapped_tie_pref_conc",
    "Factor 2, pool 20000 x 18 = 360000; preferent P1 100000, P2 30000; concurrent C1 400000, C2 "
    "200000 (total 730000). Uncapped p = 360000/(600000 + 2 x 130000) = 360000/860000 = 41.86 % -> "
    "2p = 83.7 % <= 100 %: not capped. P1 = 100000 x 2 x 18/43 = 83720.930; P2 = 25116.279; C1 = "
    "400000 x 18/43 = 167441.860; C2 = 83720.930. Floors 83720 + 25116 + 167441 + 83720 = 359997, 3 left: "
    "remainders P1 .930, C2 .930 (tie), C1 .860, P2 .279 -> P1, C2, C1. P1 83721, P2 25116, C1 167442, "
    "C2 83721.",
    inp(20000, cl(("P1", 100000, True), ("P2", 30000, True), ("C1", 400000), ("C2", 200000))),
    {"P1": 83721, "P2": 25116, "C1": 167442, "C2": 83721})
add("preferent_two_uncapped_leftover",
    "Factor 2, pool 30000 x 18 = 540000; preferent P1 100000, P2 50000; concurrent C1 700000, C2 "
    "300000. p = 540000/(1000000 + 2 x 150000) = 54/130 = 27/65 = 41.5 %, 2p = 83 % -> not capped; P1 = 100000 x 54/65 = 83076.923, P2 = 41538.461, C1 = 700000 x 27/65 = 290769.230, "
    "C2 = 124615.384. Floors 83076 + 41538 + 290769 + 124615 = 539998, 2 left: remainders P1 .923, "
    "P2 .461(5), C1 .230(7), C2 .384(6) -> P1, P2. P1 83077, P2 41539, C1 290769, C2 124615.",
    inp(30000, cl(("P1", 100000, True), ("P2", 50000, True), ("C1", 700000), ("C2", 300000))),
    {"P1": 83077, "P2": 41539, "C1": 290769, "C2": 124615})
add("preferent_all_capped_concurrent_rounding",
    "Factor 2, pool 50000 x 18 = 900000; preferent P1 100000, P2 50000; concurrent C1 700000, C2 300000 "
    "(total 1150000). Uncapped p = 900000/1300000 = 69.2 % -> 2p > 100 %: both preferent capped (P1 "
    "100000, P2 50000 in full); rest 750000 over concurrent 1000000 -> p = 75 %: C1 525000, C2 225000.",
    inp(50000, cl(("P1", 100000, True), ("P2", 50000, True), ("C1", 700000), ("C2", 300000))),
    {"P1": 100000, "P2": 50000, "C1": 525000, "C2": 225000})
add("preferent_capped_with_leftover_cents",
    "Factor 2, pool 1000 x 18 = 18000; preferent P 5000; concurrent A 7000, B 7000, C 7000 (total 26000). "
    "Uncapped p = 18000/(21000 + 10000) = 58 % -> 2p > 100 %: P capped at 5000; rest 13000 over 21000 -> "
    "p = 13/21: A = B = C = 4333.333. Floors 3 x 4333 = 12999 + 5000 = 17999, 1 cent left: tie A/B/C "
    "(P has remainder 0) -> A (input order). P 5000, A 4334, B 4333, C 4333.",
    inp(1000, cl(("P", 5000, True), ("A", 7000), ("B", 7000), ("C", 7000))),
    {"P": 5000, "A": 4334, "B": 4333, "C": 4333})
add("factor_1_preferent_like_concurrent",
    "Factor 1: preferent gets 1 x p, i.e. the same as concurrent. DOMAIN example with B preferent: pool "
    "180000 over A 300000, B 100000 (preferent), C 200000 -> p = 30 % for all: A 90000, B 30000, C 60000.",
    inp(10000, cl(("A", 300000), ("B", 100000, True), ("C", 200000)), factor=1),
    {"A": 90000, "B": 30000, "C": 60000})
add("factor_3_uncapped",
    "Factor 3, pool 180000; concurrent A 300000, preferent B 100000: 300000p + 300000p = 600000p = "
    "180000 -> p = 30 %, B at 90 %: A 90000, B 90000.",
    inp(10000, cl(("A", 300000), ("B", 100000, True)), factor=3),
    {"A": 90000, "B": 90000})
add("factor_3_capped",
    "Factor 3, pool 180000; concurrent A 300000, preferent B 60000. Uncapped p = 180000/(300000 + "
    "180000) = 37.5 % -> 3p = 112.5 % > 100 %: B capped, 60000 in full; A gets 120000 (p = 40 %).",
    inp(10000, cl(("A", 300000), ("B", 60000, True)), factor=3),
    {"A": 120000, "B": 60000})
add("factor_non_integer_1_5",
    "Interpretation: the factor is a number >= 1, not necessarily whole (tenant setting 'factor x p'). "
    "Factor 1.5, pool 180000; concurrent A 300000, preferent B 200000: 300000p + 1.5 x 200000p = 600000p = "
    "180000 -> p = 30 %, B at 45 %: A 90000, B 90000.",
    inp(10000, cl(("A", 300000), ("B", 200000, True)), factor=1.5),
    {"A": 90000, "B": 90000})
add("all_preferent_partial",
    "All preferent, factor 2, pool 180000 over A 300000, B 100000, C 200000: 2p x 600000 = 180000 -> "
    "p = 15 %, preferent rate 30 % (< 100 %): A 90000, B 30000, C 60000 (same split as all-concurrent).",
    inp(10000, cl(("A", 300000, True), ("B", 100000, True), ("C", 200000, True))),
    {"A": 90000, "B": 30000, "C": 60000})
add("all_preferent_leftover",
    "All preferent, factor 2, pool 100 x 18 = 1800 over A 1000, B 2000, C 4000 (7000): rate 2p = "
    "1800/7000 = 9/35 (< 100 %). A = 257.143, B = 514.286, C = 1028.571; floors 257 + 514 + 1028 = 1799, "
    "1 cent left: largest remainder C .571. A 257, B 514, C 1029.",
    inp(100, cl(("A", 1000, True), ("B", 2000, True), ("C", 4000, True))),
    {"A": 257, "B": 514, "C": 1029})
add("all_preferent_pool_exceeds",
    "All preferent, pool 10000 x 18 = 180000 > total 150000 (A 100000, B 50000): in full, A 100000, "
    "B 50000.",
    inp(10000, cl(("A", 100000, True), ("B", 50000, True))),
    {"A": 100000, "B": 50000})

# ---- rounding and ties
add("tie_seven_equal_one_cent",
    "Pool 100 x 18 = 1800 over seven concurrent claims of 1000: 1800/7 = 257.142857 each; floors 1799, "
    "1 cent left, all remainders equal -> first in input order (A). A 258, B..G 257.",
    inp(100, cl(*[(x, 1000) for x in "ABCDEFG"])),
    {"A": 258, "B": 257, "C": 257, "D": 257, "E": 257, "F": 257, "G": 257})
add("tie_seven_equal_two_cents",
    "Pool 102 x 18 = 1836 over seven concurrent claims of 1000: 1836/7 = 262.2857 each; floors 7 x 262 = "
    "1834, 2 cents left, all remainders equal -> first two in input order (A, B). A 263, B 263, C..G 262.",
    inp(102, cl(*[(x, 1000) for x in "ABCDEFG"])),
    {"A": 263, "B": 263, "C": 262, "D": 262, "E": 262, "F": 262, "G": 262})
add("tie_input_order_not_alphabetical",
    "Ties go by input order, not id order. Months 1, capacity 10 -> pool 10 over 'zeta' 10, 'mu' 10, "
    "'alpha' 10: 10/3 = 3.333 each, floors 9, 1 cent left, tie -> first given ('zeta'). zeta 4, mu 3, "
    "alpha 3.",
    inp(10, cl(("zeta", 10), ("mu", 10), ("alpha", 10)), months=1),
    {"zeta": 4, "mu": 3, "alpha": 3})
add("largest_remainder_beats_input_order",
    "Months 1, pool 4 over X 1, Y 3, Z 3 (total 7): p = 4/7. X = 0.571, Y = Z = 12/7 = 1.714. Floors "
    "0 + 1 + 1 = 2, 2 cents left: remainders Y .714, Z .714 > X .571 -> Y and Z (X is first but has the "
    "smaller remainder). X 0, Y 2, Z 2.",
    inp(4, cl(("X", 1), ("Y", 3), ("Z", 3)), months=1),
    {"X": 0, "Y": 2, "Z": 2})
add("exact_tie_different_amounts_float_trap",
    "Months 1, pool 2 over B 4, A 1, C 1 (total 6): p = 1/3 exactly. B = 4/3 = 1 + 1/3, A = 1/3, C = 1/3: "
    "all three remainders are exactly 1/3. Floors 1 + 0 + 0 = 1, 1 cent left -> tie, first in input "
    "order: B. B 2, A 0, C 0. (In float64 4 x 0.333.. - 1 = 0.33333333333333326 < 0.3333333333333333 "
    "would wrongly pick A.)",
    inp(2, cl(("B", 4), ("A", 1), ("C", 1)), months=1),
    {"B": 2, "A": 0, "C": 0})
add("remainder_order_not_amount_order",
    "Months 1, capacity 100 -> pool 100 over A 50, B 70, C 90 (total 210): p = 10/21. A = 500/21 = "
    "23.8095, B = 700/21 = 33.3333, C = 900/21 = 42.8571. Floors 23 + 33 + 42 = 98, 2 left: remainders "
    "C .857, A .810, B .333 -> C, A (not the two largest claims). A 24, B 33, C 43.",
    inp(100, cl(("A", 50), ("B", 70), ("C", 90)), months=1),
    {"A": 24, "B": 33, "C": 43})
add("one_cent_claims_partial",
    "Months 1, capacity 2 -> pool 2 over three claims of 1 cent: p = 2/3, each 0.667, floors 0, 2 cents "
    "left, tie -> first two in input order. A 1, B 1, C 0.",
    inp(2, cl(("A", 1), ("B", 1), ("C", 1)), months=1),
    {"A": 1, "B": 1, "C": 0})
add("one_cent_claim_with_large_claim",
    "Pool 1 x 18 = 18 over A 1, B 9999 (total 10000): p = 18/10000. A = 0.0018, B = 17.9982. Floors "
    "0 + 17 = 17, 1 left: remainders B .9982 > A .0018 -> B. A 0, B 18.",
    inp(1, cl(("A", 1), ("B", 9999))),
    {"A": 0, "B": 18})
add("one_cent_preferent_wins_leftover",
    "Factor 2, months 1, pool 3 over concurrent A 5, preferent B 1, concurrent C 5: 10p + 2p = 12p = 3 -> "
    "p = 1/4, B rate 50 %. A 1.25, B 0.5, C 1.25; floors 1 + 0 + 1 = 2, 1 cent left: remainders B .5 > "
    "A .25 = C .25 -> B. A 1, B 1, C 1.",
    inp(3, cl(("A", 5), ("B", 1, True), ("C", 5)), months=1),
    {"A": 1, "B": 1, "C": 1})
add("one_cent_preferent_at_cap",
    "Factor 2, months 1, pool 5 over concurrent A 4, preferent B 1, concurrent C 4: 8p + 2p = 10p = 5 -> "
    "p = 1/2, B rate 100 % (exactly at cap). A 2, B 1, C 2 exact, nothing left over.",
    inp(5, cl(("A", 4), ("B", 1, True), ("C", 4)), months=1),
    {"A": 2, "B": 1, "C": 2})
# ---- awkward amounts (computed by the reference; hand sketch in why)
add("seven_awkward_concurrent",
    "Seven concurrent claims with awkward amounts, pool 1234 x 18 = 22212 vs total 241453; p = "
    "22212/241453 = 9.199 %. Each offer = floor(22212 x c / 241453) plus leftover cents by largest "
    "remainder; figures from the exact reference.",
    inp(1234, cl(("A", 12345), ("B", 67891), ("C", 23), ("D", 99999), ("E", 5003), ("F", 777),
                 ("G", 55415))),
    auto_why=True)
add("seven_awkward_mixed_preferent",
    "Seven claims, awkward amounts, B and E preferent, factor 2, pool 4321 x 18 = 77778 vs total 241453. "
    "Uncapped p = 77778/(241453 + 67891 + 5003) = 77778/314347 (2p = 49.5 % < 100 %); figures from the "
    "exact reference.",
    inp(4321, cl(("A", 12345), ("B", 67891, True), ("C", 23), ("D", 99999), ("E", 5003, True), ("F", 777),
                 ("G", 55415))),
    auto_why=True)
add("seven_awkward_mixed_preferent_capped",
    "Same seven claims, B and E preferent, factor 2, pool 9000 x 18 = 162000. Uncapped p = "
    "162000/314347 = 51.5 % -> 2p > 100 %: B and E capped in full (72894); p = (162000 - 72894)/168559 = "
    "89106/168559 for the rest; figures from the exact reference.",
    inp(9000, cl(("A", 12345), ("B", 67891, True), ("C", 23), ("D", 99999), ("E", 5003, True), ("F", 777),
                 ("G", 55415))),
    auto_why=True)
add("amounts_above_int32",
    "Claims above 2^31 cents (overflow guard): pool 1000000 x 18 = 18000000 over A 3000000000, B "
    "1000000000, C 2000000000 -> p = 0.3 %: A 9000000, B 3000000, C 6000000.",
    inp(1000000, cl(("A", 3000000000), ("B", 1000000000), ("C", 2000000000))),
    {"A": 9000000, "B": 3000000, "C": 6000000})


def lcg_claims(n, seed, pref_every):
    x = seed
    out = []
    for i in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        amt = 1 + (x >> 33) % 10_000_000
        out.append((f"cr{i + 1:02d}", amt, (i % pref_every) == pref_every - 1))
    return cl(*out)


add("large_40_claims_uncapped",
    "40 claims, amounts 1..10,000,000 cents (deterministic LCG), every 4th preferent, factor 2, pool "
    "123457 x 18 = 2222226 (about 1 % of the claims); preferent not capped; figures from the exact "
    "reference.",
    inp(123457, lcg_claims(40, 2024, 4)), auto_why=True)
add("large_40_claims_preferent_capped",
    "Same 40 claims as large_40_claims_uncapped, pool 7000000 x 18 = 126000000, high enough that 2p > "
    "100 %: every preferent claim is paid in full and the rest goes to the concurrent claims; figures "
    "from the exact reference.",
    inp(7000000, lcg_claims(40, 2024, 4)), auto_why=True)
add("large_40_claims_all_concurrent",
    "40 concurrent claims (other LCG seed), pool 99991 x 18 = 1799838; figures from the exact reference.",
    inp(99991, lcg_claims(40, 7, 10**9)), auto_why=True)

# ---- invalid input
OK = cl(("A", 300000), ("B", 100000))
bad("invalid_negative_capacity", "capacity_cents_per_month -1 is negative.",
    inp(-1, OK), "capacity_cents_per_month")
bad("invalid_non_integer_capacity", "capacity_cents_per_month 100.5 is not a whole number of cents.",
    inp(100.5, OK), "capacity_cents_per_month")
bad("invalid_negative_amount", "claims[1].amount_cents -100 is negative.",
    inp(10000, cl(("A", 300000), ("B", -100))), "claims[1].amount_cents")
bad("invalid_non_integer_amount", "claims[1].amount_cents 1.5 is not a whole number of cents.",
    inp(10000, [{"id": "A", "amount_cents": 300000, "preferent": False},
                {"id": "B", "amount_cents": 1.5, "preferent": False}]), "claims[1].amount_cents")
bad("invalid_string_amount", "claims[0].amount_cents is the string \"1000\", not a number.",
    inp(10000, [{"id": "A", "amount_cents": "1000", "preferent": False}]), "claims[0].amount_cents")
bad("invalid_no_claims", "claims is an empty list: nothing to distribute.",
    inp(10000, []), "claims")
bad("invalid_claims_missing", "claims key absent.",
    {"capacity_cents_per_month": 10000, "months": 18, "preferent_factor": 2}, "claims")
bad("invalid_duplicate_id", "claims[1].id 'A' repeats claims[0].id; the later one is named.",
    inp(10000, cl(("A", 300000), ("A", 100000))), "claims[1].id")
bad("invalid_duplicate_id_later", "claims[2].id 'A' repeats claims[0].id (claims[1] 'B' is fine).",
    inp(10000, cl(("A", 300000), ("B", 100000), ("A", 5))), "claims[2].id")
bad("invalid_empty_id", "claims[0].id is the empty string.",
    inp(10000, cl(("", 300000), ("B", 100000))), "claims[0].id")
bad("invalid_missing_id", "claims[1] has no id.",
    inp(10000, [{"id": "A", "amount_cents": 300000, "preferent": False},
                {"amount_cents": 100000, "preferent": False}]), "claims[1].id")
bad("invalid_months_zero", "months 0: the period must be at least one month.",
    inp(10000, OK, months=0), "months")
bad("invalid_months_negative", "months -18 is negative.",
    inp(10000, OK, months=-18), "months")
bad("invalid_months_non_integer", "months 1.5 is not a whole number.",
    inp(10000, OK, months=1.5), "months")
bad("invalid_factor_below_one", "preferent_factor 0.5 < 1 would give preferent claims less than concurrent.",
    inp(10000, OK, factor=0.5), "preferent_factor")
bad("invalid_factor_negative", "preferent_factor -2 < 1.",
    inp(10000, OK, factor=-2), "preferent_factor")
bad_raw("invalid_malformed_json_truncated", "Truncated JSON object.",
        '{"capacity_cents_per_month": 10000, "months": 18, "claims": [{"id": "A", "amount_cents": 3000')
bad_raw("invalid_malformed_json_trailing_comma", "Trailing comma is not JSON.",
        '{"capacity_cents_per_month": 10000, "claims": [{"id": "A", "amount_cents": 300000},]}')
bad_raw("invalid_malformed_json_empty", "Empty stdin is not a JSON document.", "")


# ------------------------------------------------------------------ generator
def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--calc":
        try:
            res, _ = calc(json.load(sys.stdin))
        except Invalid as e:
            print(str(e), file=sys.stderr)
            sys.exit(2)
        print(json.dumps(res, indent=2))
        return
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "platform", "distribution", "testdata", "cases")
    os.makedirs(outdir, exist_ok=True)
    names = set()
    for c in CASES:
        assert c["name"] not in names, c["name"]
        names.add(c["name"])
        if "want_error_field" in c:
            if "input_raw" in c:
                try:
                    json.loads(c["input_raw"])
                    raise AssertionError(c["name"] + " parses")
                except json.JSONDecodeError:
                    pass
                doc = {"name": c["name"], "why": c["why"], "input_raw": c["input_raw"], "want_error_field": ""}
            else:
                try:
                    calc(c["input"])
                    raise AssertionError(c["name"] + " accepted")
                except Invalid as e:
                    assert e.field == c["want_error_field"], (c["name"], e.field)
                doc = {"name": c["name"], "why": c["why"], "input": c["input"],
                       "want_error_field": c["want_error_field"]}
        else:
            res, tr = calc(c["input"])
            if c["hand"] is not None:
                got = {x["id"]: x["offered_cents"] for x in res["claims"]}
                assert got == c["hand"], (c["name"], got, c["hand"])
                assert [x["id"] for x in res["claims"]] == list(c["hand"]), c["name"]
            why = c["why"] + (explain(res, tr) if c["auto_why"] else "")
            doc = {"name": c["name"], "why": why, "input": c["input"], "want": res}
        with open(os.path.join(outdir, c["name"] + ".json"), "w") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")
    print(f"wrote {len(CASES)} cases to {os.path.normpath(outdir)}")


if __name__ == "__main__":
    main()
