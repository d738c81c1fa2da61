package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/distribution"
)

// cmdCalc runs a pure engine: a case as JSON on stdin, the result as JSON on stdout.
// No database. month is the bijstand month, distribution the minnelijk-traject offers.
func cmdCalc(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "month" && args[0] != "distribution") {
		return usageError{"plein calc: want month or distribution"}
	}
	fs := newFlags("calc "+args[0], stderr)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	var out any
	var err error
	if args[0] == "month" {
		out, err = bijstand.MonthOfJSON(stdin)
	} else {
		out, err = distribution.DistributeJSON(stdin)
	}
	if err != nil {
		return fmt.Errorf("calc %s: %w", args[0], err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
