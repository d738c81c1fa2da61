package portal

// texts is every sentence of the portal's pages in one language. Dutch is written at
// B1 level: short sentences, no jargon, "u".
type texts struct {
	Skip, Suspended, LogoOf, LangNav, Footer               string
	Offboarding                                            string
	HomeTitle, Welcome, Intro, LoggedInAs, Login, FindHere string
	HelpTitle, Help, ToMonth                               string
	Items                                                  []item

	Nav     navTexts
	Month   monthTexts
	Payslip payslipTexts
	WhatIf  whatIfTexts
	Consent consentTexts
	Pay     paymentTexts
	Debts   debtTexts
	Cal     calendarTexts
	Short   shortfallTexts
	Fail    failTexts
	Form    formTexts
	Months  [12]string
}

type item struct{ Title, Text string }

// navTexts label the menu of a logged-in resident.
type navTexts struct {
	Label, Month, Payslip, WhatIf, Consent, Logout string
	Payments, Debts, Calendar                      string
}

// monthTexts are the sentences of "Deze maand".
type monthTexts struct {
	Title, HeadingPrefix, YouGet, On, DateUnknown, Received                 string
	ReceivedReview                                                          string
	TableCaption, ColWhat, ColAmount, ColWhy                                string
	Norm, Income, Vrijlating, Counted, Bijstand, Reserve, Protected, Payout string
	OnBehalf, Deduction                                                     string
	NormWords, ReserveWords, KostendelersWords, NoWork                      string
	Payslips, NoPayslips, HandIn, PayslipCaption                            string
	ColEmployer, ColPeriod, ColPaid, ColNet, ColHours                       string
	MonthNav, Prev, Next, OutOfRange                                        string
}

// payslipTexts are the sentences of "Loonstrook doorgeven".
type payslipTexts struct {
	Title, Intro, Employer, Period, PeriodStart, PeriodEnd, DateHint string
	Gross, GrossHint, Net, NetHint, Hours, HoursHint, PayDate        string
	PayDateHint, PDF, PDFHint, Submit                                string
}

// whatIfTexts are the sentences of "Wat als ik ga werken?".
type whatIfTexts struct {
	Title, Intro, Job, Hours, HoursHint, Wage, WageHint, Net, NetHint, Submit string
	Result, Now, IfWork, ColWhat, Caption, Wage2, Keep, Bijstand, Reserve     string
	OnBehalf, Payout, Total, More, Less, Same, Estimate, HowTitle             string
}

// consentTexts are the sentences of "Toestemming werkgever".
type consentTexts struct {
	Title, Intro, Intro2, Caption, ColEmployer, ColState, ColAction  string
	Given, NotGiven, Grant, Revoke, To, From, None, Granted, Revoked string
}

// failTexts are the error pages.
type failTexts struct {
	Title, Generic, NotFound, Unavailable, Forbidden, Expired, ReadOnly, BadChoice string
	NotYours, NotStoppable, NoPlan                                                 string
}

// formTexts are shared by every form with errors.
type formTexts struct {
	ErrorTitle, ErrorPrefix, Optional string
}

// monthNames are the months in lower case (Dutch writes them so).
var monthNamesNL = [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
var monthNamesEN = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

func textsFor(lang, gemeente string) texts {
	if lang == "en" {
		return texts{
			Skip:      "Skip to content",
			Suspended: "This portal is read-only for now. You can look at your details, but you cannot change anything. Payments are on hold.",
			Offboarding: "Your municipality is leaving this portal. You can still look at your details, but you cannot change anything. " +
				"Your municipality has all your details and will tell you where to go next.",
			LogoOf:     "Logo of",
			LangNav:    "Language",
			Footer:     "Plein is run for " + gemeente + " by the coöperatie of municipalities.",
			HomeTitle:  "Home",
			Welcome:    "Welcome to",
			Intro:      "Do you receive social assistance (bijstand) and do you work, or are you about to start work? Here you can see what you get each month, and why.",
			LoggedInAs: "You are logged in as",
			Login:      "Log in",
			ToMonth:    "See what you get this month",
			FindHere:   "What you will find here",
			Items: []item{
				{"Your money this month", "How much you get, on which date, and how we worked it out."},
				{"Hand in your payslip", "Send us your payslip. You will see at once what it means for you."},
				{"Fixed costs paid for you", "We can pay your health insurance, rent or energy for you. You choose, and you can stop at any time."},
				{"Your debts", "See your debts and what is being arranged. We help you early."},
				{"Extra support", "Schemes for people with a low income. We tell you what you can get."},
			},
			HelpTitle: "Questions?",
			Help:      "Call or visit " + gemeente + ". Your consulent is happy to help you.",
			Nav: navTexts{Label: "Menu", Month: "This month", Payslip: "Hand in a payslip", WhatIf: "What if I start work?",
				Consent: "Employer consent", Logout: "Log out", Payments: "My payments", Debts: "My debts", Calendar: "Money calendar"},
			Pay:   paymentTextsEN,
			Debts: debtTextsEN,
			Cal:   calendarTextsEN,
			Short: shortfallTextsEN,
			Month: monthTexts{
				Title: "This month", HeadingPrefix: "Your money in", YouGet: "You get", On: "on", DateUnknown: "We do not know the date yet.",
				Received: "We have received your payslip. Below you see what it means for you.",
				ReceivedReview: "We have received your payslip. Your consulent entered a payslip for this employer and period before. " +
					"Your consulent will check the change first. Until then, we use the payslip your consulent entered.",
				TableCaption: "How we worked it out", ColWhat: "What", ColAmount: "Amount", ColWhy: "Why",
				Norm: "Norm", Income: "Your net income", Vrijlating: "What you may keep of your earnings", Counted: "Income we count",
				Bijstand: "Your bijstand", Reserve: "Holiday allowance put aside", Protected: "Protected part",
				Payout: "In your bank account", OnBehalf: "Paid for you", Deduction: "Kept back",
				NormWords:         "The norm is the amount you need to live on. The law sets it.",
				ReserveWords:      "Holiday allowance (vakantiegeld) is a small part of your bijstand. We keep it for you and pay it once a year.",
				KostendelersWords: "Do you share your home with other adults? Then the costs are shared. That is why the norm is lower.",
				NoWork:            "You had no wage this month. So there is nothing to keep aside.",
				Payslips:          "Payslips we counted", NoPayslips: "We have no payslip from you for this month.", HandIn: "Hand in a payslip",
				PayslipCaption: "Payslips paid in", ColEmployer: "Employer", ColPeriod: "Period", ColPaid: "Paid on", ColNet: "Net", ColHours: "Hours",
				MonthNav: "Choose a month", Prev: "Previous month", Next: "Next month",
				OutOfRange: "We cannot show that month. You see this month instead.",
			},
			Payslip: payslipTexts{
				Title: "Hand in your payslip", Intro: "Copy the figures from your payslip. You will see at once what you get this month.",
				Employer: "Name of your employer", Period: "Which period is the payslip for?", PeriodStart: "First day",
				PeriodEnd: "Last day", DateHint: "For example 31-03-2026.", Gross: "Gross wage in euros",
				GrossHint: "The amount before tax. For example 1.019,89.", Net: "Net wage in euros",
				NetHint: "The amount you get in your bank account. For example 851,20.", Hours: "Hours worked",
				HoursHint: "For example 64 or 69,5.", PayDate: "Date the wage was paid", PayDateHint: "For example 25-03-2026.",
				PDF: "Your payslip as a PDF file", PDFHint: "You may add this. At most 5 MB.", Submit: "Send payslip",
			},
			WhatIf: whatIfTexts{
				Title: "What if I start work?", Intro: "Are you going to work? Fill in the hours and the wage. We work out what you keep. We use the same rules as for your payment.",
				Job: "The job", Hours: "Hours per week", HoursHint: "For example 16.", Wage: "Gross hourly wage in euros",
				WageHint: "For example 14,71.", Net: "Net wage per month in euros", NetHint: "Only if you know it. Otherwise we estimate it.",
				Submit: "Work it out", Result: "What you get", Now: "Now", IfWork: "If you start work", ColWhat: "What",
				Caption: "Now and if you start work, per month", Wage2: "Net wage", Keep: "Of which you may keep",
				Bijstand: "Bijstand", Reserve: "Holiday allowance put aside", OnBehalf: "Paid for you",
				Payout: "In your bank account", Total: "Wage and bijstand together",
				More: "If you start work, you have this much more each month:", Less: "If you start work, you have this much less each month:",
				Same:     "If you start work, you have the same amount each month.",
				Estimate: "This is an estimate. The real amount depends on your payslip.", HowTitle: "How we worked it out",
			},
			Consent: consentTexts{
				Title: "Employer consent", Intro: "Your employer can send us your payslip. Then you do not have to do it yourself.",
				Intro2:  "Your employer may only do this with your consent. You can withdraw it at any time.",
				Caption: "Employers", ColEmployer: "Employer", ColState: "Consent", ColAction: "Change",
				Given: "Given on", NotGiven: "Not given", Grant: "Give consent", Revoke: "Withdraw consent", To: "to", From: "from",
				None:    "There are no employers yet that send payslips through Plein.",
				Granted: "Your consent is saved.", Revoked: "Your consent is withdrawn.",
			},
			Fail: failTexts{
				Title: "Something went wrong", Generic: "Something went wrong. Please try again later.",
				NotFound:     "We cannot find your details. Please contact your municipality.",
				Unavailable:  "This part of the portal is not available yet.",
				Forbidden:    "This form has expired. Go back, reload the page and try again.",
				Expired:      "You are not logged in. Please log in again.",
				ReadOnly:     "You cannot change anything now. This portal is read-only for the time being.",
				BadChoice:    "Choose an employer from the list.",
				NotYours:     "This payment is not yours. Nothing has been changed.",
				NotStoppable: "You cannot stop this payment yourself. Ask your consulent.",
				NoPlan:       "We cannot find this payment. Go back to My payments.",
			},
			Form:   formTexts{ErrorTitle: "There is a problem", ErrorPrefix: "Error", Optional: "(optional)"},
			Months: monthNamesEN,
		}
	}
	return texts{
		Skip:      "Naar de inhoud",
		Suspended: "U kunt dit portaal nu alleen bekijken. U kunt niets veranderen. Betalingen staan even stil.",
		Offboarding: "Uw gemeente stopt met dit portaal. U kunt uw gegevens nog bekijken, maar niets meer veranderen. " +
			"Uw gemeente heeft al uw gegevens en vertelt u waar u verder terechtkunt.",
		LogoOf:     "Logo van",
		LangNav:    "Taal",
		Footer:     "Plein wordt voor " + gemeente + " geregeld door de coöperatie van gemeenten.",
		HomeTitle:  "Home",
		Welcome:    "Welkom bij",
		Intro:      "Heeft u bijstand en werkt u, of gaat u werken? Hier ziet u elke maand wat u krijgt. En waarom.",
		LoggedInAs: "U bent ingelogd als",
		Login:      "Inloggen",
		ToMonth:    "Bekijk wat u deze maand krijgt",
		FindHere:   "Wat vindt u hier?",
		Items: []item{
			{"Uw geld deze maand", "Hoeveel u krijgt, op welke datum, en hoe wij dat hebben berekend."},
			{"Loonstrook doorgeven", "Stuur ons uw loonstrook. U ziet meteen wat dat voor u betekent."},
			{"Vaste lasten betalen", "Wij kunnen uw zorgverzekering, huur of energie voor u betalen. U kiest zelf. U kunt altijd stoppen."},
			{"Uw schulden", "Zie uw schulden en wat er wordt geregeld. Wij helpen u op tijd."},
			{"Extra hulp", "Regelingen voor mensen met een laag inkomen. Wij laten u zien wat u kunt krijgen."},
		},
		HelpTitle: "Vragen?",
		Help:      "Bel of bezoek " + gemeente + ". Uw consulent helpt u graag.",
		Nav: navTexts{Label: "Menu", Month: "Deze maand", Payslip: "Loonstrook doorgeven", WhatIf: "Wat als ik ga werken?",
			Consent: "Toestemming werkgever", Logout: "Uitloggen", Payments: "Mijn betalingen", Debts: "Mijn schulden", Calendar: "Geldkalender"},
		Pay:   paymentTextsNL,
		Debts: debtTextsNL,
		Cal:   calendarTextsNL,
		Short: shortfallTextsNL,
		Month: monthTexts{
			Title: "Deze maand", HeadingPrefix: "Uw geld in", YouGet: "U krijgt", On: "op", DateUnknown: "De datum weten wij nog niet.",
			Received: "Wij hebben uw loonstrook ontvangen. Hieronder ziet u wat dat voor u betekent.",
			ReceivedReview: "Wij hebben uw loonstrook ontvangen. Uw consulent had voor deze werkgever en deze periode al een loonstrook ingevoerd. " +
				"Uw consulent kijkt eerst naar de wijziging. Tot dan rekenen wij met de loonstrook van uw consulent.",
			TableCaption: "Zo hebben wij het berekend", ColWhat: "Wat", ColAmount: "Bedrag", ColWhy: "Waarom",
			Norm: "Norm", Income: "Uw netto inkomen", Vrijlating: "Wat u van uw loon mag houden", Counted: "Inkomen dat wij meetellen",
			Bijstand: "Uw bijstand", Reserve: "Vakantiegeld apart gezet", Protected: "Beschermd deel",
			Payout: "Op uw rekening", OnBehalf: "Betaald voor u", Deduction: "Ingehouden",
			NormWords:         "De norm is het bedrag dat u nodig heeft om van te leven. De wet bepaalt hoe hoog het is.",
			ReserveWords:      "Vakantiegeld is een klein deel van uw bijstand. Wij sparen het voor u. U krijgt het één keer per jaar.",
			KostendelersWords: "Woont u met andere volwassenen in één huis? Dan deelt u de kosten. Daarom is de norm lager.",
			NoWork:            "U had deze maand geen loon. Dan is er niets om te houden.",
			Payslips:          "Loonstroken die meetellen", NoPayslips: "Wij hebben voor deze maand nog geen loonstrook van u.", HandIn: "Loonstrook doorgeven",
			PayslipCaption: "Loonstroken betaald in", ColEmployer: "Werkgever", ColPeriod: "Periode", ColPaid: "Betaald op", ColNet: "Netto", ColHours: "Uren",
			MonthNav: "Kies een maand", Prev: "Vorige maand", Next: "Volgende maand",
			OutOfRange: "Die maand kunnen wij niet laten zien. U ziet nu deze maand.",
		},
		Payslip: payslipTexts{
			Title: "Loonstrook doorgeven", Intro: "Neem de bedragen over van uw loonstrook. U ziet meteen wat u deze maand krijgt.",
			Employer: "Naam van uw werkgever", Period: "Over welke periode gaat de loonstrook?", PeriodStart: "Eerste dag",
			PeriodEnd: "Laatste dag", DateHint: "Bijvoorbeeld 31-03-2026.", Gross: "Brutoloon in euro",
			GrossHint: "Het bedrag vóór belasting. Bijvoorbeeld 1.019,89.", Net: "Nettoloon in euro",
			NetHint: "Het bedrag dat u op uw rekening krijgt. Bijvoorbeeld 851,20.", Hours: "Gewerkte uren",
			HoursHint: "Bijvoorbeeld 64 of 69,5.", PayDate: "Datum waarop het loon is betaald", PayDateHint: "Bijvoorbeeld 25-03-2026.",
			PDF: "Uw loonstrook als pdf-bestand", PDFHint: "Dit mag, het hoeft niet. Hoogstens 5 MB.", Submit: "Loonstrook versturen",
		},
		WhatIf: whatIfTexts{
			Title: "Wat als ik ga werken?", Intro: "Gaat u werken? Vul de uren en het loon in. Wij rekenen uit wat u overhoudt. Wij gebruiken dezelfde regels als voor uw betaling.",
			Job: "Het werk", Hours: "Uren per week", HoursHint: "Bijvoorbeeld 16.", Wage: "Brutoloon per uur in euro",
			WageHint: "Bijvoorbeeld 14,71.", Net: "Nettoloon per maand in euro", NetHint: "Alleen als u het weet. Anders schatten wij het.",
			Submit: "Bereken", Result: "Wat u krijgt", Now: "Nu", IfWork: "Als u gaat werken", ColWhat: "Wat",
			Caption: "Nu en als u gaat werken, per maand", Wage2: "Nettoloon", Keep: "Daarvan mag u houden",
			Bijstand: "Bijstand", Reserve: "Vakantiegeld apart gezet", OnBehalf: "Betaald voor u",
			Payout: "Op uw rekening", Total: "Loon en bijstand samen",
			More: "Als u gaat werken, heeft u elke maand zoveel meer:", Less: "Als u gaat werken, heeft u elke maand zoveel minder:",
			Same:     "Als u gaat werken, heeft u elke maand evenveel.",
			Estimate: "Dit is een schatting. Het echte bedrag hangt af van uw loonstrook.", HowTitle: "Zo hebben wij het berekend",
		},
		Consent: consentTexts{
			Title: "Toestemming werkgever", Intro: "Uw werkgever kan uw loonstrook ook zelf naar ons sturen. Dan hoeft u dat niet meer te doen.",
			Intro2:  "Dat mag alleen als u toestemming geeft. U kunt die toestemming altijd weer intrekken.",
			Caption: "Werkgevers", ColEmployer: "Werkgever", ColState: "Toestemming", ColAction: "Veranderen",
			Given: "Gegeven op", NotGiven: "Niet gegeven", Grant: "Geef toestemming", Revoke: "Trek toestemming in", To: "aan", From: "voor",
			None:    "Er zijn nog geen werkgevers die loonstroken sturen via Plein.",
			Granted: "Uw toestemming is opgeslagen.", Revoked: "Uw toestemming is ingetrokken.",
		},
		Fail: failTexts{
			Title: "Er ging iets mis", Generic: "Er ging iets mis. Probeer het later opnieuw.",
			NotFound:     "Wij kunnen uw gegevens niet vinden. Neem contact op met de gemeente.",
			Unavailable:  "Dit deel van het portaal is er nog niet.",
			Forbidden:    "Dit formulier is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog een keer.",
			Expired:      "U bent niet ingelogd. Log opnieuw in.",
			ReadOnly:     "U kunt nu niets veranderen. Dit portaal is even alleen om te bekijken.",
			BadChoice:    "Kies een werkgever uit de lijst.",
			NotYours:     "Deze betaling is niet van u. Er is niets veranderd.",
			NotStoppable: "Deze betaling kunt u niet zelf stoppen. Vraag het uw consulent.",
			NoPlan:       "Deze betaling kunnen wij niet vinden. Ga terug naar Mijn betalingen.",
		},
		Form:   formTexts{ErrorTitle: "Er is iets niet goed ingevuld", ErrorPrefix: "Fout", Optional: "(niet verplicht)"},
		Months: monthNamesNL,
	}
}
