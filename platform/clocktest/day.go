package clocktest

import "time"

// Day is the midnight UTC that starts the day s ("YYYY-MM-DD"), for the dates a test
// writes out; it panics on anything else, since that is a typo in the test.
func Day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}
