package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/distribution"
	"github.com/plein-nl/plein/platform/law"
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
	calc := calcDistribution
	if args[0] == "month" {
		calc = calcMonth
	}
	out, err := calc(stdin)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func calcMonth(stdin io.Reader) (any, error) {
	c, err := bijstand.DecodeCase(stdin)
	if err != nil {
		return nil, fmt.Errorf("calc month: %w", err)
	}
	book, err := law.Load()
	if err != nil {
		return nil, err
	}
	r, p, err := bijstand.NewCalculator(book).Month(c)
	if err != nil {
		return nil, fmt.Errorf("calc month: %w", err)
	}
	out := r.ToJSON()
	out.LawValidFrom = p.ValidFrom.Format(time.DateOnly)
	return out, nil
}

func calcDistribution(stdin io.Reader) (any, error) {
	in, err := distribution.DecodeInput(stdin)
	if err != nil {
		return nil, fmt.Errorf("calc distribution: %w", err)
	}
	out, err := distribution.Distribute(in)
	if err != nil {
		return nil, fmt.Errorf("calc distribution: %w", err)
	}
	return out.ToJSON(), nil
}
