package portal

// specTexts are the sentences of "Mijn specificaties", a month's specificatie, its
// PDF and the year overview. The lines of the calculation use "Deze maand"'s texts
// (monthTexts) and the engine's own sentences; nothing here explains them again.
type specTexts struct {
	Title, Intro, ListCaption, ColMonth, ColPaid, ColDate, None, Years, YearLink string
	NotFound, ToList, Link                                                       string

	Heading, PaidTitle, YouGot, On, DateUnknown, WagesTitle, WagesCaption, NoWages string
	Gross, Net, ColGross, ColNet, ColArticle, Law                                  string
	StoredCaption, NotVerifiedOld, NotVerifiedDiff, Uncomputed                     string
	DeductionsTitle, DeductionsCaption, ColTo, ColRef, ColAmount, NotPaid          string
	Vakantietoeslag, VakantietoeslagWords, Released, ReleasedWords                 string
	HoldTitle, HoldIBAN, HoldOther                                                 string
	ReceiptTitle, ReceiptWords, LawFile, Engine, Config, Hash, PDF, PDFSize        string

	YearTitle, YearIntro, YearFiscal, YearMonths, YearKinds, Total, ColKind, ColWhat string
	PaidTo, OfWhich, Resident, Gemeente, Page                                        string
}

var specTextsNL = specTexts{
	Title:       "Mijn specificaties",
	Intro:       "Hier ziet u elke maand die wij al hebben betaald. Per maand ziet u wat u kreeg en waarom. U kunt elke maand ook als pdf bewaren.",
	ListCaption: "Betaalde maanden", ColMonth: "Maand", ColPaid: "Op uw rekening", ColDate: "Betaald op",
	None:     "Er is nog geen maand betaald via Plein. Na de eerste betaling ziet u hier uw specificatie.",
	Years:    "Jaaroverzicht",
	YearLink: "Jaaroverzicht",
	NotFound: "Deze maand kunnen wij niet vinden. Misschien is hij nog niet betaald. Kijk bij Mijn specificaties welke maanden er zijn.",
	ToList:   "Terug naar Mijn specificaties",
	Link:     "Bekijk wat wij u eerder hebben betaald (Mijn specificaties)",

	Heading: "Specificatie", PaidTitle: "Wat u kreeg", YouGot: "Op uw rekening:", On: "Betaald op", DateUnknown: "De datum weten wij niet.",
	WagesTitle: "Uw loon", WagesCaption: "Loonstroken die meetelden", NoWages: "U had in deze maand geen loon.",
	Gross: "Brutoloon", Net: "Nettoloon", ColGross: "Bruto", ColNet: "Netto", ColArticle: "Wet", Law: "Wet:",
	StoredCaption: "Wat wij hebben betaald",
	NotVerifiedOld: "Deze maand is betaald voordat Plein elke berekening bewaarde. " +
		"Daarom ziet u alleen de bedragen. Wilt u weten hoe ze zijn berekend? Vraag het uw consulent.",
	NotVerifiedDiff: "Wij kunnen de berekening van deze maand niet precies zo opnieuw maken. " +
		"Daarom ziet u alleen de bedragen die wij hebben betaald. Wilt u weten hoe ze zijn berekend? Vraag het uw consulent.",
	Uncomputed:      "Wij konden uw bijstand van deze maand niet berekenen. Daarom hebben wij niets betaald. Neem contact op met uw consulent.",
	DeductionsTitle: "Betaald voor u en ingehouden", DeductionsCaption: "Aan wie wij geld van uw bijstand betaalden",
	ColTo: "Aan wie", ColRef: "Kenmerk", ColAmount: "Bedrag", NotPaid: "Niet betaald:",
	Vakantietoeslag:      "Vakantiegeld uitbetaald",
	VakantietoeslagWords: "Dit is het vakantiegeld dat wij voor u hebben gespaard.",
	Released:             "Nabetaling",
	ReleasedWords:        "Dit geld is van een eerdere maand. Toen konden wij het niet overmaken. Nu wel.",
	HoldTitle:            "Nog niet overgemaakt",
	HoldIBAN: "Wij hebben dit geld nog niet overgemaakt. Wij hebben geen goed rekeningnummer (IBAN) van u. " +
		"Geef uw rekeningnummer door aan de gemeente. Dan maken wij het geld over.",
	HoldOther:    "Wij hebben dit geld nog niet overgemaakt. Uw consulent weet waarom. Neem contact op met uw consulent.",
	ReceiptTitle: "Controlegegevens",
	ReceiptWords: "Met deze gegevens kan de gemeente later nagaan dat deze berekening klopt.",
	LawFile:      "Wetgegevens", Engine: "Versie van de rekenregels", Config: "Versie van de instellingen van de gemeente",
	Hash: "Vingerafdruk van de gegevens (SHA-256)", PDF: "Download als pdf", PDFSize: "pdf-bestand",

	YearTitle: "Jaaroverzicht", YearIntro: "Hier ziet u wat Plein in dit jaar voor u heeft betaald. Per maand en bij elkaar.",
	YearFiscal: "Dit is het overzicht van Plein. Het is geen jaaropgave voor de belasting. " +
		"De jaaropgave met de loonheffing over uw bijstand krijgt u van de gemeente. Voor uw loon krijgt u een jaaropgave van uw werkgever.",
	YearMonths: "Per maand", YearKinds: "Per soort", Total: "Totaal", ColKind: "Soort", ColWhat: "Wat",
	PaidTo: "Betaald aan", OfWhich: "Waarvan nabetaling",
	Resident: "Naam", Gemeente: "Gemeente", Page: "Pagina",
}

var specTextsEN = specTexts{
	Title:       "My statements",
	Intro:       "Here you see every month we have paid. For each month you see what you got and why. You can also keep each month as a PDF.",
	ListCaption: "Months paid", ColMonth: "Month", ColPaid: "In your bank account", ColDate: "Paid on",
	None:     "No month has been paid through Plein yet. After the first payment you will see your statement here.",
	Years:    "Year overview",
	YearLink: "Year overview",
	NotFound: "We cannot find this month. Perhaps it has not been paid yet. See My statements for the months there are.",
	ToList:   "Back to My statements",
	Link:     "See what we paid you before (My statements)",

	Heading: "Statement", PaidTitle: "What you got", YouGot: "In your bank account:", On: "Paid on", DateUnknown: "We do not know the date.",
	WagesTitle: "Your wages", WagesCaption: "Payslips we counted", NoWages: "You had no wage this month.",
	Gross: "Gross wage", Net: "Net wage", ColGross: "Gross", ColNet: "Net", ColArticle: "Law", Law: "Law:",
	StoredCaption: "What we paid",
	NotVerifiedOld: "This month was paid before Plein kept every calculation. " +
		"That is why you only see the amounts. Do you want to know how they were worked out? Ask your consulent.",
	NotVerifiedDiff: "We cannot make the calculation of this month again in exactly the same way. " +
		"That is why you only see the amounts we paid. Do you want to know how they were worked out? Ask your consulent.",
	Uncomputed:      "We could not work out your bijstand for this month. So we did not pay anything. Please contact your consulent.",
	DeductionsTitle: "Paid for you and kept back", DeductionsCaption: "Who we paid money from your bijstand to",
	ColTo: "To whom", ColRef: "Reference", ColAmount: "Amount", NotPaid: "Not paid:",
	Vakantietoeslag:      "Holiday allowance paid",
	VakantietoeslagWords: "This is the holiday allowance we saved for you.",
	Released:             "Back payment",
	ReleasedWords:        "This money is from an earlier month. We could not transfer it then. Now we can.",
	HoldTitle:            "Not transferred yet",
	HoldIBAN: "We have not transferred this money yet. We do not have a valid bank account number (IBAN) for you. " +
		"Give your account number to your municipality. Then we will transfer the money.",
	HoldOther:    "We have not transferred this money yet. Your consulent knows why. Please contact your consulent.",
	ReceiptTitle: "Check details",
	ReceiptWords: "With these details your municipality can check later that this calculation is right.",
	LawFile:      "Law data", Engine: "Version of the calculation rules", Config: "Version of the municipality's settings",
	Hash: "Fingerprint of the data (SHA-256)", PDF: "Download as PDF", PDFSize: "PDF file",

	YearTitle: "Year overview", YearIntro: "Here you see what Plein paid you in this year. Per month and in total.",
	YearFiscal: "This is Plein's overview. It is not the annual statement for tax (jaaropgave). " +
		"Your municipality sends you the jaaropgave with the wage tax (loonheffing) on your bijstand. Your employer sends you one for your wages.",
	YearMonths: "Per month", YearKinds: "Per kind", Total: "Total", ColKind: "Kind", ColWhat: "What",
	PaidTo: "Paid to", OfWhich: "Of which back payment",
	Resident: "Name", Gemeente: "Municipality", Page: "Page",
}
