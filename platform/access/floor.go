package access

import (
	"bytes"
	"maps"
	"net/http"
	"time"
)

// Floor answers at a whole multiple of d after the request came in (at least d),
// whatever it answers: an answer slowed by load past d is rounded up to 2d, not sent
// at its own time, so what time is left to see is coarse. It keeps a partner API's
// timing from telling which BSNs a gemeente knows.
func Floor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		fw := &floorWriter{header: http.Header{}}
		next.ServeHTTP(fw, r)
		took := time.Since(start)
		if rest := (took/d+1)*d - took; rest > 0 {
			select {
			case <-time.After(rest):
			case <-r.Context().Done():
				return
			}
		}
		maps.Copy(w.Header(), fw.header)
		if fw.status == 0 {
			fw.status = http.StatusOK
		}
		w.WriteHeader(fw.status)
		_, _ = w.Write(fw.body.Bytes())
	})
}

// floorWriter holds an answer until the floor has passed.
type floorWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (f *floorWriter) Header() http.Header { return f.header }

func (f *floorWriter) WriteHeader(status int) {
	if f.status == 0 {
		f.status = status
	}
}

func (f *floorWriter) Write(b []byte) (int, error) {
	if f.status == 0 {
		f.status = http.StatusOK
	}
	return f.body.Write(b)
}
