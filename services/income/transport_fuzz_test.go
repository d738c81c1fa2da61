package income

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
)

// FuzzDecodeEmployerPayslip feeds request bodies of POST …/partner/payslips to its
// decoder (no database). A refusal is a validation error naming each field, in
// English and Dutch; what it accepts is one strict JSON object of the payslip's
// fields, for the path's tenant, with a valid BSN and real dates.
func FuzzDecodeEmployerPayslip(f *testing.F) {
	f.Add("enschede", []byte(`{"bsn":"111222333","employer":"Acme B.V.","period_start":"2026-03-01","period_end":"2026-03-31","gross_cents":200000,"net_cents":160000,"hours_centi":6400,"pay_date":"2026-03-25"}`))
	f.Add("enschede", []byte(`{"bsn":"111222333","applicant":1,"employer":" Bakker\u0301 ","period_start":"2026-02-01","period_end":"2026-02-28","gross_cents":1,"net_cents":1,"pay_date":"2026-02-28"}`))
	f.Add("enschede", []byte(`{"bsn":"123456789","employer":"Acme","period_start":"2026-03-01","period_end":"2026-03-31","pay_date":"2026-03-25"}`))
	f.Add("enschede", []byte(`{"employer":"Acme","period_start":"2026-02-30","period_end":"31-03-2026","pay_date":""}`))
	f.Add("enschede", []byte(`{"bsn":"111222333","gross_cents":"200000"}`))
	f.Add("enschede", []byte(`{"bsn":"111222333","unknown":1}`))
	f.Add("enschede", []byte(`{"bsn":"111222333"} {}`))
	f.Add("Enschede!", []byte(`{}`))
	f.Add("zwolle", []byte(``))
	f.Add("zwolle", []byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, tenantID string, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/tenants/x/partner/payslips", bytes.NewReader(body))
		r.SetPathValue("tenant", tenantID)
		got, err := decodeEmployerPayslip(context.Background(), r)
		if err != nil {
			httpapitest.CheckRefusal(t, err)
			return
		}
		req := got.(payslipRequest)
		if string(req.Tenant) != tenantID {
			t.Fatalf("tenant %q read as %q", tenantID, req.Tenant)
		}
		if _, err := bsn.Parse(req.BSN); err != nil {
			t.Fatalf("accepted BSN %q: %v", req.BSN, err)
		}
		np := req.Payslip
		if np.PeriodStart.IsZero() || np.PeriodEnd.IsZero() || np.PayDate.IsZero() {
			t.Fatalf("accepted a payslip without its dates: %+v", np)
		}
		var in payslipJSON
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil || dec.More() {
			t.Fatalf("accepted a body that is not one strict payslip object: %v", err)
		}
		if int64(np.Gross) != in.GrossCents || int64(np.Net) != in.NetCents || np.HoursCenti != in.HoursCenti {
			t.Fatalf("amounts read as %d/%d/%d, sent %d/%d/%d", np.Gross, np.Net, np.HoursCenti, in.GrossCents, in.NetCents, in.HoursCenti)
		}
	})
}
