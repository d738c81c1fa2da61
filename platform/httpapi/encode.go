package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	kithttp "github.com/go-kit/kit/transport/http"
)

// Response is an answer with what goes in its headers: a Status (200 when 0), a
// Location when set, the Version as ETag (for If-Match) when above 0, and the Body as
// JSON (none with 204).
type Response struct {
	Status   int
	Location string
	Version  int
	Body     any
}

// StatusCode implements kithttp.StatusCoder.
func (r Response) StatusCode() int {
	if r.Status == 0 {
		return http.StatusOK
	}
	return r.Status
}

// Headers implements kithttp.Headerer.
func (r Response) Headers() http.Header {
	h := http.Header{}
	if r.Location != "" {
		h.Set("Location", r.Location)
	}
	if r.Version > 0 {
		h.Set("ETag", strconv.Quote(strconv.Itoa(r.Version)))
	}
	return h
}

// EncodeJSON writes resp as JSON, never to be cached, with the status and headers it
// asks for (kithttp.StatusCoder, kithttp.Headerer; a Response's Body is what is
// written). The body is encoded before anything is sent, so that a value that cannot
// be encoded becomes the error encoder's 500 and not half an answer.
func EncodeJSON(_ context.Context, w http.ResponseWriter, resp any) error {
	if h, ok := resp.(kithttp.Headerer); ok {
		for k, vs := range h.Headers() {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	code := http.StatusOK
	if sc, ok := resp.(kithttp.StatusCoder); ok {
		code = sc.StatusCode()
	}
	if r, ok := resp.(Response); ok {
		resp = r.Body
	}
	if code == http.StatusNoContent {
		w.WriteHeader(code)
		return nil
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(resp); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, err := w.Write(buf.Bytes())
	return err
}

// YAML serves spec as application/yaml: a service's OpenAPI document.
func YAML(spec []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(spec)
	}
}
