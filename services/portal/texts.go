package portal

// texts is every sentence of the portal's pages in one language. Dutch is written at
// B1 level: short sentences, no jargon, "u".
type texts struct {
	Skip, Suspended, LogoOf, LangNav, Footer               string
	HomeTitle, Welcome, Intro, LoggedInAs, Login, FindHere string
	HelpTitle, Help                                        string
	Items                                                  []item
}

type item struct{ Title, Text string }

func textsFor(lang, gemeente string) texts {
	if lang == "en" {
		return texts{
			Skip:       "Skip to content",
			Suspended:  "This portal is read-only for now. You can look at your details, but you cannot change anything. Payments are on hold.",
			LogoOf:     "Logo of",
			LangNav:    "Language",
			Footer:     "Plein is run for " + gemeente + " by the coöperatie of municipalities.",
			HomeTitle:  "Home",
			Welcome:    "Welcome to",
			Intro:      "Do you receive social assistance (bijstand) and do you work, or are you about to start work? Here you can see what you get each month, and why.",
			LoggedInAs: "You are logged in as",
			Login:      "Log in",
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
		}
	}
	return texts{
		Skip:       "Naar de inhoud",
		Suspended:  "U kunt dit portaal nu alleen bekijken. U kunt niets veranderen. Betalingen staan even stil.",
		LogoOf:     "Logo van",
		LangNav:    "Taal",
		Footer:     "Plein wordt voor " + gemeente + " geregeld door de coöperatie van gemeenten.",
		HomeTitle:  "Home",
		Welcome:    "Welkom bij",
		Intro:      "Heeft u bijstand en werkt u, of gaat u werken? Hier ziet u elke maand wat u krijgt. En waarom.",
		LoggedInAs: "U bent ingelogd als",
		Login:      "Inloggen",
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
	}
}
