package auth

import (
	"net/http"
)

// CrossOrigin wraps next with net/http's CrossOriginProtection: a POST, PUT,
// PATCH or DELETE that a browser marks as coming from another origin
// (Sec-Fetch-Site, or an Origin that does not match Host) is refused with 403
// before next sees it. GET, HEAD and OPTIONS always pass, so they must never
// change state. Requests without those headers (curl, partner systems) pass:
// they carry no ambient cookie a forger could ride on.
//
// It complements Sessions.CheckCSRF, which also covers browsers that send
// neither header, and it is the only CSRF defence for forms shown before login
// (the dev login). The OIDC callback must therefore come back as a GET
// (response_mode=query, the default), not as a cross-site form_post.
func CrossOrigin(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(denyCrossOrigin))
	return p.Handler(next)
}

func denyCrossOrigin(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte("Dit verzoek komt van een andere website en is geweigerd. Ga terug en probeer het opnieuw.\n" +
		"This request came from another website and was refused. Go back and try again.\n"))
}
