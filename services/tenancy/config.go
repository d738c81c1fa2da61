package tenancy

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/plein-nl/plein/platform/clock"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/platform/tenant"
)

// Config is version 1 of a gemeente's configuration, as written in tenants/<id>.yaml.
// Decoding is strict: an unknown key is an error.
type Config struct {
	ID       tenant.ID `yaml:"id" json:"id"`
	Name     string    `yaml:"name" json:"name"`
	CBSCodes []string  `yaml:"cbs_codes" json:"cbs_codes"`
	Branding Branding  `yaml:"branding" json:"branding"`
	Portal   Portal    `yaml:"portal" json:"portal"`
	Bank     Bank      `yaml:"bank" json:"bank"`
	// Settlement holds the gemeente's choices for the monthly payment; optional.
	Settlement Settlement `yaml:"settlement,omitempty" json:"settlement"`
	// Hosting is where the gemeente's work runs: on the shared pods (the default), or
	// on a silo of its own that the control plane builds (a big gemeente); optional.
	Hosting Hosting `yaml:"hosting,omitempty" json:"hosting"`
	// RateLimits override the platform's rate limits (ratelimit.Defaults) per class of
	// request: signin, partner, partner_key, search, calc; e.g.
	// `search: {requests: 30, per: 1m}`.
	RateLimits map[ratelimit.Class]ratelimit.Limit `yaml:"rate_limits,omitempty" json:"rate_limits,omitempty"`
	// ExampleValues lists the dotted paths of values that are examples, not the
	// gemeente's real ones (a value that is not public), so nobody takes them for real.
	ExampleValues []string `yaml:"example_values,omitempty" json:"example_values,omitempty"`
}

// Branding is the gemeente's house style, turned into design tokens for the portal.
type Branding struct {
	PrimaryColor   string `yaml:"primary_color" json:"primary_color"`
	SecondaryColor string `yaml:"secondary_color" json:"secondary_color"`
	// Logo is an SVG file, relative to the config file.
	Logo string `yaml:"logo" json:"logo"`
	// Font is a CSS font-family list.
	Font string `yaml:"font" json:"font"`
}

// Portal holds the resident portal's settings.
type Portal struct {
	// Hosts are the portal's host names; each belongs to one tenant only.
	Hosts []string `yaml:"hosts" json:"hosts"`
}

// Bank is the gemeente's account that settlements are paid from.
type Bank struct {
	IBAN        string `yaml:"iban" json:"iban"`
	BIC         string `yaml:"bic" json:"bic"`
	AccountName string `yaml:"account_name" json:"account_name"`
}

// Settlement is how the gemeente pays: the day of the month, and the leefgeld floor
// that payments made on the resident's behalf never go below [policy].
type Settlement struct {
	// PayDay is the day of the month the bijstand is paid (moved to the Friday before
	// when it falls in a weekend); 0 means the default, 25.
	PayDay int `yaml:"pay_day,omitempty" json:"pay_day,omitempty"`
	// MinCashPayoutCents is the minimum the resident keeps in cash after on_behalf
	// payments (docs/domain.md §3).
	MinCashPayoutCents int64 `yaml:"min_cash_payout_cents,omitempty" json:"min_cash_payout_cents,omitempty"`
	// RunLeadDays is how many days before the pay date the month's run starts by
	// itself, leaving time for the dry-run check and the approval; 0 means 5.
	RunLeadDays int `yaml:"run_lead_days,omitempty" json:"run_lead_days,omitempty"`
	// VakantietoeslagMonth is the month (1–12) the vakantietoeslag reserve is paid
	// out; 0 means May (docs/domain.md §1).
	VakantietoeslagMonth int `yaml:"vakantietoeslag_month,omitempty" json:"vakantietoeslag_month,omitempty"`
	// SEPAVersion is the pain.001 version the gemeente's bank takes:
	// "pain.001.001.09" (the default) or "pain.001.001.03".
	SEPAVersion string `yaml:"sepa_version,omitempty" json:"sepa_version,omitempty"`
}

// The hosting tiers.
const (
	TierShared = "shared"
	TierSilo   = "silo"
)

// Hosting is the tenant's tier. On the silo tier the control plane gives the gemeente a
// namespace with its own worker Deployment, ResourceQuota and NetworkPolicy.
type Hosting struct {
	// Tier is "shared" (the default) or "silo".
	Tier string `yaml:"tier,omitempty" json:"tier,omitempty"`
	// Workers is the number of worker pods of a silo; 0 means 2.
	Workers int `yaml:"workers,omitempty" json:"workers,omitempty"`
	// CPU and Memory are the silo's ResourceQuota (Kubernetes quantities); empty means
	// "4" CPUs and "8Gi".
	CPU    string `yaml:"cpu,omitempty" json:"cpu,omitempty"`
	Memory string `yaml:"memory,omitempty" json:"memory,omitempty"`
}

// MaxSiloID is the longest id of a tenant on the silo tier: its namespace (plein-<id>)
// and job queue (silo_<id>) must stay within Kubernetes' and River's limits.
const MaxSiloID = 50

// Defaults of a silo.
const (
	DefaultSiloWorkers = 2
	DefaultSiloCPU     = "4"
	DefaultSiloMemory  = "8Gi"
)

// TierOrDefault returns the tier in force.
func (h Hosting) TierOrDefault() string { return cmp.Or(h.Tier, TierShared) }

// WorkersOrDefault returns the number of silo workers.
func (h Hosting) WorkersOrDefault() int { return cmp.Or(h.Workers, DefaultSiloWorkers) }

// CPUOrDefault returns the silo's CPU quota.
func (h Hosting) CPUOrDefault() string { return cmp.Or(h.CPU, DefaultSiloCPU) }

// MemoryOrDefault returns the silo's memory quota.
func (h Hosting) MemoryOrDefault() string { return cmp.Or(h.Memory, DefaultSiloMemory) }

// Defaults of the settlement settings.
const (
	DefaultRunLeadDays          = 5
	DefaultVakantietoeslagMonth = 5
	DefaultSEPAVersion          = "pain.001.001.09"
)

// RunLeadDaysOrDefault returns the lead days in force.
func (s Settlement) RunLeadDaysOrDefault() int { return cmp.Or(s.RunLeadDays, DefaultRunLeadDays) }

// VakantietoeslagMonthOrDefault returns the payout month in force.
func (s Settlement) VakantietoeslagMonthOrDefault() int {
	return cmp.Or(s.VakantietoeslagMonth, DefaultVakantietoeslagMonth)
}

// SEPAVersionOrDefault returns the pain.001 version in force.
func (s Settlement) SEPAVersionOrDefault() string { return cmp.Or(s.SEPAVersion, DefaultSEPAVersion) }

// DefaultPayDay is the pay day of a gemeente that sets none.
const DefaultPayDay = 25

// PayDayOrDefault returns the pay day in force.
func (s Settlement) PayDayOrDefault() int { return cmp.Or(s.PayDay, DefaultPayDay) }

// Loaded is a config read from a file, with what is needed to apply it.
type Loaded struct {
	Config Config
	// ValidFrom is when the version takes effect, from the file's top-level valid_from;
	// zero when the file has none (at once). It is not part of Config: it says when a
	// version holds, not what the gemeente's configuration is, so it stays out of the
	// canonical text that versions are compared and diffed by.
	ValidFrom time.Time
	File      string
	Source    []byte
	Logo      []byte
	root      *yaml.Node
}

// document is a config file: the Config, and when it takes effect.
type document struct {
	Config    `yaml:",inline"`
	ValidFrom yaml.Node `yaml:"valid_from,omitempty"`
}

// amsterdam is the zone a valid_from date is a day in.
var amsterdam = clock.Amsterdam

// parseValidFrom reads a valid_from value: an RFC 3339 date-time, or a date, which
// means its 00:00 in Europe/Amsterdam.
func parseValidFrom(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, amsterdam); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2027-01-01, meaning 00:00 in Europe/Amsterdam) or an RFC 3339 date-time (2027-01-01T00:00:00+01:00)", s)
}

// FieldError is a validation error at a place in a config file.
type FieldError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// ErrInvalidConfig wraps every validation failure.
var ErrInvalidConfig = errors.New("invalid tenant config")

// Errors is the list of all problems found in a set of config files.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap makes errors.Is(err, ErrInvalidConfig) hold.
func (es Errors) Unwrap() error { return ErrInvalidConfig }

// LoadPath reads one file, or every *.yaml and *.yml file of a directory, and
// validates each file and the set (duplicate ids and hosts). It returns every problem
// found, not only the first.
func LoadPath(path string) ([]*Loaded, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tenancy: %w", err)
	}
	files := []string{path}
	if fi.IsDir() {
		files = nil
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, _ := filepath.Glob(filepath.Join(path, pat))
			files = append(files, m...)
		}
		slices.Sort(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("tenancy: no *.yaml files in %s", path)
		}
	}
	var all []*Loaded
	var errs Errors
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("tenancy: %w", err)
		}
		l, ferrs := Parse(f, src)
		errs = append(errs, ferrs...)
		if l != nil {
			all = append(all, l)
		}
	}
	errs = append(errs, checkSet(all)...)
	if len(errs) > 0 {
		return nil, errs
	}
	return all, nil
}

var lineRE = regexp.MustCompile(`line (\d+): (.*)`)

// Parse decodes and validates one config file. The logo is read relative to file.
func Parse(file string, src []byte) (*Loaded, Errors) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, Errors{yamlError(file, err)}
	}
	if len(root.Content) == 0 {
		return nil, Errors{{File: file, Msg: "empty file"}}
	}
	var errs Errors
	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, msg := range te.Errors {
				errs = append(errs, typeError(file, msg))
			}
			return nil, errs
		}
		return nil, Errors{yamlError(file, err)}
	}
	l := &Loaded{Config: doc.Config, File: file, Source: src, root: &root}
	if v := doc.ValidFrom; v.Kind != 0 {
		t, err := parseValidFrom(v.Value)
		switch {
		case v.Kind != yaml.ScalarNode:
			l.fail(&errs, "valid_from", "must be a date (2027-01-01) or an RFC 3339 date-time, not a list or a map", "valid_from")
		case err != nil:
			l.fail(&errs, "valid_from", err.Error(), "valid_from")
		default:
			l.ValidFrom = t
		}
	}
	errs = append(errs, l.validate()...)
	if len(errs) > 0 {
		return nil, errs
	}
	return l, nil
}

func yamlError(file string, err error) *FieldError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &FieldError{File: file, Line: n, Msg: m[2]}
	}
	return &FieldError{File: file, Msg: msg}
}

var unknownFieldRE = regexp.MustCompile(`field (\S+) not found in type`)

func typeError(file, msg string) *FieldError {
	fe := &FieldError{File: file, Msg: msg}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		fe.Msg = m[2]
	}
	if m := unknownFieldRE.FindStringSubmatch(fe.Msg); m != nil {
		fe.Field = m[1]
		fe.Msg = "unknown key (not part of the tenant config schema)"
	}
	return fe
}

// line returns the line of the value at path (keys; an int selects a sequence item),
// or of the nearest parent that exists.
func (l *Loaded) line(path ...any) int {
	n := l.root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := n.Line
	for _, p := range path {
		var next *yaml.Node
		switch k := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == k {
						next = n.Content[i+1]
						best = n.Content[i].Line
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && k < len(n.Content) {
				next = n.Content[k]
			}
		}
		if next == nil {
			return best
		}
		n = next
		best = n.Line
	}
	return best
}

func (l *Loaded) fail(errs *Errors, field string, msg string, path ...any) {
	*errs = append(*errs, &FieldError{File: l.File, Line: l.line(path...), Field: field, Msg: msg})
}

var (
	cbsRE   = regexp.MustCompile(`^[0-9]{4}$`)
	cpuRE   = regexp.MustCompile(`^([1-9][0-9]{0,2}|[1-9][0-9]{2,5}m)$`)
	memRE   = regexp.MustCompile(`^[1-9][0-9]{0,5}(Mi|Gi)$`)
	colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	fontRE  = regexp.MustCompile(`^[A-Za-z0-9 ,'"-]{1,200}$`)
	bicRE   = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
	hostRE  = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// knownPaths are the dotted paths example_values may name.
var knownPaths = []string{"name", "cbs_codes", "branding.primary_color", "branding.secondary_color",
	"branding.logo", "branding.font", "portal.hosts", "bank.iban", "bank.bic", "bank.account_name",
	"settlement.pay_day", "settlement.min_cash_payout_cents", "settlement.run_lead_days",
	"settlement.vakantietoeslag_month", "settlement.sepa_version", "hosting.tier", "hosting.workers",
	"hosting.cpu", "hosting.memory"}

func (l *Loaded) validate() Errors {
	var errs Errors
	l.validateIdentity(&errs)
	l.validateBranding(&errs)
	l.validatePortal(&errs)
	l.validateMoney(&errs)
	l.validateHosting(&errs)
	l.validateRest(&errs)
	return errs
}

// validateIdentity checks the id (and the file it is named by), the name and the CBS codes.
func (l *Loaded) validateIdentity(errs *Errors) {
	c := &l.Config
	if _, err := tenant.Parse(string(c.ID)); err != nil {
		l.fail(errs, "id", "must be a DNS label: lower-case letters, digits and '-', at most 63 characters", "id")
	} else if stem := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(l.File), ".yaml"), ".yml"); stem != string(c.ID) {
		l.fail(errs, "id", fmt.Sprintf("is %q but the file is named %s: name the file <id>.yaml", c.ID, filepath.Base(l.File)), "id")
	}
	if strings.TrimSpace(c.Name) == "" {
		l.fail(errs, "name", "is required", "name")
	}
	if len(c.CBSCodes) == 0 {
		l.fail(errs, "cbs_codes", "at least one CBS gemeentecode (4 digits, e.g. \"0153\") is required", "cbs_codes")
	}
	seen := map[string]bool{}
	for i, code := range c.CBSCodes {
		if !cbsRE.MatchString(code) {
			l.fail(errs, fmt.Sprintf("cbs_codes[%d]", i), fmt.Sprintf("%q is not a CBS gemeentecode: 4 digits, quoted, e.g. \"0153\"", code), "cbs_codes", i)
		}
		if seen[code] {
			l.fail(errs, fmt.Sprintf("cbs_codes[%d]", i), fmt.Sprintf("%q is listed twice", code), "cbs_codes", i)
		}
		seen[code] = true
	}
}

// validateBranding checks the colours (white text on the primary colour at WCAG 2.1 AA), the font and reads the logo.
func (l *Loaded) validateBranding(errs *Errors) {
	c := &l.Config
	b := c.Branding
	for _, col := range []struct{ field, key, v string }{
		{"branding.primary_color", "primary_color", b.PrimaryColor},
		{"branding.secondary_color", "secondary_color", b.SecondaryColor},
	} {
		if !colorRE.MatchString(col.v) {
			l.fail(errs, col.field, fmt.Sprintf("%q is not a colour: use #RRGGBB", col.v), "branding", col.key)
		}
	}
	// White text sits on the primary colour (header, buttons): WCAG 2.1 AA asks 4.5:1.
	if colorRE.MatchString(b.PrimaryColor) {
		if r := contrast(b.PrimaryColor, "#ffffff"); r < 4.5 {
			l.fail(errs, "branding.primary_color", fmt.Sprintf("%s gives white text a contrast of %.2f:1; WCAG 2.1 AA needs at least 4.5:1: choose a darker colour", b.PrimaryColor, r), "branding", "primary_color")
		}
	}
	if b.Font != "" && !fontRE.MatchString(b.Font) {
		l.fail(errs, "branding.font", "may hold only letters, digits, spaces, commas, quotes and '-'", "branding", "font")
	}
	if b.Logo == "" {
		l.fail(errs, "branding.logo", "is required: an SVG file next to the config", "branding")
	} else if logo, err := readLogo(filepath.Join(filepath.Dir(l.File), b.Logo)); err != nil {
		l.fail(errs, "branding.logo", err.Error(), "branding", "logo")
	} else {
		l.Logo = logo
	}
}

// validatePortal checks the portal's host names.
func (l *Loaded) validatePortal(errs *Errors) {
	c := &l.Config
	if len(c.Portal.Hosts) == 0 {
		l.fail(errs, "portal.hosts", "at least one host name is required", "portal")
	}
	hosts := map[string]bool{}
	for i, h := range c.Portal.Hosts {
		if !hostRE.MatchString(h) || len(h) > 253 {
			l.fail(errs, fmt.Sprintf("portal.hosts[%d]", i), fmt.Sprintf("%q is not a lower-case DNS host name", h), "portal", "hosts", i)
		}
		if hosts[h] {
			l.fail(errs, fmt.Sprintf("portal.hosts[%d]", i), fmt.Sprintf("%q is listed twice", h), "portal", "hosts", i)
		}
		hosts[h] = true
	}
}

// validateMoney checks the bank account and the settlement settings.
func (l *Loaded) validateMoney(errs *Errors) {
	c := &l.Config
	if _, err := iban.Parse(c.Bank.IBAN); err != nil {
		l.fail(errs, "bank.iban", err.Error(), "bank", "iban")
	}
	if !bicRE.MatchString(c.Bank.BIC) {
		l.fail(errs, "bank.bic", fmt.Sprintf("%q is not a BIC: 8 or 11 characters, e.g. BNGHNL2G", c.Bank.BIC), "bank", "bic")
	}
	if n := len([]rune(strings.TrimSpace(c.Bank.AccountName))); n == 0 || n > 70 {
		l.fail(errs, "bank.account_name", "is required, at most 70 characters (the SEPA limit)", "bank", "account_name")
	}
	if st := c.Settlement; st.PayDay < 0 || st.PayDay > 28 {
		l.fail(errs, "settlement.pay_day", "must be a day from 1 to 28 (every month has it)", "settlement", "pay_day")
	}
	if st := c.Settlement; st.MinCashPayoutCents < 0 || st.MinCashPayoutCents > 100000 {
		l.fail(errs, "settlement.min_cash_payout_cents", "must be between 0 and 100000 (€ 1.000,00)", "settlement", "min_cash_payout_cents")
	}
	if st := c.Settlement; st.RunLeadDays < 0 || st.RunLeadDays > 20 {
		l.fail(errs, "settlement.run_lead_days", "must be 1 to 20 days before the pay date", "settlement", "run_lead_days")
	}
	if st := c.Settlement; st.VakantietoeslagMonth < 0 || st.VakantietoeslagMonth > 12 {
		l.fail(errs, "settlement.vakantietoeslag_month", "must be a month from 1 to 12", "settlement", "vakantietoeslag_month")
	}
	if v := c.Settlement.SEPAVersion; v != "" && v != "pain.001.001.09" && v != "pain.001.001.03" {
		l.fail(errs, "settlement.sepa_version", fmt.Sprintf("%q is not supported: pain.001.001.09 or pain.001.001.03", v), "settlement", "sepa_version")
	}
}

// validateHosting checks the tier and a silo's resources.
func (l *Loaded) validateHosting(errs *Errors) {
	c := &l.Config
	if h := c.Hosting; h.Tier != "" && h.Tier != TierShared && h.Tier != TierSilo {
		l.fail(errs, "hosting.tier", fmt.Sprintf("%q is not a tier: shared or silo", h.Tier), "hosting", "tier")
	}
	if c.Hosting.Tier == TierSilo && len(c.ID) > MaxSiloID {
		l.fail(errs, "hosting.tier", fmt.Sprintf("the silo tier needs an id of at most %d characters (its namespace and job queue are named after it)", MaxSiloID), "hosting", "tier")
	}
	if h := c.Hosting; h.TierOrDefault() != TierSilo && (h.Workers != 0 || h.CPU != "" || h.Memory != "") {
		l.fail(errs, "hosting", "workers, cpu and memory are for the silo tier only: set tier: silo, or leave them out", "hosting")
	}
	if h := c.Hosting; h.Workers < 0 || h.Workers > 20 {
		l.fail(errs, "hosting.workers", "must be 1 to 20 worker pods", "hosting", "workers")
	}
	if h := c.Hosting; h.CPU != "" && !cpuRE.MatchString(h.CPU) {
		l.fail(errs, "hosting.cpu", fmt.Sprintf("%q is not a CPU quantity: whole CPUs (\"4\") or millicores (\"3500m\")", h.CPU), "hosting", "cpu")
	}
	if h := c.Hosting; h.Memory != "" && !memRE.MatchString(h.Memory) {
		l.fail(errs, "hosting.memory", fmt.Sprintf("%q is not a memory quantity: e.g. \"8Gi\" or \"512Mi\"", h.Memory), "hosting", "memory")
	}
}

// validateRest checks the rate limit overrides and the list of example values.
func (l *Loaded) validateRest(errs *Errors) {
	c := &l.Config
	for _, class := range slices.Sorted(maps.Keys(c.RateLimits)) {
		lim := c.RateLimits[class]
		switch {
		case !slices.Contains(ratelimit.Classes(), class):
			l.fail(errs, "rate_limits."+string(class), fmt.Sprintf("%q is not a class of request: signin, partner, partner_key, search or calc", class), "rate_limits", string(class))
		case !lim.Valid():
			l.fail(errs, "rate_limits."+string(class), "needs requests (at least 1) per a period of 1s to 24h, e.g. {requests: 30, per: 1m}", "rate_limits", string(class))
		}
	}
	for i, p := range c.ExampleValues {
		if !slices.Contains(knownPaths, p) {
			l.fail(errs, fmt.Sprintf("example_values[%d]", i), fmt.Sprintf("%q is not a config value; one of %s", p, strings.Join(knownPaths, ", ")), "example_values", i)
		}
	}
}

// checkSet finds what no single file shows: two files with one id, or one host.
func checkSet(all []*Loaded) Errors {
	var errs Errors
	ids := map[tenant.ID]*Loaded{}
	hosts := map[string]*Loaded{}
	for _, l := range all {
		if prev, ok := ids[l.Config.ID]; ok {
			l.fail(&errs, "id", fmt.Sprintf("%q is also the id in %s", l.Config.ID, prev.File), "id")
		}
		ids[l.Config.ID] = l
		for i, h := range l.Config.Portal.Hosts {
			if prev, ok := hosts[h]; ok && prev != l {
				l.fail(&errs, fmt.Sprintf("portal.hosts[%d]", i), fmt.Sprintf("%q is also a host of %s (%s)", h, prev.Config.ID, prev.File), "portal", "hosts", i)
			}
			hosts[h] = l
		}
	}
	return errs
}

var (
	// An element may carry a namespace prefix (<svg:script>) and still be one.
	scriptRE = regexp.MustCompile(`(?i)<\s*([a-z_][\w.-]*:)?(script|foreignObject)|\son[a-z]+\s*=|javascript:`)
	// CSS url() may point only at a fragment of the logo itself (url(#gradient)):
	// anything else, escaped or not, can fetch from elsewhere.
	extRefRE = regexp.MustCompile(`(?i)(href|src)\s*=\s*["']\s*(https?:|//|data:)|url\(\s*["']?\s*[^#\s"')]|@import`)
	// An entity can assemble "javascript:" or a URL out of pieces no pattern sees.
	entityRE = regexp.MustCompile(`(?i)<!ENTITY`)
)

// readLogo reads an SVG logo and refuses anything that could run script or fetch from
// elsewhere: the logo is served on the gemeente's own origin.
func readLogo(path string) ([]byte, error) {
	if !strings.EqualFold(filepath.Ext(path), ".svg") {
		return nil, errors.New("must be an .svg file")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s", path)
	}
	if len(b) > 100<<10 {
		return nil, errors.New("is larger than 100 KiB")
	}
	if !bytes.Contains(b, []byte("<svg")) {
		return nil, errors.New("is not an SVG document")
	}
	if entityRE.Match(b) {
		return nil, errors.New("declares XML entities, which a logo may not")
	}
	// The XML parser decodes character references in attribute values, so
	// href="&#106;avascript:" is a javascript: link: match the decoded text too.
	decoded := []byte(html.UnescapeString(string(b)))
	if scriptRE.Match(b) || scriptRE.Match(decoded) {
		return nil, errors.New("contains script or event handlers, which a logo may not")
	}
	if extRefRE.Match(b) || extRefRE.Match(decoded) {
		return nil, errors.New("refers to an external resource, which a logo may not")
	}
	return b, nil
}

// contrast returns the WCAG 2.1 contrast ratio of two #RRGGBB colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	ch := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(hex[1:3]) + 0.7152*ch(hex[3:5]) + 0.0722*ch(hex[5:7])
}

// Canonical renders the config in one fixed form (the basis of diffs between
// versions), independent of the file's comments, order and quoting.
func (c Config) Canonical() string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	_ = enc.Encode(c)
	return buf.String()
}
