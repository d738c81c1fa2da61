package tenancy

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/plein-nl/plein/services/tenancy/tenancytest"
	"gopkg.in/yaml.v3"
)

// labelRE is a file stem Parse can accept as an id.
var labelRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// FuzzParse feeds tenant config files to Parse, with the real logos next to them.
// A file it accepts renders to a canonical form that Parse accepts again, to the same
// canonical form; a file that decodes into the schema and is refused is refused with
// errors that each name a field.
func FuzzParse(f *testing.F) {
	dir := f.TempDir()
	for _, pat := range []string{"../../tenants/*.yaml", "testdata/valid/*.yaml"} {
		files, _ := filepath.Glob(pat)
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	tenancytest.CopyFiles(f, dir, "../../tenants/*.svg", "testdata/valid/*.svg")
	for _, bad := range []string{"", "id: [", "id: assen\nname: 3\n", "id: assen\nunknown: 1\n",
		"id: assen\nvalid_from: [1]\n", "id: assen\nbranding: {logo: ../../etc/passwd.svg}\n",
		"id: assen\nsettlement: {pay_day: 40, min_cash_payout_cents: -1}\n", "- a\n- b\n", "id: &a [*a]\n"} {
		f.Add([]byte(bad))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		// The id must match the file's name: name the file after the id it holds.
		var head struct {
			ID string `yaml:"id"`
		}
		_ = yaml.Unmarshal(src, &head)
		stem := "x"
		if labelRE.MatchString(head.ID) {
			stem = head.ID
		}
		file := filepath.Join(dir, stem+".yaml")
		l, errs := Parse(file, src)
		if l == nil && len(errs) == 0 {
			t.Fatal("Parse returned neither a config nor an error")
		}
		if l != nil && len(errs) > 0 {
			t.Fatalf("Parse returned a config and errors: %v", errs)
		}
		if l == nil {
			checkErrors(t, file, src, errs)
			return
		}
		canon := l.Config.Canonical()
		again, errs := Parse(file, []byte(canon))
		if len(errs) > 0 {
			t.Fatalf("the canonical form of an accepted config is refused: %v\n%s", errs, canon)
		}
		if got := again.Config.Canonical(); got != canon {
			t.Fatalf("canonical form not stable:\nfirst:\n%s\nagain:\n%s", canon, got)
		}
		if !bytes.Equal(again.Logo, l.Logo) {
			t.Fatal("the logo read differs after the round trip")
		}
	})
}

// checkErrors checks the errors of a refused file: each is about that file and says
// what is wrong; when the file decodes into the schema, each also names its field.
func checkErrors(t *testing.T, file string, src []byte, errs Errors) {
	t.Helper()
	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	decodes := dec.Decode(&doc) == nil
	for _, e := range errs {
		if e.File != file || strings.TrimSpace(e.Msg) == "" {
			t.Errorf("error %+v: want file %s and a message", e, file)
		}
		if decodes && e.Field == "" {
			t.Errorf("error %q names no field, though the file decodes into the schema", e.Error())
		}
	}
}
