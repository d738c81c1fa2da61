package sepa_test

import (
	"fmt"
	"strings"

	"github.com/plein-nl/plein/platform/sepa"
)

func ExampleTransliterate() {
	for _, name := range []string{"Zoë Çelik", "Łukasz Søren", "François & Zn.", "O’Brien; Smith", "😀"} {
		fmt.Println(sepa.Transliterate(name))
	}
	fmt.Println(sepa.Cut(sepa.Transliterate("Ĳsbrand Straße-van der Meulen"), 16))
	// Output:
	// Zoe Celik
	// Lukasz Soren
	// Francois + Zn.
	// O'Brien. Smith
	// -
	// IJsbrand Strasse
}

func ExampleWriteSpecCSV() {
	lines := []sepa.SpecLine{
		{Resident: "Zoë Çelik", Reference: "POL-123456789", Amount: 4250},
		{Resident: "Jansen, Piet", Reference: "POL-987654321", Amount: 12000},
	}
	if err := sepa.CheckSpec(lines, 16250); err != nil {
		fmt.Println(err)
		return
	}
	var b strings.Builder
	if err := sepa.WriteSpecCSV(&b, lines); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(b.String(), "\r\n", "\n")) // lines end in CRLF (RFC 4180)
	// Output:
	// resident,reference,amount
	// Zoë Çelik,POL-123456789,42.50
	// "Jansen, Piet",POL-987654321,120.00
}
