package creditors

import (
	"errors"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/iban"
)

// TestEmbeddedCatalogue checks the catalogue as built into the binary: it loads (every
// IBAN valid, every pattern compiling, ids unique), holds the creditors the issue
// names, and marks every IBAN an example until a real one is sourced.
func TestEmbeddedCatalogue(t *testing.T) {
	t.Parallel()
	cat, err := EmbeddedCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range cat.All() {
		if seen[c.ID] {
			t.Errorf("id %s twice", c.ID)
		}
		seen[c.ID] = true
		if _, err := iban.Parse(string(c.IBAN)); err != nil {
			t.Errorf("%s: IBAN: %v", c.ID, err)
		}
		if c.Example != (c.IBAN.BankCode() == "XMPL") {
			t.Errorf("%s: example = %v with bank code %s; an example IBAN uses XMPL and only it", c.ID, c.Example, c.IBAN.BankCode())
		}
		if !c.Catalogue || c.Reference.re == nil || c.Reference.Hint == "" {
			t.Errorf("%s: catalogue %v, compiled pattern %v, hint %q", c.ID, c.Catalogue, c.Reference.re != nil, c.Reference.Hint)
		}
	}
	want := map[string]string{
		"zilveren-kruis": "Zilveren Kruis Zorgverzekeringen N.V.", "cz": "CZ Zorgverzekeringen N.V.",
		"vgz": "VGZ Zorgverzekeraar N.V.", "menzis": "Menzis Zorgverzekeraar N.V.", "dsw": "DSW Zorgverzekeraar U.A.",
		"onvz": "ONVZ Ziektekostenverzekeraar N.V.", "zorg-en-zekerheid": "", "asr": "", "cak": "", "vattenfall": "",
		"eneco": "", "essent": "", "greenchoice": "", "vitens": "", "evides": "", "brabant-water": "",
	}
	for id, name := range want {
		c, ok := cat.Get(id)
		switch {
		case !ok:
			t.Errorf("catalogue lacks %s", id)
		case name != "" && c.Name != name:
			t.Errorf("%s: name %q, want %q", id, c.Name, name)
		}
	}
}

func TestLoadCatalogueRefusesMistakes(t *testing.T) {
	t.Parallel()
	const ok = `{id: a-b, name: A, kind: water, iban: NL91ABNA0417164300, example: true,
	  reference: {name: klantnummer, pattern: '[0-9]{6}', hint: h, hint_en: h}}`
	tests := []struct {
		name, yaml, want string
	}{
		{"duplicate id", "creditors: [" + ok + ", " + ok + "]", "used twice"},
		{"bad IBAN", "creditors: [" + strings.Replace(ok, "NL91", "NL90", 1) + "]", "iban"},
		{"bad pattern", "creditors: [" + strings.Replace(ok, "[0-9]{6}", "[0-9", 1) + "]", "reference pattern"},
		{"unknown kind", "creditors: [" + strings.Replace(ok, "water", "gas", 1) + "]", "kind"},
		{"real IBAN without source", "creditors: [" + strings.Replace(ok, "example: true", "example: false", 1) + "]", "iban_source"},
		{"unknown field", "creditors: [" + strings.Replace(ok, "example: true", "example: true, colour: red", 1) + "]", "colour"},
		// The catalogue's creditors are exported, never posted to: no webhook enters here.
		{"webhook", "creditors: [" + strings.Replace(ok, "example: true", "example: true, webhook_url: 'https://169.254.169.254/'", 1) + "]", "webhook_url"},
		{"empty", "creditors: []", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCatalogue([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := LoadCatalogue([]byte("creditors: [" + ok + "]")); err != nil {
		t.Errorf("a good catalogue: %v", err)
	}
}

func TestValidateReference(t *testing.T) {
	t.Parallel()
	cat := MustLoadCatalogue()
	zk, _ := cat.Get("zilveren-kruis")
	cak, _ := cat.Get("cak")
	tests := []struct {
		c      Creditor
		ref    string
		wantOK bool
	}{
		{zk, "123456789", true},
		{zk, " 123 456 789 ", true},
		{zk, "123.456.789", true},
		{zk, "12345678", false},
		{zk, "1234567890", false},
		{zk, "12345678A", false},
		{zk, "", false},
		{cak, "1234567890123456", true},
		{cak, "1234 5678 9012 3456", true},
		{cak, "123456789012345", false},
	}
	for _, tt := range tests {
		err := ValidateReference(tt.c, tt.ref)
		if (err == nil) != tt.wantOK {
			t.Errorf("%s %q: err = %v, want ok %v", tt.c.ID, tt.ref, err, tt.wantOK)
		}
		if err == nil {
			continue
		}
		var re *ReferenceError
		if !errors.As(err, &re) || !errors.Is(err, ErrInvalidReference) || !strings.Contains(re.Dutch(), tt.c.Reference.Hint) {
			t.Errorf("%s %q: err = %#v, want a *ReferenceError with the Dutch hint", tt.c.ID, tt.ref, err)
		}
		if tt.ref != "" && strings.Contains(err.Error()+re.Dutch(), NormalizeReference(tt.ref)) {
			t.Errorf("the error repeats the input: %v", err)
		}
	}
}
