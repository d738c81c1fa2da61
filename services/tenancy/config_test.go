package tenancy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

// The valid fixture, testdata/valid/hengelo.yaml, has no comments so that its line
// numbers are easy to count: id 1, name 2, cbs_codes 3, branding 4, primary_color 5,
// secondary_color 6, logo 7, font 8, portal 9, hosts 10, first host 11, bank 12,
// iban 13, bic 14, account_name 15, example_values 16, its items 17 and 18.
const fixtureDir = "testdata/valid"

// fixture is the valid config and logo that each bad-file case starts from.
type fixture struct {
	yaml string
	svg  string
}

func readFixture(t *testing.T) fixture {
	t.Helper()
	y, err := os.ReadFile(filepath.Join(fixtureDir, "hengelo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.ReadFile(filepath.Join(fixtureDir, "hengelo.svg"))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{yaml: string(y), svg: string(s)}
}

// edit replaces old, which must occur exactly once in s, so that a fixture edit that
// no longer applies fails loudly instead of testing the valid file.
func edit(t *testing.T, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("fixture edit: %q occurs %d times, want 1", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// writeFiles writes name → content into a new temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadPathRealTenants: every config in tenants/ loads, each from <id>.yaml with its
// logo, and every logo there belongs to one of them; the first three gemeenten keep
// their ids, CBS codes and files, however many tenants/ holds; and originalTenants,
// which most tests apply, copies exactly those three.
func TestLoadPathRealTenants(t *testing.T) {
	t.Parallel()
	loaded, err := LoadPath(realTenants)
	if err != nil {
		t.Fatalf("LoadPath(%s): %v", realTenants, err)
	}
	entries, err := os.ReadDir(realTenants)
	if err != nil {
		t.Fatal(err)
	}
	var yamls, svgs []string
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".yaml", ".yml":
			yamls = append(yamls, filepath.Join(realTenants, e.Name()))
		case ".svg":
			svgs = append(svgs, e.Name())
		}
	}
	var files []string
	logos := map[string]bool{}
	byID := map[tenant.ID]*Loaded{}
	for _, l := range loaded {
		files = append(files, l.File)
		byID[l.Config.ID] = l
		if wantFile := filepath.Join(realTenants, string(l.Config.ID)+".yaml"); l.File != wantFile {
			t.Errorf("%s: File = %q, want %q", l.Config.ID, l.File, wantFile)
		}
		if !strings.Contains(string(l.Logo), "<svg") {
			t.Errorf("%s: Logo was not read: %.40q", l.Config.ID, l.Logo)
		}
		logos[l.Config.Branding.Logo] = true
	}
	slices.Sort(yamls)
	slices.Sort(files)
	if !slices.Equal(files, yamls) {
		t.Errorf("LoadPath loaded the configs of %v, want every config file in %s: %v", files, realTenants, yamls)
	}
	for _, svg := range svgs {
		if !logos[svg] {
			t.Errorf("%s: no config in %s has it as its logo", svg, realTenants)
		}
	}

	want := map[tenant.ID][]string{
		"deventer": {"0150"},
		"enschede": {"0153"},
		"zwolle":   {"0193"},
	}
	for id, codes := range want {
		l, ok := byID[id]
		if !ok {
			t.Errorf("tenant %s is missing from %s", id, realTenants)
			continue
		}
		if !slices.Equal(l.Config.CBSCodes, codes) {
			t.Errorf("%s: cbs_codes = %v, want %v", id, l.Config.CBSCodes, codes)
		}
		if l.Config.Branding.Logo != string(id)+".svg" {
			t.Errorf("%s: branding.logo = %q, want %s.svg", id, l.Config.Branding.Logo, id)
		}
	}

	dir := originalTenants(t)
	originals, err := LoadPath(dir)
	if err != nil {
		t.Fatalf("LoadPath(originalTenants): %v", err)
	}
	var ids []tenant.ID
	for _, l := range originals {
		ids = append(ids, l.Config.ID)
		if wantFile := filepath.Join(dir, string(l.Config.ID)+".yaml"); l.File != wantFile {
			t.Errorf("originalTenants: %s: File = %q, want %q", l.Config.ID, l.File, wantFile)
		}
		if real, ok := byID[l.Config.ID]; ok && (!bytes.Equal(l.Source, real.Source) || !bytes.Equal(l.Logo, real.Logo)) {
			t.Errorf("originalTenants: %s differs from its files in %s", l.Config.ID, realTenants)
		}
	}
	if !slices.Equal(ids, originalIDs) {
		t.Errorf("originalTenants loads %v, want %v", ids, originalIDs)
	}
}

func TestLoadPathValidFixture(t *testing.T) {
	t.Parallel()
	loaded, err := LoadPath(fixtureDir)
	if err != nil {
		t.Fatalf("LoadPath(%s): %v", fixtureDir, err)
	}
	if len(loaded) != 1 {
		t.Fatalf("loaded %d configs, want 1", len(loaded))
	}
	c := loaded[0].Config
	if c.ID != "hengelo" || c.Name != "Gemeente Hengelo" || c.Bank.IBAN != "NL91ABNA0417164300" ||
		!slices.Equal(c.Portal.Hosts, []string{"mijn.hengelo.example"}) {
		t.Errorf("config = %+v, want hengelo's values from the fixture", c)
	}
}

// wantErr is one problem LoadPath must report: the file (relative to the directory),
// the line counted by hand in the fixture (0 when the problem has no line) and a
// piece of the reason.
type wantErr struct {
	file   string
	line   int
	reason string
}

func TestLoadPathBadFiles(t *testing.T) {
	t.Parallel()
	fx := readFixture(t)
	// withYAML and withSVG are the fixture with one edit of its YAML or of its logo.
	withYAML := func(old, new string) func(t *testing.T) map[string]string {
		return func(t *testing.T) map[string]string {
			return map[string]string{"hengelo.yaml": edit(t, fx.yaml, old, new), "hengelo.svg": fx.svg}
		}
	}
	withSVG := func(old, new string) func(t *testing.T) map[string]string {
		return func(t *testing.T) map[string]string {
			return map[string]string{"hengelo.yaml": fx.yaml, "hengelo.svg": edit(t, fx.svg, old, new)}
		}
	}

	tests := []struct {
		name  string
		files func(t *testing.T) map[string]string
		want  []wantErr
		// wantN is the number of FieldErrors: every problem, and no spurious ones.
		wantN int
	}{
		{
			name: "unknown top-level key",
			files: func(t *testing.T) map[string]string {
				return map[string]string{"hengelo.yaml": fx.yaml + "colour_scheme: dark\n", "hengelo.svg": fx.svg}
			},
			want:  []wantErr{{"hengelo.yaml", 19, "colour_scheme: unknown key"}},
			wantN: 1,
		},
		{
			name: "rate limits: an unknown class and a limit of nothing",
			files: func(t *testing.T) map[string]string {
				y := fx.yaml + "rate_limits:\n  search: {requests: 0, per: 1m}\n  downloads: {requests: 5, per: 1m}\n  calc: {requests: 100, per: 1m}\n"
				return map[string]string{"hengelo.yaml": y, "hengelo.svg": fx.svg}
			},
			want: []wantErr{{"hengelo.yaml", 21, "rate_limits.downloads: \"downloads\" is not a class of request"},
				{"hengelo.yaml", 20, "rate_limits.search: needs requests (at least 1)"}},
			wantN: 2,
		},
		{
			name:  "unknown nested key",
			files: withYAML("  logo: hengelo.svg\n", "  logo: hengelo.svg\n  favicon: hengelo.ico\n"),
			want:  []wantErr{{"hengelo.yaml", 8, "favicon: unknown key"}},
			wantN: 1,
		},
		{
			name:  "IBAN with wrong check digits",
			files: withYAML("NL91ABNA0417164300", "NL50BANK1234567890"),
			want:  []wantErr{{"hengelo.yaml", 13, "bank.iban: IBAN check digits do not match (mod-97)"}},
			wantN: 1,
		},
		{
			name:  "colour name instead of hex",
			files: withYAML(`primary_color: "#00549F"`, `primary_color: red`),
			want:  []wantErr{{"hengelo.yaml", 5, `branding.primary_color: "red" is not a colour`}},
			wantN: 1,
		},
		{
			name:  "hex colour with five digits",
			files: withYAML(`secondary_color: "#F2A900"`, `secondary_color: "#12345"`),
			want:  []wantErr{{"hengelo.yaml", 6, `branding.secondary_color: "#12345" is not a colour`}},
			wantN: 1,
		},
		{
			// Yellow: relative luminance 0.2126+0.7152 = 0.9278, so white on it has
			// (1.05)/(0.9778) = 1.07:1, far below the 4.5:1 of WCAG 2.1 AA.
			name:  "primary colour too light for white text",
			files: withYAML(`primary_color: "#00549F"`, `primary_color: "#ffff00"`),
			want:  []wantErr{{"hengelo.yaml", 5, "contrast of 1.07:1; WCAG 2.1 AA needs at least 4.5:1"}},
			wantN: 1,
		},
		{
			// The id must equal the file's stem, so one id in two files of one
			// directory takes hengelo.yaml and hengelo.yml. The copy repeats the host too.
			name: "duplicate id across two files",
			files: func(t *testing.T) map[string]string {
				return map[string]string{"hengelo.yaml": fx.yaml, "hengelo.yml": fx.yaml, "hengelo.svg": fx.svg}
			},
			want: []wantErr{
				{"hengelo.yml", 1, `id: "hengelo" is also the id in `},
				{"hengelo.yml", 11, `portal.hosts[0]: "mijn.hengelo.example" is also a host of hengelo`},
			},
			wantN: 2,
		},
		{
			name: "duplicate host across two files",
			files: func(t *testing.T) map[string]string {
				other := edit(t, fx.yaml, "id: hengelo\n", "id: oldenzaal\n")
				return map[string]string{"hengelo.yaml": fx.yaml, "oldenzaal.yaml": other, "hengelo.svg": fx.svg}
			},
			want:  []wantErr{{"oldenzaal.yaml", 11, `portal.hosts[0]: "mijn.hengelo.example" is also a host of hengelo`}},
			wantN: 1,
		},
		{
			name:  "host listed twice in one file",
			files: withYAML("    - mijn.hengelo.example\n", "    - mijn.hengelo.example\n    - mijn.hengelo.example\n"),
			want:  []wantErr{{"hengelo.yaml", 12, `portal.hosts[1]: "mijn.hengelo.example" is listed twice`}},
			wantN: 1,
		},
		{
			name:  "id does not match the file name",
			files: withYAML("id: hengelo\n", "id: borne\n"),
			want:  []wantErr{{"hengelo.yaml", 1, `id: is "borne" but the file is named hengelo.yaml`}},
			wantN: 1,
		},
		{
			name:  "id that is not a DNS label",
			files: withYAML("id: hengelo\n", "id: Hengelo_Oost\n"),
			want:  []wantErr{{"hengelo.yaml", 1, "id: must be a DNS label"}},
			wantN: 1,
		},
		{
			name:  "CBS code of three digits",
			files: withYAML(`["0164"]`, `["164"]`),
			want:  []wantErr{{"hengelo.yaml", 3, `cbs_codes[0]: "164" is not a CBS gemeentecode`}},
			wantN: 1,
		},
		{
			name: "logo file missing",
			files: func(t *testing.T) map[string]string {
				return map[string]string{"hengelo.yaml": fx.yaml}
			},
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: cannot read "}},
			wantN: 1,
		},
		{
			name:  "logo with a script element",
			files: withSVG("</svg>", "<script>alert(document.cookie)</script></svg>"),
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: contains script"}},
			wantN: 1,
		},
		{
			name:  "logo with an event handler",
			files: withSVG(`<rect x="4"`, `<rect onclick="alert(1)" x="4"`),
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: contains script"}},
			wantN: 1,
		},
		{
			name:  "logo with an external href",
			files: withSVG("</svg>", `<image href="https://tracker.example/pixel.png" width="1" height="1"/></svg>`),
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: refers to an external resource"}},
			wantN: 1,
		},
		{
			// A namespace prefix makes the same script element.
			name: "logo with a prefixed script element",
			files: func(t *testing.T) map[string]string {
				svg := edit(t, fx.svg, `role="img"`, `xmlns:s="http://www.w3.org/2000/svg" role="img"`)
				svg = edit(t, svg, "</svg>", "<s:script>alert(1)</s:script></svg>")
				return map[string]string{"hengelo.yaml": fx.yaml, "hengelo.svg": svg}
			},
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: contains script"}},
			wantN: 1,
		},
		{
			// &#106; is "j": the XML parser decodes it, so the link is javascript:.
			name:  "logo with a character-encoded javascript link",
			files: withSVG("</svg>", `<a href="&#106;avascript:alert(1)"><text>x</text></a></svg>`),
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: contains script"}},
			wantN: 1,
		},
		{
			// &#x68; is "h": the image is fetched from https://tracker.example.
			name:  "logo with a character-encoded external href",
			files: withSVG("</svg>", `<image href="&#x68;ttps://tracker.example/p.png"/></svg>`),
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: refers to an external resource"}},
			wantN: 1,
		},
		{
			name:  "logo with an external CSS url",
			files: withSVG(`fill="#00549F"/>`, `style="fill: url(https://tracker.example/p.svg#g)"/>`),
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: refers to an external resource"}},
			wantN: 1,
		},
		{
			name: "logo with an entity declaration",
			files: func(t *testing.T) map[string]string {
				svg := `<!DOCTYPE svg [<!ENTITY j "javas">]>` + "\n" +
					edit(t, fx.svg, "</svg>", `<a href="&j;cript:alert(1)"><text>x</text></a></svg>`)
				return map[string]string{"hengelo.yaml": fx.yaml, "hengelo.svg": svg}
			},
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: declares XML entities"}},
			wantN: 1,
		},
		{
			name: "logo that is not SVG",
			files: func(t *testing.T) map[string]string {
				return map[string]string{"hengelo.yaml": fx.yaml, "hengelo.svg": "GIF89a"}
			},
			want:  []wantErr{{"hengelo.yaml", 7, "branding.logo: is not an SVG document"}},
			wantN: 1,
		},
		{
			name:  "unknown example_values path",
			files: withYAML("  - bank.iban\n", "  - bank.pin\n"),
			want:  []wantErr{{"hengelo.yaml", 18, `example_values[1]: "bank.pin" is not a config value`}},
			wantN: 1,
		},
		{
			// "a: b: c" is not YAML: a plain scalar may not hold ": ".
			name:  "malformed YAML",
			files: withYAML("\nname: Gemeente Hengelo\n", "\nname: Gemeente: Hengelo\n"),
			want:  []wantErr{{"hengelo.yaml", 2, "mapping values are not allowed"}},
			wantN: 1,
		},
		{
			name: "empty file",
			files: func(t *testing.T) map[string]string {
				return map[string]string{"hengelo.yaml": "", "hengelo.svg": fx.svg}
			},
			want:  []wantErr{{"hengelo.yaml", 0, "empty file"}},
			wantN: 1,
		},
		{
			name: "file of comments only",
			files: func(t *testing.T) map[string]string {
				return map[string]string{"hengelo.yaml": "# nothing configured yet\n", "hengelo.svg": fx.svg}
			},
			want:  []wantErr{{"hengelo.yaml", 0, "empty file"}},
			wantN: 1,
		},
		{
			name: "three problems in one file",
			files: func(t *testing.T) map[string]string {
				y := edit(t, fx.yaml, `["0164"]`, `["164"]`)
				y = edit(t, y, `primary_color: "#00549F"`, `primary_color: red`)
				y = edit(t, y, "NL91ABNA0417164300", "NL50BANK1234567890")
				return map[string]string{"hengelo.yaml": y, "hengelo.svg": fx.svg}
			},
			want: []wantErr{
				{"hengelo.yaml", 3, `cbs_codes[0]: "164" is not a CBS gemeentecode`},
				{"hengelo.yaml", 5, `branding.primary_color: "red" is not a colour`},
				{"hengelo.yaml", 13, "bank.iban: IBAN check digits do not match"},
			},
			wantN: 3,
		},
		{
			name: "problems in two files are all reported",
			files: func(t *testing.T) map[string]string {
				other := edit(t, fx.yaml, "id: hengelo\n", "id: borne\n")
				other = edit(t, other, "mijn.hengelo.example", "mijn.borne.example")
				other = edit(t, other, "BNGHNL2G", "BNG")
				bad := edit(t, fx.yaml, "  - bank.iban\n", "  - bank.pin\n")
				return map[string]string{"borne.yaml": other, "hengelo.yaml": bad, "hengelo.svg": fx.svg}
			},
			want: []wantErr{
				{"borne.yaml", 14, `bank.bic: "BNG" is not a BIC`},
				{"hengelo.yaml", 18, `example_values[1]: "bank.pin" is not a config value`},
			},
			wantN: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tt.files(t))
			loaded, err := LoadPath(dir)
			if err == nil {
				t.Fatalf("LoadPath = %d configs and no error, want %d problems", len(loaded), tt.wantN)
			}
			if loaded != nil {
				t.Errorf("LoadPath returned %d configs with its error, want none", len(loaded))
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("errors.Is(err, ErrInvalidConfig) = false for %v", err)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, want tenancy.Errors: %v", err, err)
			}
			if len(errs) != tt.wantN {
				t.Errorf("got %d problems, want %d:\n%v", len(errs), tt.wantN, err)
			}
			lines := strings.Split(err.Error(), "\n")
			for _, w := range tt.want {
				loc := filepath.Join(dir, w.file)
				if w.line > 0 {
					loc += fmt.Sprintf(":%d", w.line)
				}
				prefix := loc + ": "
				found := slices.ContainsFunc(lines, func(l string) bool {
					return strings.HasPrefix(l, prefix) && strings.Contains(l, w.reason)
				})
				if !found {
					t.Errorf("no problem %q … %q in:\n%v", prefix, w.reason, err)
				}
			}
		})
	}
}

// A single file can be loaded too; its problems come with the same positions.
func TestLoadPathSingleFile(t *testing.T) {
	t.Parallel()
	fx := readFixture(t)
	y := edit(t, fx.yaml, "account_name: Gemeente Hengelo", `account_name: "  "`)
	dir := writeFiles(t, map[string]string{"hengelo.yaml": y, "hengelo.svg": fx.svg})
	file := filepath.Join(dir, "hengelo.yaml")
	_, err := LoadPath(file)
	want := file + ":15: bank.account_name: is required"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("LoadPath(file) error = %v, want it to contain %q", err, want)
	}

	if _, err := LoadPath(filepath.Join(dir, "absent.yaml")); err == nil || errors.Is(err, ErrInvalidConfig) {
		t.Errorf("LoadPath(absent file) = %v, want a file error that is not ErrInvalidConfig", err)
	}
	empty := t.TempDir()
	if _, err := LoadPath(empty); err == nil || !strings.Contains(err.Error(), "no *.yaml files") {
		t.Errorf("LoadPath(empty dir) = %v, want an error about no *.yaml files", err)
	}
}

func TestFieldErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fe   FieldError
		want string
	}{
		{FieldError{File: "a.yaml", Line: 3, Field: "bank.bic", Msg: "bad"}, "a.yaml:3: bank.bic: bad"},
		{FieldError{File: "a.yaml", Line: 3, Msg: "bad"}, "a.yaml:3: bad"},
		{FieldError{File: "a.yaml", Msg: "empty file"}, "a.yaml: empty file"},
	}
	for _, tt := range tests {
		if got := tt.fe.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestContrast(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want float64 // WCAG 2.1 ratios worked out by hand
	}{
		{"#000000", "#ffffff", 21},   // (1+0.05)/(0+0.05)
		{"#ffffff", "#000000", 21},   // the order does not matter
		{"#ffffff", "#FFFFFF", 1},    // nor the case of the digits
		{"#ffff00", "#ffffff", 1.07}, // 1.05/(0.9278+0.05)
		{"#777777", "#ffffff", 4.48}, // the classic grey just below AA: L = 0.1845
	}
	for _, tt := range tests {
		got := contrast(tt.a, tt.b)
		if diff := got - tt.want; diff > 0.005 || diff < -0.005 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

// What the logo checks must still let through: local references and escaped text.
func TestReadLogoAcceptsLocalReferences(t *testing.T) {
	t.Parallel()
	svg := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
  <title>Gemeente &#169; Hengelo &amp; Borne</title>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#00549F"/></linearGradient>
  <rect id="r" width="10" height="10"/></defs>
  <use xlink:href="#r" style="fill: url(#g)"/>
  <rect width="5" height="5" fill="url( '#g' )"/>
</svg>
`
	dir := writeFiles(t, map[string]string{"logo.svg": svg})
	got, err := readLogo(filepath.Join(dir, "logo.svg"))
	if err != nil {
		t.Fatalf("readLogo(local references only) = %v, want it accepted", err)
	}
	if string(got) != svg {
		t.Errorf("readLogo returned %d bytes, want the file's %d", len(got), len(svg))
	}
}
