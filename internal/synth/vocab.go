package synth

import (
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/services/paymentplans"
)

// The household mix [policy for demos and benchmarks]: exact shares of a caseload
// (rounded), so that a small caseload has the mix too. The rest, about 10 %, are
// singles with a kostendeler.
const (
	shareSingle       = 0.55
	shareSingleParent = 0.20
	shareCouple       = 0.15
	shareWork         = 0.40 // a payslip paid in the period
)

// The plans of a resident [policy]: what it pays, as the portal and a consulent give
// them. Priorities order the deductions; the actors are a consulent working from
// signed paper mandates, and the schuldregeling's system actor for an aflossing, as an
// agreed minnelijk traject records it (services/plein, adapters.go).
var labels = map[Label]struct {
	kind     bijstand.DeductionKind
	priority int
	by       paymentplans.Actor
}{
	Huur:        {bijstand.DeductOnBehalf, 10, seeder},
	Zorgpremie:  {bijstand.DeductOnBehalf, 20, seeder},
	Verrekening: {bijstand.DeductVerrekening, 30, seeder},
	Aflossing:   {bijstand.DeductAflossing, 50, schuldregeling},
}

var (
	seeder         = paymentplans.Actor{Subject: "system:seed", Role: authz.RoleConsulent}
	schuldregeling = paymentplans.Actor{Subject: "system:schuldregeling", Role: authz.RoleConsulent}
)

// aflossingMonths is the length of an agreed schuldregeling (the minnelijk traject).
const aflossingMonths = 18

// weighted is a name drawn in proportion to its weight.
type weighted struct {
	name   string
	weight int
}

func weightsOf(ws []weighted) []int {
	out := make([]int, len(ws))
	for i, w := range ws {
		out[i] = w.weight
	}
	return out
}

// zorgverzekeraars of the catalogue, weighted roughly by market share.
var zorgverzekeraars = []weighted{{"zilveren-kruis", 30}, {"cz", 20}, {"vgz", 20}, {"menzis", 12}, {"dsw", 7},
	{"zorg-en-zekerheid", 5}, {"asr", 4}, {"onvz", 2}}

// utilities are the energy and water companies of the catalogue an aflossing pays.
var utilities = []string{"vattenfall", "eneco", "essent", "greenchoice", "vitens", "evides", "brabant-water"}

// corporations are the woningcorporaties made per tenant when missing. The names say
// they are examples; the IBANs have the fictitious bank code XMPL, as the catalogue's,
// so no payment to them can reach a real account.
var corporations = [...]struct{ name, account string }{
	{"Woonstichting De Stadspoort (voorbeeld)", "0000002001"},
	{"Woningcorporatie Het Volkshuis (voorbeeld)", "0000002002"},
	{"Wooncoöperatie Samen Thuis (voorbeeld)", "0000002003"},
}

// NumCorporations is how many woningcorporaties a caseload makes in its tenant.
const NumCorporations = len(corporations)

// banks of the residents' accounts, weighted roughly by market share (the weights add
// up to 100).
var banks = []weighted{{"INGB", 38}, {"RABO", 27}, {"ABNA", 20}, {"SNSB", 7}, {"ASNB", 3}, {"BUNQ", 3}, {"TRIO", 2}}

var bankWeights = weightsOf(banks)

var (
	firstNamesF = []string{"Anna", "Emma", "Sanne", "Lisa", "Fatima", "Samira", "Sevda", "Priya", "Maria", "Joyce",
		"Ingrid", "Els", "Marieke", "Noor", "Yasmina", "Aylin", "Chantal", "Petra", "Ilse", "Khadija", "Monique", "Tamara"}
	firstNamesM = []string{"Jan", "Peter", "Mohamed", "Mustafa", "Kees", "Dennis", "Ricardo", "Youssef", "Henk", "Bram",
		"Thijs", "Ahmet", "Stefan", "Marco", "Ruben", "Erik", "Hamza", "Gerrit", "Sven", "Kevin", "Ramon", "Wim"}
	lastNames = []string{"de Vries", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "Meijer", "van der Berg", "Mulder",
		"de Boer", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Kok", "Postma", "El Amrani", "Yilmaz", "Bouzid",
		"Kaya", "Ramdin", "Pinas", "van Leeuwen", "Brouwer", "Dekker", "Wijnands", "Hoekstra", "Kramer", "Veenstra",
		"Ait Taleb", "Öztürk", "Nijenhuis", "Scholten", "Koster", "Haverkamp"}
	employers = []string{"Supermarkt De Korenbloem", "Schoonmaakbedrijf Glans B.V.", "Bezorgdienst Vlot B.V.",
		"Thuiszorg De Linde", "Uitzendbureau Werkt! B.V.", "Eetcafé Het Plein", "Kinderopvang Het Speelhuis",
		"Distributiecentrum Noord B.V.", "Groenvoorziening Buiten B.V.", "Kringloopwinkel De Tweede Kans"}
	// A kostendeler's housemate, by age: a parent, a child, or someone of their age.
	housemateOlder   = []string{"moeder", "vader"}
	housemateYounger = []string{"zoon", "dochter"}
	housematePeer    = []string{"broer", "zus", "vriend", "vriendin", "neef", "nicht"}
)
