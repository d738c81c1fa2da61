package httpapi_test

import (
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/httpapi"
)

func TestPatch(t *testing.T) {
	t.Parallel()
	type record struct {
		Name string
		Paid bool
		Note string
	}
	var checked []string
	upper := func(field, s string) string {
		checked = append(checked, field)
		return strings.ToUpper(s)
	}
	name, paid := "jan", true
	var set httpapi.Patch[record]
	httpapi.Set(&set, "name", &name, upper, func(r *record, s string) { r.Name = s })
	httpapi.Set(&set, "paid", &paid, httpapi.Keep, func(r *record, b bool) { r.Paid = b })
	httpapi.Set(&set, "note", nil, upper, func(r *record, s string) { r.Note = s })
	if len(checked) != 1 || checked[0] != "name" {
		t.Errorf("checked %v, want only name (checked when set, a field left out not at all)", checked)
	}
	rec := record{Name: "piet", Note: "kept"}
	set.Apply(&rec)
	if want := (record{Name: "JAN", Paid: true, Note: "kept"}); rec != want {
		t.Errorf("patched record = %+v, want %+v", rec, want)
	}
}
