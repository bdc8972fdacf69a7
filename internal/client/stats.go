package client

import (
	"context"
	"fmt"
)

// Stats describe the device: what is stored, and what this process did on
// the network since Open.
type Stats struct {
	Outbox   int            // mutations waiting to be pushed
	Results  map[string]int // answered mutations by status, all time
	Replica  map[string]int // entities by type
	Attempts int            // most push attempts of a pending mutation
	Media    map[string]int // media in the queue by state (queued, declared, uploaded, stored, failed)

	Requests      int64 // HTTP attempts
	Retries       int64 // attempts that failed and were retried
	Refreshes     int64 // token refreshes
	Logins        int64 // sign-ins, the first included
	Pushes        int64 // push requests
	MutationSends int64 // mutations in push requests, re-sends included
	Pulls         int64 // pull requests
	Resets        int64 // 410 Gone answers to pull
	MediaPuts     int64 // uploads of media bytes (whole blobs or parts) that the store accepted
}

// Stats reads the device's counts.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Results: map[string]int{}, Replica: map[string]int{}, Media: map[string]int{},
		MediaPuts: c.counters.mediaPuts.Load(),
		Requests:  c.counters.requests.Load(), Retries: c.counters.retries.Load(), Refreshes: c.counters.refreshes.Load(),
		Logins: c.counters.logins.Load(), Pushes: c.counters.pushes.Load(), MutationSends: c.counters.mutationSends.Load(),
		Pulls: c.counters.pulls.Load(), Resets: c.counters.gone.Load()}
	err := c.db.QueryRowContext(ctx, `SELECT count(*), coalesce(max(attempts), 0) FROM outbox`).Scan(&st.Outbox, &st.Attempts)
	if err != nil {
		return st, fmt.Errorf("client.Stats: %w", err)
	}
	if err := c.countInto(ctx, `SELECT status, count(*) FROM results GROUP BY status`, st.Results); err != nil {
		return st, err
	}
	if err := c.countInto(ctx, `SELECT state, count(*) FROM media GROUP BY state`, st.Media); err != nil {
		return st, err
	}
	return st, c.countInto(ctx, `SELECT entity_type, count(*) FROM replica WHERE data IS NOT NULL GROUP BY entity_type`, st.Replica)
}

func (c *Client) countInto(ctx context.Context, query string, into map[string]int) error {
	rows, err := c.db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("client.Stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return err
		}
		into[key] = n
	}
	return rows.Err()
}
