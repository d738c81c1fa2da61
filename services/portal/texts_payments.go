package portal

// paymentTexts are the sentences of "Mijn betalingen", the request form and the
// stop confirmation.
type paymentTexts struct {
	Title, Intro, Intro2, NewButton, CurrentTitle, CurrentCaption, None     string
	PastTitle, PastCaption                                                  string
	ColCreditor, ColWhat, ColAmount, ColStatus, ColNext, ColRef, ColAction  string
	NotKnown, StopLink, StopTo, AskConsulent, PaperMandate, StartsIn, Ended string
	Requested, Stopped, Waiting                                             string

	NewTitle, NewIntro, CreditorLegend, CreditorHint, Reference, ReferenceHint string
	Amount, AmountHint, Start, StartHint, Submit, Back                         string

	StopTitle, StopWhat, StopWarn, StopWarn2, StopYes, StopNo string

	// What says what a payment is for, by the creditor's kind; Groups heads the
	// creditors of a kind in the request form; Noun is "uw zorgpremie" in a sentence.
	What, Groups, Noun    map[string]string
	WhatOther, GroupOther string
	// PlanKind says what a plan that is no payment on the resident's behalf is.
	PlanKind map[string]string
	Status   map[string]string
}

// debtTexts are the sentences of "Mijn schulden".
type debtTexts struct {
	Title, Intro, DebtsTitle, Caption, ColCreditor, ColClaim, ColBalance, ColStatus string
	Total, None, Preferent, ArrangingTitle, ArrangingNone, NextTitle, NextDefault   string
	Help                                                                            string
	Status                                                                          map[string]string
}

// calendarTexts are the sentences of the Geldkalender.
type calendarTexts struct {
	Title, HeadingPrefix, Intro, Caption, ColDate, ColWhat, ColAmount, Payout string
	DateUnknown, PaysFor, PaysTo, KeptFor, TotalPaid, NoPayments, ToPayments  string
}

// shortfallTexts explain a payment Plein could not make in full.
type shortfallTexts struct {
	Title, Intro, Help string
	// WithNoun and Plain are the sentence with and without what it was for:
	// month, amount, (noun,) creditor.
	WithNoun, Plain string
}

var paymentTextsNL = paymentTexts{
	Title:          "Mijn betalingen",
	Intro:          "Wij kunnen vaste lasten voor u betalen. Bijvoorbeeld uw zorgpremie, huur of energie. Wij betalen dan op de dag dat u uw bijstand krijgt.",
	Intro2:         "U kiest zelf wat wij betalen. U kunt altijd stoppen.",
	NewButton:      "Vraag een nieuwe betaling aan",
	CurrentTitle:   "Wat wij voor u betalen",
	CurrentCaption: "Betalingen voor u, per maand",
	None:           "Wij betalen nu nog niets voor u.",
	PastTitle:      "Gestopte en afgewezen betalingen",
	PastCaption:    "Eerdere betalingen",
	ColCreditor:    "Aan wie", ColWhat: "Waarvoor", ColAmount: "Bedrag per maand", ColStatus: "Hoe staat het?",
	ColNext: "Volgende betaling", ColRef: "Kenmerk", ColAction: "Stoppen",
	NotKnown:     "Nog niet bekend",
	StopLink:     "Stop deze betaling",
	StopTo:       "aan",
	AskConsulent: "Dit kunt u niet zelf stoppen. Vraag het uw consulent.",
	PaperMandate: "U heeft hiervoor een machtiging op papier getekend.",
	StartsIn:     "Wij beginnen in",
	Ended:        "Laatste betaling in",
	Requested:    "Uw aanvraag is verstuurd. Een consulent kijkt ernaar.",
	Waiting:      "Een consulent kijkt ernaar.",
	Stopped:      "Wij stoppen deze betaling. Betaal deze rekening vanaf nu weer zelf.",

	NewTitle:       "Nieuwe betaling aanvragen",
	NewIntro:       "Wij betalen elke maand een vast bedrag voor u. Een consulent kijkt eerst naar uw aanvraag.",
	CreditorLegend: "Aan wie moeten wij betalen?",
	CreditorHint:   "Staat de organisatie er niet bij? Vraag het uw consulent.",
	Reference:      "Uw polisnummer of klantnummer",
	ReferenceHint:  "Bij elke organisatie hierboven staat waar u het nummer vindt.",
	Amount:         "Bedrag per maand in euro",
	AmountHint:     "Het bedrag staat op uw polis of rekening. Bijvoorbeeld 150,00.",
	Start:          "Vanaf welke maand?",
	StartHint:      "Betaal zelf tot die maand.",
	Submit:         "Aanvraag versturen",
	Back:           "Terug naar mijn betalingen",

	StopTitle: "Weet u het zeker?",
	StopWhat:  "U wilt deze betaling stoppen:",
	StopWarn:  "Dan betalen wij deze rekening niet meer voor u. U moet hem dan zelf betalen.",
	StopWarn2: "Betaalt u niet op tijd? Dan kunt u een schuld krijgen.",
	StopYes:   "Ja, stop deze betaling",
	StopNo:    "Nee, ga terug",

	What: map[string]string{"zorgverzekeraar": "Zorgpremie", "cak": "Bijdrage CAK", "energie": "Energie", "water": "Water",
		"woningcorporatie": "Huur", "verhuurder": "Huur", "huur": "Huur", "gemeente": "Gemeente"},
	Groups: map[string]string{"zorgverzekeraar": "Zorgverzekeraars", "cak": "CAK", "energie": "Energie", "water": "Water",
		"woningcorporatie": "Huur", "verhuurder": "Huur", "huur": "Huur", "gemeente": "Gemeente"},
	Noun: map[string]string{"zorgverzekeraar": "uw zorgpremie", "cak": "uw bijdrage", "energie": "uw energierekening",
		"water": "uw waterrekening", "woningcorporatie": "uw huur", "verhuurder": "uw huur", "huur": "uw huur"},
	WhatOther:  "Vaste lasten",
	GroupOther: "Andere organisaties",
	PlanKind: map[string]string{"verrekening": "Terugbetaling aan de gemeente", "beslag": "Beslag",
		"aflossing": "Aflossing van schulden"},
	Status: map[string]string{"requested": "Aangevraagd", "approved": "Goedgekeurd", "active": "Wij betalen dit",
		"ended": "Gestopt", "rejected": "Afgewezen"},
}

var paymentTextsEN = paymentTexts{
	Title:          "My payments",
	Intro:          "We can pay fixed costs for you. For example your health insurance, rent or energy. We pay on the day you get your bijstand.",
	Intro2:         "You choose what we pay. You can stop at any time.",
	NewButton:      "Ask for a new payment",
	CurrentTitle:   "What we pay for you",
	CurrentCaption: "Payments for you, per month",
	None:           "We do not pay anything for you yet.",
	PastTitle:      "Stopped and refused payments",
	PastCaption:    "Earlier payments",
	ColCreditor:    "To whom", ColWhat: "What for", ColAmount: "Amount per month", ColStatus: "Status",
	ColNext: "Next payment", ColRef: "Reference", ColAction: "Stop",
	NotKnown:     "Not known yet",
	StopLink:     "Stop this payment",
	StopTo:       "to",
	AskConsulent: "You cannot stop this yourself. Ask your consulent.",
	PaperMandate: "You signed a paper mandate for this.",
	StartsIn:     "We start in",
	Ended:        "Last payment in",
	Requested:    "Your request has been sent. A consulent will look at it.",
	Waiting:      "A consulent will look at it.",
	Stopped:      "We will stop this payment. From now on, pay this bill yourself again.",

	NewTitle:       "Ask for a new payment",
	NewIntro:       "We pay a fixed amount for you every month. A consulent looks at your request first.",
	CreditorLegend: "Who should we pay?",
	CreditorHint:   "Is the organisation not in the list? Ask your consulent.",
	Reference:      "Your policy number or customer number",
	ReferenceHint:  "Each organisation above says where you find the number.",
	Amount:         "Amount per month in euros",
	AmountHint:     "The amount is on your policy or bill. For example 150.00.",
	Start:          "From which month?",
	StartHint:      "Pay it yourself until that month.",
	Submit:         "Send request",
	Back:           "Back to my payments",

	StopTitle: "Are you sure?",
	StopWhat:  "You want to stop this payment:",
	StopWarn:  "Then we no longer pay this bill for you. You have to pay it yourself.",
	StopWarn2: "If you do not pay on time, you can get into debt.",
	StopYes:   "Yes, stop this payment",
	StopNo:    "No, go back",

	What: map[string]string{"zorgverzekeraar": "Health insurance", "cak": "CAK contribution", "energie": "Energy", "water": "Water",
		"woningcorporatie": "Rent", "verhuurder": "Rent", "huur": "Rent", "gemeente": "Municipality"},
	Groups: map[string]string{"zorgverzekeraar": "Health insurers", "cak": "CAK", "energie": "Energy", "water": "Water",
		"woningcorporatie": "Rent", "verhuurder": "Rent", "huur": "Rent", "gemeente": "Municipality"},
	Noun: map[string]string{"zorgverzekeraar": "your health insurance premium", "cak": "your contribution", "energie": "your energy bill",
		"water": "your water bill", "woningcorporatie": "your rent", "verhuurder": "your rent", "huur": "your rent"},
	WhatOther:  "Fixed costs",
	GroupOther: "Other organisations",
	PlanKind: map[string]string{"verrekening": "Repayment to the municipality", "beslag": "Garnishment",
		"aflossing": "Debt repayment"},
	Status: map[string]string{"requested": "Requested", "approved": "Approved", "active": "We pay this",
		"ended": "Stopped", "rejected": "Refused"},
}

var debtTextsNL = debtTexts{
	Title:       "Mijn schulden",
	Intro:       "Hier ziet u uw schulden die wij kennen. U ziet ook wat wij voor u regelen.",
	DebtsTitle:  "Uw schulden",
	Caption:     "Schulden die wij kennen",
	ColCreditor: "Aan wie", ColClaim: "Bedrag van de schuld", ColBalance: "Nog te betalen", ColStatus: "Hoe staat het?",
	Total:          "Samen nog te betalen",
	None:           "Wij kennen geen schulden van u.",
	Preferent:      "Deze schuld gaat volgens de wet voor.",
	ArrangingTitle: "Wat wij regelen",
	ArrangingNone:  "Wij regelen nu niets voor uw schulden.",
	NextTitle:      "Wat gebeurt er nu?",
	NextDefault:    "Er hoeft nu niets te gebeuren. Heeft u vragen? Neem contact op met uw consulent.",
	Help:           "Heeft u een rekening die u niet kunt betalen? Vertel het uw consulent. Hoe eerder, hoe beter.",
	Status: map[string]string{"open": "Nog niet geregeld", "in_regeling": "In een regeling", "paid": "Betaald",
		"disputed": "Wordt uitgezocht", "written_off": "U hoeft dit niet meer te betalen"},
}

var debtTextsEN = debtTexts{
	Title:       "My debts",
	Intro:       "Here you see the debts we know about. You also see what we arrange for you.",
	DebtsTitle:  "Your debts",
	Caption:     "Debts we know about",
	ColCreditor: "To whom", ColClaim: "Amount of the debt", ColBalance: "Still to pay", ColStatus: "Status",
	Total:          "Still to pay in total",
	None:           "We do not know of any debts.",
	Preferent:      "By law, this debt comes first.",
	ArrangingTitle: "What we arrange",
	ArrangingNone:  "We are not arranging anything for your debts now.",
	NextTitle:      "What happens next?",
	NextDefault:    "Nothing needs to happen now. Any questions? Contact your consulent.",
	Help:           "Do you have a bill you cannot pay? Tell your consulent. The sooner, the better.",
	Status: map[string]string{"open": "Not arranged yet", "in_regeling": "In an arrangement", "paid": "Paid",
		"disputed": "Being looked into", "written_off": "You no longer have to pay this"},
}

var calendarTextsNL = calendarTexts{
	Title:         "Geldkalender",
	HeadingPrefix: "Geldkalender",
	Intro:         "Dit gebeurt er volgende maand met uw geld. Wij betalen alles op de dag dat u uw bijstand krijgt.",
	Caption:       "Betalingen per datum",
	ColDate:       "Datum", ColWhat: "Wat gebeurt er?", ColAmount: "Bedrag",
	Payout:      "Uw geld op uw rekening",
	DateUnknown: "Nog niet bekend",
	PaysFor:     "Wij betalen",
	PaysTo:      "aan",
	KeptFor:     "Wij houden geld in voor",
	TotalPaid:   "Samen betaald voor u",
	NoPayments:  "Wij betalen volgende maand niets voor u.",
	ToPayments:  "Naar mijn betalingen",
}

var calendarTextsEN = calendarTexts{
	Title:         "Money calendar",
	HeadingPrefix: "Money calendar",
	Intro:         "This is what happens with your money next month. We pay everything on the day you get your bijstand.",
	Caption:       "Payments by date",
	ColDate:       "Date", ColWhat: "What happens", ColAmount: "Amount",
	Payout:      "Your money in your bank account",
	DateUnknown: "Not known yet",
	PaysFor:     "We pay",
	PaysTo:      "to",
	KeptFor:     "We keep back money for",
	TotalPaid:   "Paid for you in total",
	NoPayments:  "We do not pay anything for you next month.",
	ToPayments:  "To my payments",
}

var shortfallTextsNL = shortfallTexts{
	Title:    "Niet alles is betaald",
	Intro:    "Uw geld was niet genoeg voor alle betalingen.",
	Help:     "Wij helpen u. Uw consulent neemt contact met u op.",
	WithNoun: "Wij konden in %s %s van %s niet betalen aan %s.",
	Plain:    "Wij konden in %s %s niet betalen aan %s.",
}

var shortfallTextsEN = shortfallTexts{
	Title:    "Not everything was paid",
	Intro:    "Your money was not enough for all payments.",
	Help:     "We will help you. Your consulent will contact you.",
	WithNoun: "In %s we could not pay %s of %s to %s.",
	Plain:    "In %s we could not pay %s to %s.",
}
