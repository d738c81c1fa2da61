"""Case list for the independent reference (reference.py).

Every case has a hand-written "why" with the arithmetic; `hand` holds the
figures computed by hand, which the generator asserts against the reference
calculation before writing the JSON file (both must agree).
"""
import json
import os

# birth dates, ages as on 2026-01-01 unless stated
A30 = "1995-06-15"   # 30 in 2026-01, 29 in 2025
A35 = "1990-05-01"   # 35
A28 = "1997-03-03"   # 28
A25 = "2000-07-10"   # 25
A19 = "2006-05-01"   # 19 in 2026-01, 18 in 2025-03
A20 = "2005-08-20"   # 20 in 2026-01, 19 in 2025-03
AOW = "1950-04-04"   # 75, well past AOW age
HM39 = "1986-02-01"  # housemate 39
HM50 = "1975-09-09"  # housemate 50
HM26 = "1999-06-01"  # housemate 26
CH7 = "2018-02-01"   # child 7
CH14 = "2011-06-01"  # child 14

CASES = []


def app(birth, n=0, r=0, med=False):
    return {"birth_date": birth, "n_months_used": n, "r_months_used": r, "medisch_urenbeperkt": med}


def add(name, why, period, kind, apps, income=(), deductions=(), children=(), housemates=(),
        institution=False, pcs=False, min_cash=0, hand=None):
    hh = {"kind": kind, "applicants": list(apps)}
    if children:
        hh["children"] = [{"birth_date": c} for c in children]
    if housemates:
        hh["housemates"] = [{"birth_date": b, "cost_sharer": cs} for b, cs in housemates]
    if institution:
        hh["institution"] = True
    if pcs:
        hh["parents_cannot_support"] = True
    inp = {"period": period, "household": hh}
    if income:
        inp["income"] = [{"applicant": a, "source": s, "net_cents": c} for a, s, c in income]
    if deductions:
        inp["deductions"] = [{"id": i, "kind": k, "amount_cents": c, "priority": p} for i, k, c, p in deductions]
    if min_cash:
        inp["min_cash_payout_cents"] = min_cash
    CASES.append({"name": name, "why": why, "input": inp, "hand": hand or {}})


def bad(name, why, inp, field):
    CASES.append({"name": name, "why": why, "input": inp, "want_error_field": field})


def bad_raw(name, why, raw):
    CASES.append({"name": name, "why": why, "input_raw": raw, "want_error_field": ""})


# ------------------------------------------------------------------ §2 / §3 headline figures
add("worked_example_2026_01_single_30",
    "DOMAIN.md §2 worked example: single, 30, net work 1000.00, n unused. Norm 21a 1401.50; vrijlating "
    "31.2n 25% x 1000.00 = 250.00; counted 750.00; bijstand 1401.50-750.00 = 651.50; reserve 4.8% x 651.50 = "
    "31.272 -> 31.27; payout 651.50-31.27 = 620.23. §3: BVV = round(95% x 1401.50 = 1331.425 -> 1331.43) - "
    "750.00 = 581.43; capacity = 651.50-581.43 = 70.07.",
    "2026-01", "single", [app(A30)], income=[(0, "work", 100000)],
    hand=dict(norm_cents=140150, vrijlating_cents=25000, counted_income_cents=75000, bijstand_cents=65150,
              vakantietoeslag_reserve_cents=3127, beslagvrije_voet_cents=58143,
              deduction_capacity_cents=7007, payout_cents=62023))
add("bvv_2026_single_no_income",
    "§3 figure: 2026 single without income: BVV = round(95% x 1401.50 = 1331.425) = 1331.43, capacity = "
    "1401.50-1331.43 = 70.07. Reserve 4.8% x 1401.50 = 67.272 -> 67.27; payout 1334.23.",
    "2026-01", "single", [app(A35)],
    hand=dict(norm_cents=140150, bijstand_cents=140150, vakantietoeslag_reserve_cents=6727,
              beslagvrije_voet_cents=133143, deduction_capacity_cents=7007, payout_cents=133423))
add("bvv_2026_couple_no_income",
    "§3 figure: 2026 couple (21b 2002.13) without income: BVV = round(95% x 2002.13 = 1902.0235) = 1902.02, "
    "capacity 100.11. Reserve 4.8% x 2002.13 = 96.10224 -> 96.10; payout 1906.03.",
    "2026-01", "couple", [app(A30), app(A35)],
    hand=dict(norm_cents=200213, beslagvrije_voet_cents=190202, deduction_capacity_cents=10011,
              vakantietoeslag_reserve_cents=9610, payout_cents=190603))

# ------------------------------------------------------------------ §1 norms 2026-01-01
N26 = "2026-01"
add("norm_2026_single_parent_21a", "§1 art. 21a: single parent 21+ gets the single norm 1401.50 (2026-01-01).",
    N26, "single_parent", [app(A30)], children=[CH7], hand=dict(norm_cents=140150))
add("norm_2026_single_aow_22a", "§1 art. 22a: single at AOW age (born 1950): 1564.69.",
    N26, "single", [app(AOW)], hand=dict(norm_cents=156469))
add("norm_2026_couple_both_aow_22b", "§1 art. 22b: couple, both AOW age: 2144.16.",
    N26, "couple", [app(AOW), app("1952-11-30")], hand=dict(norm_cents=214416))
add("norm_2026_couple_one_aow_other_21plus_22c",
    "§1 art. 22c: couple, one AOW age and the other 30 (21+): 2144.16.",
    N26, "couple", [app(AOW), app(A30)], hand=dict(norm_cents=214416))
add("norm_2026_single_18_20", "§1 art. 20.1a: single aged 19: 345.99.",
    N26, "single", [app(A19)], hand=dict(norm_cents=34599))
add("norm_2026_single_parent_18_20", "§1 art. 20.2a: single parent aged 20 (with children): 345.99.",
    N26, "single_parent", [app(A20)], children=[CH7], hand=dict(norm_cents=34599))
add("norm_2026_couple_both_18_20_no_children", "§1 art. 20.1b: couple aged 19 and 20, no children: 691.98.",
    N26, "couple", [app(A19), app(A20)], hand=dict(norm_cents=69198))
add("norm_2026_couple_both_18_20_with_children", "§1 art. 20.2b: couple aged 19 and 20 with a child: 1092.41.",
    N26, "couple", [app(A19), app(A20)], children=[CH7], hand=dict(norm_cents=109241))
add("norm_2026_couple_18_20_and_21plus_no_children", "§1 art. 20.1c: couple aged 19 and 30, no children: 1347.06.",
    N26, "couple", [app(A19), app(A30)], hand=dict(norm_cents=134706))
add("norm_2026_couple_18_20_and_21plus_with_children", "§1 art. 20.2c: couple aged 30 and 19 with a child: 1747.49.",
    N26, "couple", [app(A30), app(A19)], children=[CH7], hand=dict(norm_cents=174749))
add("norm_2026_single_18_20_parents_cannot_support",
    "§1 art. 20.3/20.4: single 19 who cannot rely on parents: 345.99 + 746.45 = 1092.44, below the cap 21a "
    "1401.50, so 1092.44.",
    N26, "single", [app(A19)], pcs=True, hand=dict(norm_cents=109244))
add("norm_2026_couple_both_18_20_pcs_capped",
    "§1 art. 20.3/20.4: couple 19 and 20, no children, supplement for each young partner: 691.98 + 2 x 746.45 "
    "= 2184.88, capped at 21b 2002.13.",
    N26, "couple", [app(A19), app(A20)], pcs=True, hand=dict(norm_cents=200213))
add("norm_2026_couple_both_18_20_children_pcs_capped",
    "§1 art. 20.3/20.4: couple 19 and 20 with a child: 1092.41 + 2 x 746.45 = 2585.31, capped at 21b 2002.13.",
    N26, "couple", [app(A19), app(A20)], children=[CH7], pcs=True, hand=dict(norm_cents=200213))
add("norm_2026_couple_18_20_and_21plus_pcs_capped",
    "§1 art. 20.3/20.4: couple 19 and 30, no children, one supplement (only the 19-year-old is 18-20): "
    "1347.06 + 746.45 = 2093.51, capped at 21b 2002.13.",
    N26, "couple", [app(A19), app(A30)], pcs=True, hand=dict(norm_cents=200213))
add("norm_2026_couple_18_20_and_21plus_children_pcs_capped",
    "§1 art. 20.3/20.4: couple 19 and 30 with a child: 1747.49 + 746.45 = 2493.94, capped at 21b 2002.13.",
    N26, "couple", [app(A19), app(A30)], children=[CH7], pcs=True, hand=dict(norm_cents=200213))
add("norm_2026_parents_cannot_support_ignored_21plus",
    "§1 art. 20.3 is a supplement for 18-20 year olds only: a single aged 30 with the flag keeps 21a 1401.50.",
    N26, "single", [app(A30)], pcs=True, hand=dict(norm_cents=140150))
add("norm_2026_inrichting_single",
    "§1 art. 23: single aged 30 in an inrichting: 443.76 + zorgpremie supplement 47.00 = 490.76. "
    "BVV round(95% x 490.76 = 466.222) = 466.22, capacity 24.54; reserve 4.8% x 490.76 = 23.55648 -> 23.56.",
    N26, "single", [app(A30)], institution=True,
    hand=dict(norm_cents=49076, beslagvrije_voet_cents=46622, deduction_capacity_cents=2454,
              vakantietoeslag_reserve_cents=2356, payout_cents=46720))
add("norm_2026_inrichting_couple",
    "§1 art. 23: couple aged 30 and 35 in an inrichting: 690.27 + 106.00 = 796.27.",
    N26, "couple", [app(A30), app(A35)], institution=True, hand=dict(norm_cents=79627))
add("norm_2026_06_uses_2026_01_01_values",
    "§1 norms per valid_from: 2026-06 still uses the 2026-01-01 file (next indexation 1 July): 21a 1401.50.",
    "2026-06", "single", [app(A30)], hand=dict(norm_cents=140150))

# ------------------------------------------------------------------ §1 norms 2025-01-01 (period 2025-03)
N25A = "2025-03"
add("norm_2025_03_single_21a", "§1 2025-01-01 column: single 21a 1345.45. BVV round(95% x 1345.45 = "
    "1278.1775) = 1278.18, capacity 67.27.",
    N25A, "single", [app(A30)], hand=dict(norm_cents=134545, beslagvrije_voet_cents=127818,
                                           deduction_capacity_cents=6727))
add("norm_2025_03_couple_21b", "§1 2025-01-01: couple 21b 1922.07. BVV round(95% x 1922.07 = 1825.9665) = "
    "1825.97, capacity 96.10.",
    N25A, "couple", [app(A30), app(A35)], hand=dict(norm_cents=192207, beslagvrije_voet_cents=182597,
                                                     deduction_capacity_cents=9610))
add("norm_2025_03_single_aow_22a", "§1 2025-01-01: single AOW age 22a 1501.07.",
    N25A, "single", [app(AOW)], hand=dict(norm_cents=150107))
add("norm_2025_03_couple_both_aow_22b", "§1 2025-01-01: couple both AOW age 22b 2053.48.",
    N25A, "couple", [app(AOW), app("1952-11-30")], hand=dict(norm_cents=205348))
add("norm_2025_03_couple_one_aow_22c", "§1 2025-01-01: couple one AOW age, other 29: 22c 2053.48.",
    N25A, "couple", [app(AOW), app(A30)], hand=dict(norm_cents=205348))
add("norm_2025_03_single_18_20", "§1 2025-01-01: single aged 18 (born 2006-05-01): 20.1a 332.17.",
    N25A, "single", [app(A19)], hand=dict(norm_cents=33217))
add("norm_2025_03_couple_both_18_20_no_children", "§1 2025-01-01: couple 18 and 19, no children: 664.34.",
    N25A, "couple", [app(A19), app(A20)], hand=dict(norm_cents=66434))
add("norm_2025_03_couple_both_18_20_with_children", "§1 2025-01-01: couple 18 and 19 with a child: 1048.75.",
    N25A, "couple", [app(A19), app(A20)], children=[CH7], hand=dict(norm_cents=104875))
add("norm_2025_03_couple_18_20_and_21plus_no_children", "§1 2025-01-01: couple 18 and 29, no children: 1293.21.",
    N25A, "couple", [app(A19), app(A30)], hand=dict(norm_cents=129321))
add("norm_2025_03_couple_18_20_and_21plus_with_children",
    "§1 2025-01-01: couple 18 and 29 with a child: 1677.62.",
    N25A, "couple", [app(A19), app(A30)], children=[CH7], hand=dict(norm_cents=167762))
add("norm_2025_06_uses_2025_01_01_values", "§1: 2025-06 is before the 2025-07-01 indexation: 21a 1345.45.",
    "2025-06", "single", [app(A30)], hand=dict(norm_cents=134545))

# ------------------------------------------------------------------ §1 norms 2025-07-01 (period 2025-09)
N25B = "2025-09"
add("norm_2025_07_first_month_single", "§1: 2025-07 is the first month of the 2025-07-01 values: 21a 1369.06.",
    "2025-07", "single", [app(A30)], hand=dict(norm_cents=136906))
add("norm_2025_09_single_21a", "§1 2025-07-01 column: single 21a 1369.06.",
    N25B, "single", [app(A30)], hand=dict(norm_cents=136906))
add("norm_2025_09_single_parent_21a", "§1 2025-07-01: single parent 21a 1369.06.",
    N25B, "single_parent", [app(A30)], children=[CH7], hand=dict(norm_cents=136906))
add("norm_2025_09_couple_21b", "§1 2025-07-01: couple 21b 1955.80.",
    N25B, "couple", [app(A30), app(A35)], hand=dict(norm_cents=195580))
add("norm_2025_09_single_aow_22a", "§1 2025-07-01: single AOW age 22a 1530.21.",
    N25B, "single", [app(AOW)], hand=dict(norm_cents=153021))
add("norm_2025_09_couple_both_aow_22b", "§1 2025-07-01: couple both AOW age 22b 2094.98.",
    N25B, "couple", [app(AOW), app("1952-11-30")], hand=dict(norm_cents=209498))
add("norm_2025_09_couple_one_aow_22c", "§1 2025-07-01: couple one AOW age, other 30: 22c 2094.98.",
    N25B, "couple", [app(A30), app(AOW)], hand=dict(norm_cents=209498))

# ------------------------------------------------------------------ age on the first day of the month
add("age_turns_21_on_2nd_still_youth_norm",
    "§1 Age [policy]: born 2005-01-02 is 20 on 2026-01-01 (turns 21 on the 2nd), so the whole month gets "
    "20.1a 345.99.",
    N26, "single", [app("2005-01-02")], hand=dict(norm_cents=34599))
add("age_turns_21_on_1st_gets_21a",
    "§1 Age [policy]: born 2005-01-01 is 21 on 2026-01-01, so 21a 1401.50.",
    N26, "single", [app("2005-01-01")], hand=dict(norm_cents=140150))
add("aow_born_1959_01_01_in_2026_01",
    "§1 AOW age 67 in 2026: born 1959-01-01 is 67 on 2026-01-01 -> 22a 1564.69.",
    N26, "single", [app("1959-01-01")], hand=dict(norm_cents=156469))
add("aow_born_1959_03_15_in_2026_03_not_yet",
    "§1 AOW age 67: born 1959-03-15 is 66 on 2026-03-01 (turns 67 on the 15th) -> still 21a 1401.50 in March.",
    "2026-03", "single", [app("1959-03-15")], hand=dict(norm_cents=140150))
add("aow_born_1959_03_15_in_2026_04",
    "§1 AOW age 67: born 1959-03-15 is 67 on 2026-04-01 -> 22a 1564.69.",
    "2026-04", "single", [app("1959-03-15")], hand=dict(norm_cents=156469))
add("age_turns_27_on_2nd_no_n_vrijlating",
    "§2 31.2n/31.5 with age on the 1st: born 1999-01-02 is 26 on 2026-01-01 -> no n; no y, no r -> vrijlating 0. "
    "Counted 1000.00; bijstand 401.50; reserve 4.8% x 401.50 = 19.272 -> 19.27; BVV 1331.43-1000.00 = 331.43; "
    "capacity 70.07; payout 382.23.",
    N26, "single", [app("1999-01-02")], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=0, counted_income_cents=100000, bijstand_cents=40150,
              vakantietoeslag_reserve_cents=1927, beslagvrije_voet_cents=33143, deduction_capacity_cents=7007,
              payout_cents=38223))
add("age_turns_27_on_1st_n_vrijlating",
    "§2 31.2n/31.5: born 1999-01-01 is 27 on 2026-01-01 -> n applies: 25% x 1000.00 = 250.00 (same figures "
    "as the worked example, payout 620.23).",
    N26, "single", [app("1999-01-01")], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=25000, payout_cents=62023))

# ------------------------------------------------------------------ kostendelersnorm art. 22a
add("kdn_single_one_housemate_39",
    "§1 art. 22a: single 30 + one cost-sharing housemate aged 39: A=2, (40%+2x30%)/2 = 50% x 2002.13 = "
    "1001.065 -> 1001.07 (half up). BVV round(95% x 1001.07 = 951.0165) = 951.02, capacity 50.05; reserve "
    "4.8% x 1001.07 = 48.05136 -> 48.05; payout 953.02.",
    N26, "single", [app(A30)], housemates=[(HM39, True)],
    hand=dict(norm_cents=100107, beslagvrije_voet_cents=95102, deduction_capacity_cents=5005,
              vakantietoeslag_reserve_cents=4805, payout_cents=95302))
add("kdn_housemate_26_not_counted",
    "§1 art. 22a: a housemate aged 26 is not a kostendelende medebewoner (27+): plain 21a 1401.50.",
    N26, "single", [app(A30)], housemates=[(HM26, True)], hand=dict(norm_cents=140150))
add("kdn_housemate_not_cost_sharer",
    "§1 art. 22a: housemate aged 39 with cost_sharer=false (e.g. commercial renter, student): plain 21a 1401.50.",
    N26, "single", [app(A30)], housemates=[(HM39, False)], hand=dict(norm_cents=140150))
add("kdn_single_two_housemates",
    "§1 art. 22a: single + housemates 39 and 50: A=3, (40+90)/3 % x 2002.13 = 2002.13 x 13/30 = 867.58966... "
    "-> 867.59.",
    N26, "single", [app(A30)], housemates=[(HM39, True), (HM50, True)], hand=dict(norm_cents=86759))
add("kdn_single_three_housemates",
    "§1 art. 22a: single + three housemates 27+: A=4, (40+120)/4 = 40% x 2002.13 = 800.852 -> 800.85.",
    N26, "single", [app(A30)], housemates=[(HM39, True), (HM50, True), ("1980-01-01", True)],
    hand=dict(norm_cents=80085))
add("kdn_only_qualifying_housemates_count",
    "§1 art. 22a: housemates 39 (cost sharer), 26 (too young) and 50 (not a cost sharer): only one counts, "
    "A=2 -> 50% x 2002.13 = 1001.065 -> 1001.07.",
    N26, "single", [app(A30)], housemates=[(HM39, True), (HM26, True), (HM50, False)],
    hand=dict(norm_cents=100107))
add("kdn_couple_one_housemate",
    "§1 art. 22a: couple 30/35 + one housemate 39: A=3, each partner round(2002.13 x 13/30 = 867.58966) = "
    "867.59; couple gets the sum 1735.18.",
    N26, "couple", [app(A30), app(A35)], housemates=[(HM39, True)], hand=dict(norm_cents=173518))
add("kdn_single_aow_one_housemate",
    "§1 art. 22a: single at AOW age + one housemate: B = 22b 2144.16, A=2 -> 50% = 1072.08.",
    N26, "single", [app(AOW)], housemates=[(HM39, True)], hand=dict(norm_cents=107208))
add("kdn_couple_both_aow_one_housemate",
    "§1 art. 22a: couple both AOW age + one housemate: B = 22b 2144.16, A=3 -> each 2144.16 x 13/30 = "
    "929.136 -> 929.14; sum 1858.28.",
    N26, "couple", [app(AOW), app("1952-11-30")], housemates=[(HM39, True)], hand=dict(norm_cents=185828))
add("kdn_housemate_turns_27_on_1st_counts",
    "§1 art. 22a, age on the 1st: housemate born 1999-01-01 is 27 on 2026-01-01 -> counts: 1001.07.",
    N26, "single", [app(A30)], housemates=[("1999-01-01", True)], hand=dict(norm_cents=100107))
add("kdn_housemate_turns_27_on_2nd_not_yet",
    "§1 art. 22a, age on the 1st: housemate born 1999-01-02 is 26 on 2026-01-01 -> not counted: 1401.50.",
    N26, "single", [app(A30)], housemates=[("1999-01-02", True)], hand=dict(norm_cents=140150))
add("kdn_single_parent_one_housemate",
    "§1 art. 22a: single parent 30 with a child of 7 and one housemate 39: the child is not a medebewoner, A=2, "
    "B=21b -> 1001.07.",
    N26, "single_parent", [app(A30)], children=[CH7], housemates=[(HM39, True)], hand=dict(norm_cents=100107))
add("kdn_with_work_income",
    "§1 art. 22a + §2 + §3: single 30 with housemate, work 1000.00: norm 1001.07; vrijlating 250.00; counted "
    "750.00; bijstand 251.07; reserve 4.8% x 251.07 = 12.05136 -> 12.05; BVV round(951.0165)=951.02-750.00 = "
    "201.02; capacity 251.07-201.02 = 50.05; payout 239.02.",
    N26, "single", [app(A30)], housemates=[(HM39, True)], income=[(0, "work", 100000)],
    hand=dict(norm_cents=100107, bijstand_cents=25107, vakantietoeslag_reserve_cents=1205,
              beslagvrije_voet_cents=20102, deduction_capacity_cents=5005, payout_cents=23902))
add("kdn_2025_03_half_up",
    "§1 art. 22a with the 2025-01-01 B = 21b 1922.07: single + one housemate, 50% = 961.035 -> 961.04 "
    "(half up).",
    N25A, "single", [app(A30)], housemates=[(HM39, True)], hand=dict(norm_cents=96104))

# ------------------------------------------------------------------ vrijlating art. 31
add("vrij_n_capped_at_285",
    "§2 31.2n cap: net 1500.00 x 25% = 375.00 -> capped 285.00; counted 1215.00; bijstand 186.50; reserve "
    "8.952 -> 8.95; BVV 1331.43-1215.00 = 116.43; capacity 70.07; payout 177.55.",
    N26, "single", [app(A30)], income=[(0, "work", 150000)],
    hand=dict(vrijlating_cents=28500, counted_income_cents=121500, bijstand_cents=18650,
              vakantietoeslag_reserve_cents=895, beslagvrije_voet_cents=11643, deduction_capacity_cents=7007,
              payout_cents=17755))
add("vrij_n_fifth_month_used_still_applies",
    "§2 31.2n: 5 months used (< 6) -> n still applies: 25% x 1000.00 = 250.00.",
    N26, "single", [app(A30, n=5)], income=[(0, "work", 100000)], hand=dict(vrijlating_cents=25000))
add("vrij_n_used_up_none",
    "§2 31.2n: 6 months used -> no n; not medisch, not a single parent -> vrijlating 0; bijstand 401.50.",
    N26, "single", [app(A30, n=6)], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=0, bijstand_cents=40150))
add("vrij_y_medisch_age_25",
    "§2 31.2y: age 25 (n needs 27), medisch urenbeperkt: 15% x 1000.00 = 150.00; counted 850.00; bijstand "
    "551.50; reserve 26.472 -> 26.47; BVV 1331.43-850.00 = 481.43; capacity 70.07; payout 525.03.",
    N26, "single", [app(A25, med=True)], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=15000, counted_income_cents=85000, bijstand_cents=55150,
              vakantietoeslag_reserve_cents=2647, beslagvrije_voet_cents=48143, payout_cents=52503))
add("vrij_y_n_used_up_capped",
    "§2 31.2y: age 30, n used up (6), medisch: 15% x 1500.00 = 225.00 -> capped 180.19; counted 1319.81; "
    "bijstand 81.69; reserve 3.92112 -> 3.92; BVV 1331.43-1319.81 = 11.62; capacity 81.69-11.62 = 70.07; "
    "payout 77.77.",
    N26, "single", [app(A30, n=6, med=True)], income=[(0, "work", 150000)],
    hand=dict(vrijlating_cents=18019, counted_income_cents=131981, bijstand_cents=8169,
              vakantietoeslag_reserve_cents=392, beslagvrije_voet_cents=1162, deduction_capacity_cents=7007,
              payout_cents=7777))
add("vrij_n_takes_precedence_over_y",
    "§2 order: age 30, n unused, medisch: n applies first (25% = 250.00), not y (150.00).",
    N26, "single", [app(A30, med=True)], income=[(0, "work", 100000)], hand=dict(vrijlating_cents=25000))
add("vrij_r_single_parent",
    "§2 31.2r: single parent 30, child 7, n used up (6), r 0 used, not medisch: 12.5% x 1000.00 = 125.00; "
    "counted 875.00; bijstand 526.50; reserve 25.272 -> 25.27; BVV 1331.43-875.00 = 456.43; capacity 70.07; "
    "payout 501.23.",
    N26, "single_parent", [app(A30, n=6)], children=[CH7], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=12500, counted_income_cents=87500, bijstand_cents=52650,
              vakantietoeslag_reserve_cents=2527, beslagvrije_voet_cents=45643, payout_cents=50123))
add("vrij_r_capped",
    "§2 31.2r cap: 12.5% x 1500.00 = 187.50 -> capped 177.66.",
    N26, "single_parent", [app(A30, n=6)], children=[CH7], income=[(0, "work", 150000)],
    hand=dict(vrijlating_cents=17766))
add("vrij_r_29_months_used_still_applies",
    "§2 31.2r: 29 months used (< 30) -> still 12.5% x 1000.00 = 125.00.",
    N26, "single_parent", [app(A30, n=6, r=29)], children=[CH7], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=12500))
add("vrij_r_used_up_none",
    "§2 31.2r: 30 months used -> no r; n used up, not medisch -> vrijlating 0.",
    N26, "single_parent", [app(A30, n=6, r=30)], children=[CH7], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=0))
add("vrij_r_child_12_on_1st_none",
    "§2 31.2r needs a child under 12; age on the 1st: child born 2014-01-01 is 12 on 2026-01-01 -> no r, "
    "vrijlating 0.",
    N26, "single_parent", [app(A30, n=6)], children=["2014-01-01"], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=0))
add("vrij_r_child_turns_12_on_2nd_applies",
    "§2 31.2r, age on the 1st: child born 2014-01-02 is 11 on 2026-01-01 -> r applies: 125.00.",
    N26, "single_parent", [app(A30, n=6)], children=["2014-01-02"], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=12500))
add("vrij_r_one_of_two_children_under_12",
    "§2 31.2r: children 14 and 7 -> there is a child under 12 -> r: 125.00.",
    N26, "single_parent", [app(A30, n=6)], children=[CH14, CH7], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=12500))
add("vrij_r_under_27_none",
    "§2 31.2r/31.5: single parent aged 25 (n and r only from 27), not medisch -> vrijlating 0.",
    N26, "single_parent", [app(A25, n=6)], children=[CH7], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=0))
add("vrij_y_takes_precedence_over_r",
    "§2 order: single parent 30, n used up, medisch -> y (15% = 150.00) before r (125.00).",
    N26, "single_parent", [app(A30, n=6, med=True)], children=[CH7], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=15000))
add("vrij_r_not_for_couple",
    "§2 31.2r is for a single parent only: couple 30/35 with a child of 7, both n used up, applicant 0 works "
    "1000.00 -> vrijlating 0; norm 2002.13; bijstand 1002.13; reserve 48.10224 -> 48.10; BVV 1902.02-1000.00 "
    "= 902.02; capacity 100.11; payout 954.03.",
    N26, "couple", [app(A30, n=6), app(A35, n=6)], children=[CH7], income=[(0, "work", 100000)],
    hand=dict(vrijlating_cents=0, bijstand_cents=100213, vakantietoeslag_reserve_cents=4810,
              beslagvrije_voet_cents=90202, deduction_capacity_cents=10011, payout_cents=95403))
add("vrij_benefit_and_other_income_no_vrijlating",
    "§2: vrijlating only for income from work: benefit 500.00 + other 300.00 -> vrijlating 0, counted 800.00, "
    "bijstand 601.50.",
    N26, "single", [app(A30)], income=[(0, "benefit", 50000), (0, "other", 30000)],
    hand=dict(income_cents=80000, vrijlating_cents=0, counted_income_cents=80000, bijstand_cents=60150))
add("vrij_work_plus_benefit",
    "§2: work 1000.00 + benefit 200.00: n on the work part only, 250.00; counted 950.00; bijstand 451.50; "
    "reserve 21.672 -> 21.67; BVV 1331.43-950.00 = 381.43; payout 429.83.",
    N26, "single", [app(A30)], income=[(0, "work", 100000), (0, "benefit", 20000)],
    hand=dict(income_cents=120000, vrijlating_cents=25000, counted_income_cents=95000, bijstand_cents=45150,
              vakantietoeslag_reserve_cents=2167, beslagvrije_voet_cents=38143, payout_cents=42983))
add("vrij_couple_each_partner_own_vrijlating",
    "§2: each partner has their own counters: partner 0 (30, n 0) work 1000.00 -> n 250.00; partner 1 (28, n "
    "used up, medisch) work 800.00 -> y 15% = 120.00; vrijlating 370.00; counted 1430.00; bijstand 2002.13-"
    "1430.00 = 572.13; reserve 27.46224 -> 27.46; BVV 1902.02-1430.00 = 472.02; capacity 100.11; payout 544.67.",
    N26, "couple", [app(A30), app(A28, n=6, med=True)], income=[(0, "work", 100000), (1, "work", 80000)],
    hand=dict(vrijlating_cents=37000, counted_income_cents=143000, bijstand_cents=57213,
              vakantietoeslag_reserve_cents=2746, beslagvrije_voet_cents=47202, deduction_capacity_cents=10011,
              payout_cents=54467))
add("vrij_couple_partner_under_27",
    "§2: partner 0 (30) work 1000.00 -> n 250.00; partner 1 (25, not medisch) work 800.00 -> none; vrijlating "
    "250.00; counted 1550.00; bijstand 452.13; reserve 21.70224 -> 21.70; BVV 352.02; payout 430.43.",
    N26, "couple", [app(A30), app(A25)], income=[(0, "work", 100000), (1, "work", 80000)],
    hand=dict(vrijlating_cents=25000, counted_income_cents=155000, bijstand_cents=45213,
              vakantietoeslag_reserve_cents=2170, beslagvrije_voet_cents=35202, payout_cents=43043))
add("vrij_rounding_n_1001_01",
    "§2 rounding: 25% x 1001.01 = 250.2525 -> 250.25; counted 750.76; bijstand 650.74; reserve 4.8% x 650.74 = "
    "31.23552 -> 31.24; BVV 1331.43-750.76 = 580.67; payout 619.50.",
    N26, "single", [app(A30)], income=[(0, "work", 100101)],
    hand=dict(vrijlating_cents=25025, counted_income_cents=75076, bijstand_cents=65074,
              vakantietoeslag_reserve_cents=3124, beslagvrije_voet_cents=58067, payout_cents=61950))
add("vrij_rounding_n_half_up",
    "§2 rounding half up: 25% x 1000.02 = 250.005 -> 250.01.",
    N26, "single", [app(A30)], income=[(0, "work", 100002)], hand=dict(vrijlating_cents=25001))
add("vrij_rounding_r_half_up",
    "§2 rounding half up: r 12.5% x 1000.04 = 125.005 -> 125.01.",
    N26, "single_parent", [app(A30, n=6)], children=[CH7], income=[(0, "work", 100004)],
    hand=dict(vrijlating_cents=12501))
add("vrij_rounding_y_half_up",
    "§2 rounding half up: y 15% x 1000.10 = 150.015 -> 150.02.",
    N26, "single", [app(A25, med=True)], income=[(0, "work", 100010)], hand=dict(vrijlating_cents=15002))
add("vrij_two_payslips_summed_per_applicant",
    "§2 (interpretation: the percentage applies to the applicant's net earnings of the month, i.e. the sum): "
    "work 100.01 + 100.01 = 200.02; 25% = 50.005 -> 50.01 (rounding each line would give 25.00+25.00 = 50.00).",
    N26, "single", [app(A30)], income=[(0, "work", 10001), (0, "work", 10001)],
    hand=dict(income_cents=20002, vrijlating_cents=5001))

# ------------------------------------------------------------------ income above the norm
add("income_above_norm_nothing_paid",
    "§2 art. 19.2: work 2500.00, vrijlating capped 285.00, counted 2215.00 > norm 1401.50 -> bijstand 0, reserve "
    "0, BVV max(0, 1331.43-2215.00) = 0, capacity 0, payout 0; deductions get nothing (shortfall = requested).",
    N26, "single", [app(A30)], income=[(0, "work", 250000)],
    deductions=[("zk", "on_behalf", 15000, 1), ("terug", "verrekening", 5000, 1)],
    hand=dict(vrijlating_cents=28500, counted_income_cents=221500, bijstand_cents=0,
              vakantietoeslag_reserve_cents=0, beslagvrije_voet_cents=0, deduction_capacity_cents=0,
              payout_cents=0))
add("income_between_95_and_100_percent",
    "§3: benefit 1350.00 (no vrijlating): bijstand 51.50; reserve 2.472 -> 2.47; BVV max(0, 1331.43-1350.00) "
    "= 0; capacity 51.50; cash 49.03; verrekening 100.00 -> min(100.00, 51.50, 49.03) = 49.03, shortfall 50.97; "
    "payout 0.",
    N26, "single", [app(A30)], income=[(0, "benefit", 135000)], deductions=[("terug", "verrekening", 10000, 1)],
    hand=dict(bijstand_cents=5150, vakantietoeslag_reserve_cents=247, beslagvrije_voet_cents=0,
              deduction_capacity_cents=5150, payout_cents=0))

# ------------------------------------------------------------------ deductions §3 (worked example: cash 620.23, capacity 70.07)
WE = dict(period=N26, kind="single", apps=[app(A30)], income=[(0, "work", 100000)])


def add_we(name, why, deductions, min_cash=0, hand=None):
    add(name, why, WE["period"], WE["kind"], WE["apps"], income=WE["income"], deductions=deductions,
        min_cash=min_cash, hand=hand)


add_we("ded_on_behalf_larger_than_cash",
       "§3 step 1: worked example, cash 620.23; on_behalf rent 700.00 -> min(700.00, 620.23) = 620.23, shortfall "
       "79.77; payout 0.",
       [("huur", "on_behalf", 70000, 1)], hand=dict(payout_cents=0))
add_we("ded_min_cash_limits_on_behalf",
       "§3 step 1: cash 620.23, minimum cash payout 500.00: on_behalf 200.00 -> min(200.00, 620.23-500.00 = "
       "120.23) = 120.23, shortfall 79.77; payout 500.00.",
       [("huur", "on_behalf", 20000, 1)], min_cash=50000, hand=dict(payout_cents=50000))
add_we("ded_min_cash_above_cash",
       "§3: minimum cash payout 700.00 > cash 620.23: cash - minimum < 0 -> every deduction 0 (not below 0), "
       "payout 620.23.",
       [("zk", "on_behalf", 1000, 1), ("terug", "verrekening", 1000, 1)], min_cash=70000,
       hand=dict(payout_cents=62023))
add_we("ded_on_behalf_priorities_out_of_order",
       "§3 step 1 by ascending priority: zk (prio 1) 150.00 first -> cash 470.23; huur (prio 2) 600.00 -> 470.23, "
       "shortfall 129.77; payout 0. Output in input order.",
       [("huur", "on_behalf", 60000, 2), ("zk", "on_behalf", 15000, 1)], hand=dict(payout_cents=0))
add_we("ded_on_behalf_ties_in_input_order",
       "§3 step 1, ties in the order given: a and b both prio 1, 400.00 each: a 400.00, b min(400.00, 220.23) = "
       "220.23, shortfall 179.77.",
       [("a", "on_behalf", 40000, 1), ("b", "on_behalf", 40000, 1)], hand=dict(payout_cents=0))
add_we("ded_capacity_limits_verrekening_beslag_zero",
       "§3 step 2: capacity 70.07: verrekening 100.00 -> 70.07 (shortfall 29.93); beslag 50.00 -> 0 (shortfall "
       "50.00); payout 620.23-70.07 = 550.16.",
       [("terug", "verrekening", 10000, 1), ("cak", "beslag", 5000, 1)], hand=dict(payout_cents=55016))
add_we("ded_beslag_listed_before_verrekening",
       "§3 step 2 kind order: beslag (prio 1) listed first, verrekening (prio 9) second; verrekening still goes "
       "first: 50.00 -> capacity 20.07; beslag min(50.00, 20.07) = 20.07, shortfall 29.93; payout 550.16.",
       [("deurwaarder", "beslag", 5000, 1), ("terug", "verrekening", 5000, 9)], hand=dict(payout_cents=55016))
add_we("ded_same_kind_priority_order",
       "§3 step 2: two verrekeningen, v_a prio 2 (30.00) listed before v_b prio 1 (50.00): v_b 50.00 first, "
       "capacity 20.07 left, v_a 20.07 (shortfall 9.93); payout 550.16.",
       [("v_a", "verrekening", 3000, 2), ("v_b", "verrekening", 5000, 1)], hand=dict(payout_cents=55016))
add_we("ded_all_kinds_in_policy_order",
       "§3: cash 620.23, capacity 70.07. on_behalf zk 150.00 (p1), huur 300.00 (p2) -> cash 170.23; verrekening "
       "v2 10.00 (p1), v 15.00 (p2) -> capacity 45.07; beslag b 20.00 -> 25.07; aflossing a 30.00 -> 25.07 "
       "(shortfall 4.93); payout 170.23-10.00-15.00-20.00-25.07 = 100.16.",
       [("a", "aflossing", 3000, 1), ("b", "beslag", 2000, 1), ("v", "verrekening", 1500, 2),
        ("huur", "on_behalf", 30000, 2), ("v2", "verrekening", 1000, 1), ("zk", "on_behalf", 15000, 1)],
       hand=dict(payout_cents=10016))
add_we("ded_min_cash_limits_capacity_kinds",
       "§3 step 2: minimum cash 50.00; on_behalf 550.00 -> min(550.00, 620.23-50.00) = 550.00, cash 70.23; "
       "verrekening 70.07 -> min(70.07, 70.07, 70.23-50.00 = 20.23) = 20.23, shortfall 49.84; payout 50.00.",
       [("huur", "on_behalf", 55000, 1), ("terug", "verrekening", 7007, 1)], min_cash=5000,
       hand=dict(payout_cents=5000))
add("ded_capacity_from_counted_income",
    "§3: single 30 with benefit 1000.00 (no vrijlating): bijstand 401.50, reserve 19.27, cash 382.23; BVV = "
    "1331.43-1000.00 = 331.43, capacity 401.50-331.43 = 70.07; aflossing 80.00 -> 70.07 (shortfall 7.93); "
    "on_behalf 50.00 does not use capacity -> 50.00; payout 382.23-50.00-70.07 = 262.16.",
    N26, "single", [app(A30)], income=[(0, "benefit", 100000)],
    deductions=[("wgs", "aflossing", 8000, 1), ("water", "on_behalf", 5000, 3)],
    hand=dict(beslagvrije_voet_cents=33143, deduction_capacity_cents=7007, payout_cents=26216))
add("ded_couple_capacity_100_11",
    "§3: couple no income: cash 2002.13-96.10 = 1906.03, capacity 100.11; beslag 120.00 -> 100.11 (shortfall "
    "19.89); payout 1805.92.",
    N26, "couple", [app(A30), app(A35)], deductions=[("cak", "beslag", 12000, 1)],
    hand=dict(deduction_capacity_cents=10011, payout_cents=180592))

# ------------------------------------------------------------------ invalid input
def base(**kw):
    inp = {"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": A30}]},
           "income": [{"applicant": 0, "source": "work", "net_cents": 100000}]}
    inp.update(kw)
    return inp


bad("err_period_before_first_law_file",
    "§1: the first law file is 2025-01-01; 2024-12 has no norms -> error naming period.",
    base(period="2024-12"), "period")
bad("err_period_month_13", "period must be a real YYYY-MM month: 2026-13 -> error naming period.",
    base(period="2026-13"), "period")
bad("err_kind_married", "household.kind must be single, single_parent or couple; \"married\" -> error.",
    base(household={"kind": "married", "applicants": [{"birth_date": A30}, {"birth_date": A35}]}),
    "household.kind")
bad("err_couple_one_applicant", "a couple needs exactly two applicants.",
    base(household={"kind": "couple", "applicants": [{"birth_date": A30}]}), "household.applicants")
bad("err_single_two_applicants", "a single has exactly one applicant.",
    base(household={"kind": "single", "applicants": [{"birth_date": A30}, {"birth_date": A35}]}),
    "household.applicants")
bad("err_single_parent_two_applicants", "a single parent has exactly one applicant.",
    base(household={"kind": "single_parent", "applicants": [{"birth_date": A30}, {"birth_date": A35}]},
         ), "household.applicants")
bad("err_income_applicant_out_of_range", "income for applicant 1 of a single (only applicant 0 exists).",
    base(income=[{"applicant": 1, "source": "work", "net_cents": 100000}]), "income[0].applicant")
bad("err_income_negative", "net_cents must not be negative.",
    base(income=[{"applicant": 0, "source": "work", "net_cents": -1}]), "income[0].net_cents")
bad("err_income_unknown_source", "source must be work, benefit or other; \"gift\" -> error.",
    base(income=[{"applicant": 0, "source": "gift", "net_cents": 100000}]), "income[0].source")
bad("err_deduction_negative_amount", "amount_cents must not be negative.",
    base(deductions=[{"id": "zk", "kind": "on_behalf", "amount_cents": -500, "priority": 1}]),
    "deductions[0].amount_cents")
bad("err_deduction_unknown_kind", "deduction kind must be on_behalf, verrekening, beslag or aflossing; the "
    "second deduction has kind \"boete\".",
    base(deductions=[{"id": "zk", "kind": "on_behalf", "amount_cents": 500, "priority": 1},
                     {"id": "x", "kind": "boete", "amount_cents": 500, "priority": 1}]),
    "deductions[1].kind")
bad("err_birth_date_not_a_date", "birth_date 1990-02-30 is not a calendar date.",
    base(household={"kind": "single", "applicants": [{"birth_date": "1990-02-30"}]}),
    "household.applicants[0].birth_date")
bad("err_min_cash_negative", "min_cash_payout_cents must not be negative.",
    base(min_cash_payout_cents=-100), "min_cash_payout_cents")
bad_raw("err_malformed_json", "malformed JSON on stdin -> non-zero exit.", "{\"period\": ")


# ------------------------------------------------------------------ writer
def write_all(outdir, calc, InputError):
    os.makedirs(outdir, exist_ok=True)
    names = set()
    for c in CASES:
        assert c["name"] not in names, c["name"]
        names.add(c["name"])
        out = {"name": c["name"], "why": c["why"]}
        if "input_raw" in c:
            try:
                json.loads(c["input_raw"])
                raise AssertionError("raw input parses: " + c["name"])
            except json.JSONDecodeError:
                pass
            out["input_raw"] = c["input_raw"]
            out["want_error_field"] = ""
        elif "want_error_field" in c:
            try:
                calc(c["input"])
                raise AssertionError("reference accepted invalid case " + c["name"])
            except InputError as e:
                assert e.field == c["want_error_field"], (c["name"], e.field)
            out["input"] = c["input"]
            out["want_error_field"] = c["want_error_field"]
        else:
            want = calc(c["input"])
            for k, v in c["hand"].items():
                assert want[k] == v, (c["name"], k, want[k], v)
            out["input"] = c["input"]
            out["want"] = want
        with open(os.path.join(outdir, c["name"] + ".json"), "w") as f:
            json.dump(out, f, indent=2, ensure_ascii=False)
            f.write("\n")
    print(f"wrote {len(CASES)} cases to {os.path.normpath(outdir)}")
