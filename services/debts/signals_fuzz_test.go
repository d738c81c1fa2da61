package debts

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
)

// FuzzDecodeSignal feeds creditors' reports (POST …/partner/signals) to the decoder
// and the validation SubmitSignal runs before any database access. A refusal names
// each field in English and Dutch; an accepted report is within the limits: a
// reference of 1 to 50 characters, an amount over 0 and at most € 100 million, 0 to
// 3650 days in arrears, a known threat, a report from 2000 up to a day after now, a
// valid BSN and a contact name.
func FuzzDecodeSignal(f *testing.F) {
	f.Add([]byte(`{"reference":"ENECO-2026-001","bsn":"111222333","amount_cents":45000,"days_in_arrears":60,"threat":"energy_cutoff","contact":{"name":"Eneco Incasso","phone":"+31 (0)10-1234567"},"reported_at":"2026-04-02"}`))
	f.Add([]byte(`{"reference":"W-1","bsn":"111222333","amount_cents":1,"days_in_arrears":0,"threat":"none","contact":{"name":"Vitens"},"reported_at":"2026-04-02T10:00:00+02:00"}`))
	f.Add([]byte(`{"reference":"","bsn":"123456789","amount_cents":0,"days_in_arrears":-1,"threat":"","contact":{},"reported_at":"2099-01-01"}`))
	f.Add([]byte(`{"reference":"a\nb","bsn":"111222333","amount_cents":10000000001,"days_in_arrears":3651,"threat":"flood","contact":{"name":"X","phone":"call me"},"reported_at":"1999-12-31"}`))
	f.Add([]byte(`{"amount_cents":"45000"}`))
	f.Add([]byte(`{"days_in_arrears":1.5}`))
	f.Add([]byte(`{"extra":true}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(``))
	now := time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/tenants/enschede/partner/signals", bytes.NewReader(body))
		r.SetPathValue("tenant", "enschede")
		got, err := decodeSignal(context.Background(), r)
		if err != nil {
			httpapitest.CheckRefusal(t, err)
			return
		}
		v := &validator{}
		s, b := v.newSignal(got.(signalRequest).Signal, now)
		if err := v.err(); err != nil {
			httpapitest.CheckRefusal(t, err)
			return
		}
		switch {
		case s.Reference == "" || utf8.RuneCountInString(s.Reference) > maxReference:
			t.Fatalf("reference %q accepted", s.Reference)
		case s.Amount <= 0 || s.Amount > maxAmount:
			t.Fatalf("amount %d accepted", s.Amount)
		case s.DaysInArrears < 0 || s.DaysInArrears > maxDays:
			t.Fatalf("days in arrears %d accepted", s.DaysInArrears)
		case s.Threat == "":
			t.Fatal("no threat accepted")
		case s.ReportedAt.Year() < 2000 || s.ReportedAt.After(now.Add(24*time.Hour)):
			t.Fatalf("reported at %v accepted", s.ReportedAt)
		case b.IsZero() || s.Contact == nil || s.Contact.Name == "":
			t.Fatalf("accepted without a BSN or a contact name: %+v", s)
		}
	})
}
