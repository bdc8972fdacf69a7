package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// errBrokenChain makes `audit verify` exit non-zero: a broken chain is a
// finding for the operator, not a fault of the command.
var errBrokenChain = errs.E("audit verify", errs.Conflict, "the audit chain is broken")

// auditCmd verifies the audit hash chain of one organisation (--org) or of
// every organisation, printing each break with its seq.
func auditCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "verify" {
		return errs.E("audit", errs.Malformed, "usage: patrolsync audit verify [--org SLUG]")
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	slug := fs.String("org", "", "the organisation's slug (default: every organisation)")
	a, err := openApp(ctx, fs, args[1:], getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	var orgs []string
	if *slug != "" {
		_, org, err := a.Org.ActAsOrg(ctx, *slug)
		if err != nil {
			return err
		}
		orgs = []string{org.ID}
	} else if orgs, err = a.DB.Read(ctx).OrgIDs(); err != nil {
		return err
	}
	broken := false
	for _, id := range orgs {
		report, err := a.Audit.Verify(ctx, id)
		if err != nil {
			return err
		}
		printReport(stdout, report.OrgID, report.Checked, report.Problems)
		broken = broken || !report.OK
	}
	if broken {
		return errBrokenChain
	}
	return nil
}

func printReport(w io.Writer, org string, checked int64, problems []store.AuditProblem) {
	if len(problems) == 0 {
		fmt.Fprintf(w, "org %s: ok, %d entries\n", org, checked)
		return
	}
	fmt.Fprintf(w, "org %s: BROKEN, %d entries checked\n", org, checked)
	for _, p := range problems {
		fmt.Fprintf(w, "  seq %d: %s\n", p.Seq, p.Problem)
	}
}
