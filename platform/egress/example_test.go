package egress_test

import (
	"errors"
	"fmt"

	"github.com/plein-nl/plein/platform/egress"
)

// A webhook URL is checked when it is registered; the client checks the address again
// when it connects.
func ExampleCheckURL() {
	for _, u := range []string{
		"https://hooks.domijn.nl/plein",
		"http://hooks.domijn.nl/plein",
		"https://169.254.169.254/latest/meta-data/",
		"https://localhost:8443/hook",
	} {
		err := egress.CheckURL(u)
		fmt.Printf("%-42s forbidden=%-5v invalid=%v\n", u, errors.Is(err, egress.ErrForbiddenAddress), errors.Is(err, egress.ErrInvalidURL))
	}
	// Output:
	// https://hooks.domijn.nl/plein              forbidden=false invalid=false
	// http://hooks.domijn.nl/plein               forbidden=false invalid=true
	// https://169.254.169.254/latest/meta-data/  forbidden=true  invalid=false
	// https://localhost:8443/hook                forbidden=true  invalid=false
}
