package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
)

// cmdCalc runs the pure calculation engine: a case as JSON on stdin, the result as JSON
// on stdout. No database.
func cmdCalc(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "month" && args[0] != "distribution") {
		return usageError{"plein calc: want month or distribution"}
	}
	fs := newFlags("calc "+args[0], stderr)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if args[0] == "distribution" {
		return calcDistribution(stdin, stdout)
	}
	c, err := bijstand.DecodeCase(stdin)
	if err != nil {
		return fmt.Errorf("calc month: %w", err)
	}
	book, err := law.Load()
	if err != nil {
		return err
	}
	r, p, err := bijstand.NewCalculator(book).Month(c)
	if err != nil {
		return fmt.Errorf("calc month: %w", err)
	}
	out := r.ToJSON()
	out.LawValidFrom = p.ValidFrom.Format(time.DateOnly)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
