package bijstand

import (
	"fmt"
	"strings"

	"github.com/plein-nl/plein/platform/money"
)

// StepCode names a step of the calculation.
type StepCode string

// The steps, in the order they can appear in a trace.
const (
	StepAge             StepCode = "age"
	StepNormInstitution StepCode = "norm_institution"
	StepInstitutionZorg StepCode = "norm_institution_zorg"
	StepKostendelers    StepCode = "kostendelers"
	StepNormPart        StepCode = "norm_part"
	StepNormPartYouth   StepCode = "norm_part_youth"
	StepNormBase        StepCode = "norm_base"
	StepYouthSupplement StepCode = "youth_supplement"
	StepYouthCap        StepCode = "youth_cap"
	StepNorm            StepCode = "norm"
	StepIncome          StepCode = "income"
	StepVrijlating      StepCode = "vrijlating"
	StepVrijlatingNone  StepCode = "vrijlating_none"
	StepCountedIncome   StepCode = "counted_income"
	StepBijstand        StepCode = "bijstand"
	StepReserve         StepCode = "vakantietoeslag_reserve"
	StepBeslagvrijeVoet StepCode = "beslagvrije_voet"
	StepCapacity        StepCode = "deduction_capacity"
	StepDeduction       StepCode = "deduction"
	StepPayout          StepCode = "payout"
)

// Rule returns the step's rule in a few English words, for the API and logs.
func (s Step) Rule() string {
	switch s.Code {
	case StepAge:
		return "age on the first day of the month"
	case StepNormInstitution, StepInstitutionZorg:
		return "norm in an institution"
	case StepKostendelers, StepNormPart, StepNormPartYouth:
		return "kostendelersnorm"
	case StepNormBase:
		return "bijstandsnorm"
	case StepYouthSupplement, StepYouthCap:
		return "supplement for 18 to 20 year olds"
	case StepNorm:
		return "norm"
	case StepIncome:
		return "net income"
	case StepVrijlating, StepVrijlatingNone:
		return "inkomstenvrijlating"
	case StepCountedIncome:
		return "counted income"
	case StepBijstand:
		return "bijstand"
	case StepReserve:
		return "vakantietoeslag reserve"
	case StepBeslagvrijeVoet:
		return "beslagvrije voet"
	case StepCapacity:
		return "room for deductions"
	case StepDeduction:
		return "deduction"
	case StepPayout:
		return "payout"
	}
	return string(s.Code)
}

func eur(c money.Cents, lang string) string {
	if lang == "en" {
		return c.FormatEN()
	}
	return c.String()
}

// percent renders Args[2]-style basis points (10000 = 100 %).
func percent(bp int64, lang string) string {
	whole, frac := bp/100, bp%100
	sep := ","
	if lang == "en" {
		sep = "."
	}
	switch {
	case frac == 0:
		return fmt.Sprintf("%d %%", whole)
	case frac%10 == 0:
		return fmt.Sprintf("%d%s%d %%", whole, sep, frac/10)
	}
	return fmt.Sprintf("%d%s%02d %%", whole, sep, frac)
}

var (
	vrijlatingNL = [...]string{"", "u net aan het werk gaat", "u kunt door uw gezondheid minder uren werken", "u bent alleenstaande ouder met een kind onder de 12"}
	vrijlatingEN = [...]string{"", "you have just started work", "your health limits your working hours", "you are a single parent with a child under 12"}
	deductNL     = [...]string{"betaald voor u", "terugbetaling aan de gemeente", "beslag", "aflossing van schulden"}
	deductEN     = [...]string{"paid for you", "repayment to the municipality", "garnishment", "debt repayment"}
	normNL       = [...]string{"alleenstaande of alleenstaande ouder", "gehuwden of samenwonenden", "alleenstaande met AOW-leeftijd",
		"gehuwden met AOW-leeftijd", "jongere van 18 tot 21 jaar", "gehuwden, allebei 18 tot 21 jaar", "gehuwden, allebei 18 tot 21 jaar, met kinderen",
		"gehuwden, één van 18 tot 21 jaar", "gehuwden, één van 18 tot 21 jaar, met kinderen"}
	normEN = [...]string{"single person or single parent", "married or cohabiting couple", "single person at state pension age",
		"couple at state pension age", "young person aged 18 to 20", "couple, both aged 18 to 20", "couple, both aged 18 to 20, with children",
		"couple, one aged 18 to 20", "couple, one aged 18 to 20, with children"}
)

// sentences holds the steps whose sentence quotes nothing but the step's amount, at
// {a}: the Dutch text, then the English.
var sentences = map[StepCode][2]string{
	StepNormInstitution: {"U woont in een instelling. De norm daarvoor is {a}.", "You live in an institution. The norm for that is {a}."},
	StepInstitutionZorg: {"Daar komt {a} bij voor uw zorgpremie.", "On top of that you get {a} for your health insurance premium."},
	StepNormPart:        {"Uw deel van de norm is {a}.", "Your part of the norm is {a}."},
	StepNormPartYouth:   {"U bent jonger dan 21. Uw deel van de norm blijft {a}.", "You are younger than 21. Your part of the norm stays {a}."},
	StepYouthSupplement: {"U kunt niet rekenen op hulp van uw ouders. U krijgt {a} extra.", "You cannot rely on your parents. You get {a} extra."},
	StepYouthCap:        {"Dat is nooit meer dan de norm voor volwassenen: {a}.", "It can never be more than the norm for adults: {a}."},
	StepNorm:            {"Uw norm deze maand is {a}. Daar zit vakantiegeld in.", "Your norm this month is {a}. This includes holiday allowance."},
	StepIncome:          {"Uw netto inkomen deze maand is {a}.", "Your net income this month is {a}."},
	StepVrijlatingNone:  {"Deze maand mag u niets van uw loon extra houden.", "None of your earnings can be kept aside this month."},
	StepCountedIncome:   {"Wij tellen {a} van uw inkomen mee.", "We count {a} of your income."},
	StepBijstand:        {"Uw bijstand is de norm min het inkomen dat wij meetellen: {a}.", "Your bijstand is the norm minus the income we count: {a}."},
	StepReserve: {"Wij zetten {a} apart voor uw vakantiegeld (4,8 %). U krijgt dat één keer per jaar.",
		"We put {a} aside for your holiday allowance (4.8 %). You get it once a year."},
	StepBeslagvrijeVoet: {"Dit deel is altijd voor u. Daar mag niets vanaf (beslagvrije voet): {a}.",
		"This part is always yours and protected from deductions (beslagvrije voet): {a}."},
	StepCapacity: {"Er mag hoogstens {a} naar terugbetalingen en beslag.", "At most {a} can go to repayments and garnishments."},
	StepPayout:   {"U krijgt {a} op uw rekening.", "You get {a} in your bank account."},
}

// pick returns the English text when en, else the Dutch.
func pick(en bool, nl, english string) string {
	if en {
		return english
	}
	return nl
}

// label returns the k-th of the Dutch or English labels, or the first when k is out of
// range (a step of a newer engine).
func label(en bool, nl, english []string, k int64) string {
	if k < 0 || int(k) >= len(nl) {
		k = 0
	}
	return pick(en, nl[k], english[k])
}

// Text explains the step in plain language: Dutch at B1 level ("nl") or English
// ("en"). Sentences are short; amounts are written as € 1.401,50 (Dutch) or €1,401.50.
func (s Step) Text(lang string) string {
	en := lang == "en"
	a := eur(s.Amount, lang)
	if t, ok := sentences[s.Code]; ok {
		return strings.ReplaceAll(pick(en, t[0], t[1]), "{a}", a)
	}
	switch s.Code {
	case StepAge:
		who := pick(en, "U bent", "You are")
		if s.Args[0] == 1 {
			who = pick(en, "Uw partner is", "Your partner is")
		}
		t := fmt.Sprintf(pick(en, "%s %d jaar op de eerste dag van de maand.", "%s %d on the first day of the month."), who, s.Args[1])
		if s.Args[2] == 1 {
			t += pick(en, " Dat is de AOW-leeftijd.", " That is state pension (AOW) age.")
		}
		return t
	case StepKostendelers:
		return fmt.Sprintf(pick(en,
			"Bij u wonen %d andere volwassene(n) van 27 jaar of ouder die kosten kunnen delen. U deelt de kosten van het huis met %d mensen. Dan is de norm lager (kostendelersnorm).",
			"%d other adult(s) aged 27 or older live with you and can share costs. You share the costs of the home with %d people. The norm is then lower (kostendelersnorm)."),
			s.Args[0], s.Args[1])
	case StepNormBase:
		return fmt.Sprintf(pick(en, "De norm voor %s is %s.", "The norm for a %s is %s."), label(en, normNL[:], normEN[:], s.Args[0]), a)
	case StepVrijlating:
		return fmt.Sprintf(pick(en, "Omdat %s, mag u %s van uw loon houden, maximaal %s: %s.", "Because %s, you may keep %s of your earnings, at most %s: %s."),
			label(en, vrijlatingNL[:], vrijlatingEN[:], s.Args[1]), percent(s.Args[2], lang), eur(money.Cents(s.Args[3]), lang), a)
	case StepDeduction:
		t := fmt.Sprintf("%s (%s): %s.", s.Ref, label(en, deductNL[:], deductEN[:], s.Args[0]), a)
		if short := money.Cents(s.Args[2]); short > 0 {
			t += fmt.Sprintf(pick(en, " %s kon niet worden betaald. Wij laten u weten wat er nu gebeurt.",
				" %s could not be paid. We will tell you what happens now."), eur(short, lang))
		}
		return t
	}
	return s.Rule()
}
