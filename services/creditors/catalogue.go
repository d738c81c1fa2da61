package creditors

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/plein-nl/plein/platform/iban"
)

//go:embed catalogue.yaml
var catalogueYAML []byte

// Catalogue is the shared list of national creditors, the same for every tenant.
// It is read-only once loaded.
type Catalogue struct {
	list []Creditor // sorted by display name
	byID map[string]int
}

type catalogueFile struct {
	Creditors []catalogueEntry `yaml:"creditors"`
}

type catalogueEntry struct {
	ID         string `yaml:"id"`
	Name       string `yaml:"name"`
	Brand      string `yaml:"brand"`
	Kind       Kind   `yaml:"kind"`
	IBAN       string `yaml:"iban"`
	Example    bool   `yaml:"example"`
	IBANSource string `yaml:"iban_source"`
	Reference  struct {
		Name    string `yaml:"name"`
		Pattern string `yaml:"pattern"`
		Hint    string `yaml:"hint"`
		HintEN  string `yaml:"hint_en"`
	} `yaml:"reference"`
}

// slugRE is the form of a catalogue id; a tenant's creditors have UUIDs, so the two
// never collide.
var slugRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,62}$`)

// LoadCatalogue parses and checks a catalogue: ids unique slugs, known kinds and
// reference names, every IBAN valid (platform/iban), every pattern compiling, every
// hint present, and a source for every IBAN that is not an example.
func LoadCatalogue(src []byte) (*Catalogue, error) {
	var f catalogueFile
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("creditors: catalogue: %w", err)
	}
	c := &Catalogue{byID: map[string]int{}}
	var errs []error
	for i, e := range f.Creditors {
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("creditors: catalogue entry %d (%s): %s", i, e.ID, fmt.Sprintf(format, a...)))
		}
		if !slugRE.MatchString(e.ID) {
			bad("id must be a slug of a-z, 0-9 and -")
		}
		if _, dup := c.byID[e.ID]; dup {
			bad("id is used twice")
		}
		if e.Name == "" {
			bad("name is required")
		}
		if !slices.Contains(Kinds(), e.Kind) {
			bad("kind %q is not one of %v", e.Kind, Kinds())
		}
		ib, err := iban.Parse(e.IBAN)
		if err != nil {
			bad("iban: %v", err)
		}
		if !e.Example && e.IBANSource == "" {
			bad("a real IBAN (example: false) needs its iban_source")
		}
		if !slices.Contains(ReferenceNames(), e.Reference.Name) {
			bad("reference name %q is not one of %v", e.Reference.Name, ReferenceNames())
		}
		re, err := compilePattern(e.Reference.Pattern)
		if err != nil {
			bad("%v", err)
		}
		if e.Reference.Hint == "" || e.Reference.HintEN == "" {
			bad("reference hint and hint_en are required")
		}
		c.byID[e.ID] = len(c.list)
		c.list = append(c.list, Creditor{
			ID: e.ID, Name: e.Name, Brand: e.Brand, Kind: e.Kind, IBAN: ib, Example: e.Example, IBANSource: e.IBANSource,
			Reference: ReferenceFormat{Name: e.Reference.Name, Pattern: e.Reference.Pattern, Hint: e.Reference.Hint,
				HintEN: e.Reference.HintEN, re: re},
			Catalogue: true,
		})
	}
	if len(c.list) == 0 {
		errs = append(errs, errors.New("creditors: catalogue is empty"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sortByName(c.list)
	for i, cr := range c.list {
		c.byID[cr.ID] = i
	}
	return c, nil
}

var (
	embeddedOnce sync.Once
	embedded     *Catalogue
	embeddedErr  error
)

// EmbeddedCatalogue returns the catalogue compiled into the binary, loaded once.
func EmbeddedCatalogue() (*Catalogue, error) {
	embeddedOnce.Do(func() { embedded, embeddedErr = LoadCatalogue(catalogueYAML) })
	return embedded, embeddedErr
}

// MustLoadCatalogue returns the embedded catalogue and panics if it does not load,
// which its test makes impossible for a built binary.
func MustLoadCatalogue() *Catalogue {
	c, err := EmbeddedCatalogue()
	if err != nil {
		panic(err)
	}
	return c
}

// All returns the catalogue's creditors, sorted by display name. The caller owns the
// slice.
func (c *Catalogue) All() []Creditor { return slices.Clone(c.list) }

// Get returns the catalogue creditor id.
func (c *Catalogue) Get(id string) (Creditor, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Creditor{}, false
	}
	return c.list[i], true
}
