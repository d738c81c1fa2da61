package auth

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/plein-nl/plein/platform/tenant"
)

// DevRole is the subcommand of the plein binary that runs every role in one
// process on a developer's machine: the only one allowed to offer the dev
// login or insecure cookies.
const DevRole = "dev"

// RefuseDevLoginInProduction returns an error wrapping ErrDevLoginInProduction
// when role (the plein subcommand: "serve", "work", "controlplane", …) would
// start with the dev login enabled. Only DevRole may; every other role,
// including one this function has never heard of, is refused. The composition
// root calls it before it listens.
func RefuseDevLoginInProduction(devLogin bool, role string) error {
	if devLogin && role != DevRole {
		return fmt.Errorf("auth: %w: role %q must not start with the local test login; it exists only for `plein dev`", ErrDevLoginInProduction, role)
	}
	return nil
}

// RefuseInsecureCookiesInProduction returns an error wrapping
// ErrInsecureCookiesInProduction when role is not DevRole and session cookies
// would be sent without the Secure flag (SessionConfig.Secure false).
func RefuseInsecureCookiesInProduction(secure bool, role string) error {
	if !secure && role != DevRole {
		return fmt.Errorf("auth: %w: role %q must set the Secure flag on session cookies", ErrInsecureCookiesInProduction, role)
	}
	return nil
}

// DevPerson is someone a developer can log in as with the dev login.
type DevPerson struct {
	// Key is the form value that picks this person; unique within a list.
	Key string
	// Label is what the login page shows, e.g. "Sam de Vries".
	Label string
	// Subject becomes Identity.Subject; "dev:" + Key when empty.
	Subject string
	// Name becomes Identity.Name.
	Name string
	// Role is the one role the session carries, e.g. RoleConsulent.
	Role string
	// ResidentID becomes Identity.ResidentID, for a resident.
	ResidentID string
}

// DefaultDevPeople returns one resident and one person per staff role. The
// resident has no ResidentID: pass seeded residents to Handler to log in as one.
func DefaultDevPeople() []DevPerson {
	return []DevPerson{
		{Key: "inwoner", Label: "Sam de Vries", Name: "Sam de Vries (test)", Role: RoleResident},
		{Key: "consulent", Label: "Consulent", Name: "Consulent (test)", Role: RoleConsulent},
		{Key: "schuldhulpverlener", Label: "Schuldhulpverlener", Name: "Schuldhulpverlener (test)", Role: RoleSchuldhulpverlener},
		{Key: "tenant-admin", Label: "Beheerder van de gemeente", Name: "Beheerder (test)", Role: RoleTenantAdmin},
	}
}

// DevLogin is the local test login of `plein dev`: a page on which a developer
// picks a resident or a staff role and gets a portal session for it, with
// Identity.Method MethodDev and no password. It must never run in production;
// see RefuseDevLoginInProduction.
type DevLogin struct {
	sessions *Sessions
	enabled  bool
	peopleOf func(tenant.ID) []DevPerson
}

// WithPeople makes the login page list, per tenant, the people f returns (seeded
// residents with their ResidentID, say) instead of the list given to Handler.
func (d *DevLogin) WithPeople(f func(tenant.ID) []DevPerson) *DevLogin {
	d.peopleOf = f
	return d
}

// NewDevLogin returns a DevLogin issuing sessions with sessions. When enabled
// is false, or sessions do not accept the test login's sessions
// (SessionConfig.AcceptDev), every handler it makes answers 404, as if it did
// not exist.
func NewDevLogin(sessions *Sessions, enabled bool) *DevLogin {
	return &DevLogin{sessions: sessions, enabled: enabled}
}

//go:embed devlogin.html
var devLoginHTML string

// Handler serves the dev login for the tenant tenantOf finds in the request
// (404 when it finds none). GET shows the page; POST, guarded by CrossOrigin,
// issues the session of the picked person and redirects (303) to homeOf's URL
// for the tenant — "/t/<tenant>/" when homeOf is nil. people nil means
// DefaultDevPeople; of people with equal keys the first wins.
func (d *DevLogin) Handler(tenantOf func(*http.Request) (tenant.ID, bool), homeOf func(tenant.ID) string, people []DevPerson) http.Handler {
	if !d.enabled || d.sessions == nil || !d.sessions.acceptDev {
		return http.NotFoundHandler()
	}
	if people == nil {
		people = DefaultDevPeople()
	}
	people = slices.Clone(people)
	if homeOf == nil {
		homeOf = func(t tenant.ID) string { return "/t/" + string(t) + "/" }
	}
	page := template.Must(template.New("devlogin").Funcs(template.FuncMap{
		"roleLabel": roleLabel,
	}).Parse(devLoginHTML))
	h := &devLoginHandler{sessions: d.sessions, page: page, tenantOf: tenantOf, homeOf: homeOf, people: people, dl: d}
	return CrossOrigin(h)
}

type devLoginHandler struct {
	sessions *Sessions
	page     *template.Template
	tenantOf func(*http.Request) (tenant.ID, bool)
	homeOf   func(tenant.ID) string
	people   []DevPerson
	dl       *DevLogin // read per request: WithPeople may come after Handler
}

func (h *devLoginHandler) peopleFor(t tenant.ID) []DevPerson {
	if h.dl.peopleOf != nil {
		return h.dl.peopleOf(t)
	}
	return h.people
}

func (h *devLoginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t, ok := h.tenantOf(r)
	if !ok || !t.Valid() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.render(w, t)
	case http.MethodPost:
		h.login(w, r, t)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (h *devLoginHandler) render(w http.ResponseWriter, t tenant.ID) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	data := struct {
		Tenant tenant.ID
		People []DevPerson
	}{t, h.peopleFor(t)}
	// An error here can only be a failed write; the headers are gone by then.
	_ = h.page.Execute(w, data)
}

func (h *devLoginHandler) login(w http.ResponseWriter, r *http.Request, t tenant.ID) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	key := r.PostFormValue("person")
	people := h.peopleFor(t)
	i := slices.IndexFunc(people, func(p DevPerson) bool { return p.Key == key })
	if key == "" || i < 0 {
		http.Error(w, "Kies een persoon uit de lijst. / Choose a person from the list.", http.StatusBadRequest)
		return
	}
	p := people[i]
	subject := p.Subject
	if subject == "" {
		subject = "dev:" + p.Key
	}
	_, err := h.sessions.Issue(w, Identity{
		Subject:    subject,
		Tenant:     t,
		Roles:      []string{p.Role},
		ResidentID: p.ResidentID,
		Name:       p.Name,
		Method:     MethodDev,
	})
	if err != nil {
		http.Error(w, "Inloggen is mislukt. / Login failed.", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, h.homeOf(t), http.StatusSeeOther)
}

// roleLabel names a role in plain Dutch on the login page.
func roleLabel(role string) string {
	switch role {
	case RoleResident:
		return "inwoner"
	case RoleConsulent:
		return "consulent"
	case RoleSchuldhulpverlener:
		return "schuldhulpverlener"
	case RoleTenantAdmin:
		return "beheerder gemeente (tenant-admin)"
	default:
		return strings.TrimSpace(role)
	}
}
