package httpapi_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/plein-nl/plein/platform/httpapi"
)

func TestList(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   []int
		want string
	}{
		{nil, `[]`},
		{[]int{}, `[]`},
		{[]int{1, 20}, `["1","20"]`},
	} {
		got, err := json.Marshal(httpapi.List(tt.in, strconv.Itoa))
		if err != nil || string(got) != tt.want {
			t.Errorf("List(%v) as JSON = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}
