package app

import (
	"context"
	"testing"
)

// A run of the statistics job that comes due while another still runs in
// the process does nothing (it returns at once, touching no database: the
// App here has none), instead of analyzing the same tables a second time.
func TestStatisticsJobSkipsARunWhileOneRuns(t *testing.T) {
	a := &App{}
	a.statistics.Lock() // a run in progress
	if err := a.refreshStatistics(context.Background(), refreshStatisticsArgs{}); err != nil {
		t.Fatalf("overlapping run: %v, want nil", err)
	}
	a.statistics.Unlock()
	if !a.statistics.TryLock() {
		t.Fatal("the skipped run left the job locked")
	}
}
