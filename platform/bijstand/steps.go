package bijstand

import (
	"fmt"

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

// Text explains the step in plain language: Dutch at B1 level ("nl") or English
// ("en"). Sentences are short; amounts are written as € 1.401,50 (Dutch) or €1,401.50.
func (s Step) Text(lang string) string {
	en := lang == "en"
	a := eur(s.Amount, lang)
	switch s.Code {
	case StepAge:
		who := "U bent"
		whoEN := "You are"
		if s.Args[0] == 1 {
			who, whoEN = "Uw partner is", "Your partner is"
		}
		if s.Args[2] == 1 {
			if en {
				return fmt.Sprintf("%s %d on the first day of the month. That is state pension (AOW) age.", whoEN, s.Args[1])
			}
			return fmt.Sprintf("%s %d jaar op de eerste dag van de maand. Dat is de AOW-leeftijd.", who, s.Args[1])
		}
		if en {
			return fmt.Sprintf("%s %d on the first day of the month.", whoEN, s.Args[1])
		}
		return fmt.Sprintf("%s %d jaar op de eerste dag van de maand.", who, s.Args[1])
	case StepNormInstitution:
		if en {
			return "You live in an institution. The norm for that is " + a + "."
		}
		return "U woont in een instelling. De norm daarvoor is " + a + "."
	case StepInstitutionZorg:
		if en {
			return "On top of that you get " + a + " for your health insurance premium."
		}
		return "Daar komt " + a + " bij voor uw zorgpremie."
	case StepKostendelers:
		if en {
			return fmt.Sprintf("%d other adult(s) aged 27 or older live with you and can share costs. You share the costs of the home with %d people. The norm is then lower (kostendelersnorm).", s.Args[0], s.Args[1])
		}
		return fmt.Sprintf("Bij u wonen %d andere volwassene(n) van 27 jaar of ouder die kosten kunnen delen. U deelt de kosten van het huis met %d mensen. Dan is de norm lager (kostendelersnorm).", s.Args[0], s.Args[1])
	case StepNormPart:
		if en {
			return "Your part of the norm is " + a + "."
		}
		return "Uw deel van de norm is " + a + "."
	case StepNormPartYouth:
		if en {
			return "You are younger than 21. Your part of the norm stays " + a + "."
		}
		return "U bent jonger dan 21. Uw deel van de norm blijft " + a + "."
	case StepNormBase:
		k := s.Args[0]
		if k < 0 || int(k) >= len(normNL) {
			k = 0
		}
		if en {
			return "The norm for a " + normEN[k] + " is " + a + "."
		}
		return "De norm voor " + normNL[k] + " is " + a + "."
	case StepYouthSupplement:
		if en {
			return "You cannot rely on your parents. You get " + a + " extra."
		}
		return "U kunt niet rekenen op hulp van uw ouders. U krijgt " + a + " extra."
	case StepYouthCap:
		if en {
			return "It can never be more than the norm for adults: " + a + "."
		}
		return "Dat is nooit meer dan de norm voor volwassenen: " + a + "."
	case StepNorm:
		if en {
			return "Your norm this month is " + a + ". This includes holiday allowance."
		}
		return "Uw norm deze maand is " + a + ". Daar zit vakantiegeld in."
	case StepIncome:
		if en {
			return "Your net income this month is " + a + "."
		}
		return "Uw netto inkomen deze maand is " + a + "."
	case StepVrijlating:
		k := s.Args[1]
		if k < 0 || int(k) >= len(vrijlatingNL) {
			k = 0
		}
		max := eur(money.Cents(s.Args[3]), lang)
		if en {
			return fmt.Sprintf("Because %s, you may keep %s of your earnings, at most %s: %s.", vrijlatingEN[k], percent(s.Args[2], lang), max, a)
		}
		return fmt.Sprintf("Omdat %s, mag u %s van uw loon houden, maximaal %s: %s.", vrijlatingNL[k], percent(s.Args[2], lang), max, a)
	case StepVrijlatingNone:
		if en {
			return "None of your earnings can be kept aside this month."
		}
		return "Deze maand mag u niets van uw loon extra houden."
	case StepCountedIncome:
		if en {
			return "We count " + a + " of your income."
		}
		return "Wij tellen " + a + " van uw inkomen mee."
	case StepBijstand:
		if en {
			return "Your bijstand is the norm minus the income we count: " + a + "."
		}
		return "Uw bijstand is de norm min het inkomen dat wij meetellen: " + a + "."
	case StepReserve:
		if en {
			return fmt.Sprintf("We put %s aside for your holiday allowance (4.8 %%). You get it once a year.", a)
		}
		return fmt.Sprintf("Wij zetten %s apart voor uw vakantiegeld (4,8 %%). U krijgt dat één keer per jaar.", a)
	case StepBeslagvrijeVoet:
		if en {
			return "This part is always yours and protected from deductions (beslagvrije voet): " + a + "."
		}
		return "Dit deel is altijd voor u. Daar mag niets vanaf (beslagvrije voet): " + a + "."
	case StepCapacity:
		if en {
			return "At most " + a + " can go to repayments and garnishments."
		}
		return "Er mag hoogstens " + a + " naar terugbetalingen en beslag."
	case StepDeduction:
		k := s.Args[0]
		if k < 0 || int(k) >= len(deductNL) {
			k = 0
		}
		short := money.Cents(s.Args[2])
		if en {
			t := fmt.Sprintf("%s (%s): %s.", s.Ref, deductEN[k], a)
			if short > 0 {
				t += fmt.Sprintf(" %s could not be paid. We will tell you what happens now.", eur(short, lang))
			}
			return t
		}
		t := fmt.Sprintf("%s (%s): %s.", s.Ref, deductNL[k], a)
		if short > 0 {
			t += fmt.Sprintf(" %s kon niet worden betaald. Wij laten u weten wat er nu gebeurt.", eur(short, lang))
		}
		return t
	case StepPayout:
		if en {
			return "You get " + a + " in your bank account."
		}
		return "U krijgt " + a + " op uw rekening."
	}
	return s.Rule()
}
