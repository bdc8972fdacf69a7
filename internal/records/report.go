package records

import (
	"context"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// Report renders an inspection as PDF.
func (s *Service) Report(ctx context.Context, id string) ([]byte, error) {
	return nil, errs.E("records.Report", errs.Unavailable, "not yet")
}
