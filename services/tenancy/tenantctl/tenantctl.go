// Package tenantctl is what the operators' `plein tenant …` commands do and print:
// apply gemeente configs with their diff, list and show the registry, move a tenant in
// its lifecycle, and offboard a gemeente with the export of its data. The command line
// (flags, databases, keys) stays in plein; these functions take the stores and a
// writer, so that the commands' rules and output are tested here without a process.
package tenantctl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/controlplane"
	"github.com/plein-nl/plein/services/tenancy"
)

// Apply applies configs validated by tenancy.LoadPath, as author, and writes to w what
// changed with the diff of each; a dry run writes nothing to the registry.
func Apply(ctx context.Context, w io.Writer, store *tenancy.Store, loaded []*tenancy.Loaded, author string, dryRun bool) error {
	changes, err := store.Apply(ctx, loaded, author, dryRun)
	if err != nil {
		return err
	}
	writeChanges(w, changes, dryRun)
	return nil
}

// ApplyQuietly applies configs as `plein dev` does at start: one log line for all the
// gemeenten that changed (its banner lists them), each of them at DEBUG.
func ApplyQuietly(ctx context.Context, log *slog.Logger, store *tenancy.Store, loaded []*tenancy.Loaded, author, from string) error {
	changes, err := store.Apply(ctx, loaded, author, false)
	if err != nil {
		return err
	}
	applied := 0
	for _, c := range changes {
		if c.Status != "unchanged" {
			applied++
			log.Debug("tenant config applied", "tenant", c.Tenant, "version", c.Version, "status", c.Status)
		}
	}
	if applied > 0 {
		log.Info("tenant configs applied", "gemeenten", applied, "from", from)
	}
	return nil
}

func writeChanges(w io.Writer, changes []tenancy.Change, dryRun bool) {
	verb := "applied"
	if dryRun {
		verb = "would apply (dry run, nothing written)"
	}
	for _, c := range changes {
		if c.Status == "unchanged" {
			if c.Pending {
				fmt.Fprintf(w, "%s: unchanged (version %d, pending from %s; version %d in force)\n", c.Tenant, c.Version, tenancy.FormatTime(c.ValidFrom), c.InForce)
				continue
			}
			fmt.Fprintf(w, "%s: unchanged (version %d)\n", c.Tenant, c.Version)
			continue
		}
		fmt.Fprintf(w, "%s: %s, %s version %d (%s)\n", c.Tenant, c.Status, verb, c.Version, c.File)
		fmt.Fprintln(w, "    "+validFromLine(c))
		for _, line := range strings.Split(strings.TrimSuffix(c.Diff, "\n"), "\n") {
			if strings.HasPrefix(line, "+ ") || strings.HasPrefix(line, "- ") {
				fmt.Fprintln(w, "    "+line)
			}
		}
	}
}

// validFromLine says when a new version takes effect, on a line of its own: valid_from
// is not part of the config, so not of its diff.
func validFromLine(c tenancy.Change) string {
	if !c.Pending {
		return "valid from " + tenancy.FormatTime(c.ValidFrom) + " (at once)"
	}
	if c.InForce == 0 {
		return "valid from " + tenancy.FormatTime(c.ValidFrom) + " (pending)"
	}
	return fmt.Sprintf("valid from %s (pending: version %d stays in force until then)", tenancy.FormatTime(c.ValidFrom), c.InForce)
}

// List writes every tenant with its version in force and the pending ones: a table, or
// JSON.
func List(ctx context.Context, w io.Writer, store *tenancy.Store, asJSON bool) error {
	list, err := store.List(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tVERSION\tPENDING\tHOSTS")
	for _, t := range list {
		pending := "-"
		if len(t.Pending) > 0 {
			var ps []string
			for _, p := range t.Pending {
				ps = append(ps, fmt.Sprintf("v%d from %s", p.Version, tenancy.FormatTime(p.ValidFrom)))
			}
			pending = strings.Join(ps, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", t.ID, t.Name, t.Status, t.Version, pending, strings.Join(t.Hosts, ","))
	}
	return tw.Flush()
}

// Show writes tenant id: the config in force (a pending version is listed above it),
// every version, and the conditions the control plane found in Kubernetes.
func Show(ctx context.Context, w io.Writer, store *tenancy.Store, conditions *controlplane.Conditions, id tenant.ID) error {
	hist, err := store.History(ctx, id)
	if err != nil {
		return err
	}
	cur, ok := tenancy.InForce(hist)
	if !ok {
		cur = hist[len(hist)-1]
	}
	fmt.Fprintf(w, "%s — %s\nversion %d in force since %s, applied %s by %s from %s\n",
		cur.Tenant, cur.Config.Name, cur.Version, tenancy.FormatTime(cur.ValidFrom), cur.AppliedAt, cur.Author, cur.File)
	for i := len(hist) - 1; i >= 0; i-- {
		if v := hist[i]; v.State == tenancy.StatePending {
			fmt.Fprintf(w, "version %d pending: takes effect at %s (applied %s by %s)\n", v.Version, tenancy.FormatTime(v.ValidFrom), v.AppliedAt, v.Author)
		}
	}
	fmt.Fprintf(w, "\n%s\nhistory:\n", cur.Config.Canonical())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  VERSION\tVALID FROM\tSTATE\tAPPLIED\tBY")
	for _, v := range hist {
		fmt.Fprintf(tw, "  v%d\t%s\t%s\t%s\t%s\n", v.Version, tenancy.FormatTime(v.ValidFrom), strings.ReplaceAll(v.State, "_", " "), v.AppliedAt, v.Author)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	conds, err := conditions.Get(ctx, string(id))
	if err != nil {
		return err
	}
	if len(conds) == 0 {
		fmt.Fprintln(w, "\nconditions: none yet (no control plane has reconciled this tenant)")
		return nil
	}
	fmt.Fprintln(w, "\nconditions (plein controlplane):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  TYPE\tSTATUS\tREASON\tVERSION\tSINCE\tMESSAGE")
	for _, c := range conds {
		fmt.Fprintf(tw, "  %s\t%s\t%s\tv%d\t%s\t%s\n", c.Type, c.Status, c.Reason, c.ObservedVersion,
			c.LastTransitionTime.UTC().Format(time.RFC3339), c.Message)
	}
	return tw.Flush()
}

// Transition moves tenant id in its lifecycle (suspend: the portal read-only with a
// banner, settlement frozen, nothing deleted; or resume) and writes the event.
func Transition(ctx context.Context, w io.Writer, store *tenancy.Store, id tenant.ID, to tenancy.Status, author, reason string) error {
	ev, err := store.Transition(ctx, id, to, author, reason)
	if err != nil {
		return err
	}
	writeEvent(w, ev)
	return nil
}

func writeEvent(w io.Writer, ev tenancy.Event) {
	fmt.Fprintf(w, "%s: %s → %s (event %d, by %s: %s)\n", ev.Tenant, ev.From, ev.To, ev.Seq, ev.Actor, ev.Reason)
}

// Events writes tenant id's lifecycle events.
func Events(ctx context.Context, w io.Writer, store *tenancy.Store, id tenant.ID) error {
	evs, err := store.Events(ctx, id)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tAT\tFROM\tTO\tBY\tREASON")
	for _, e := range evs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.Format(time.RFC3339), e.From, e.To, e.Actor, e.Reason)
	}
	return tw.Flush()
}

// DefaultAuthor is who a tenant command records as its author without --author: the
// user running it, at the host it runs on.
func DefaultAuthor() string {
	host, _ := os.Hostname()
	return audit.OSUser() + "@" + host
}

// Portals writes the banner of `plein dev` once it serves on addr: every tenant's
// portal, the staff API and the probes.
func Portals(w io.Writer, addr string, dir *tenancy.Directory, took time.Duration) {
	base := "http://" + addr
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nPlein is running (ready in %.1f s). Portals:\n", took.Seconds())
	width := 0
	for _, t := range dir.All() {
		width = max(width, utf8.RuneCountInString(t.Config.Name))
	}
	for _, t := range dir.All() {
		fmt.Fprintf(&sb, "  %-*s %s/t/%s/\n", width, t.Config.Name, base, t.Config.ID)
	}
	fmt.Fprintf(&sb, "\nStaff API %s/api/v1/  health %s/healthz  %s/readyz  metrics %s/metrics\n", base, base, base, base)
	fmt.Fprintf(&sb, "Local test login (dev only): %s/t/<gemeente>/login\nPress Ctrl-C to stop.\n\n", base)
	fmt.Fprint(w, sb.String())
}
