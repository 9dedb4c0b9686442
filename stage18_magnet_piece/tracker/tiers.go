package tracker

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// TiersError is the error of AnnounceTiers when every tracker failed: one
// error per tracker tried, in order. errors.As finds a *FailureError in it.
type TiersError struct {
	Errs []error
}

// Error joins the trackers' errors on one line.
func (e *TiersError) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		msgs[i] = err.Error()
	}
	return fmt.Sprintf("all %d trackers failed: %s", len(e.Errs), strings.Join(msgs, "; "))
}

// Unwrap gives errors.Is and errors.As the trackers' errors.
func (e *TiersError) Unwrap() []error { return e.Errs }

// AnnounceTiers announces to the trackers of tiers (torrent.Metainfo.Tiers)
// in order, each URL once, until one answers (BEP 12). With a single
// tracker its own error is returned; with several, a *TiersError holding
// each. BEP 12 asks to shuffle each tier once; this client keeps the file's
// order, so runs are reproducible (only load balancing cares).
func (c *Client) AnnounceTiers(ctx context.Context, tiers [][]string, p Params) (*Response, error) {
	var errs []error
	tried := make(map[string]bool)
	for _, tier := range tiers {
		for _, u := range tier {
			if u == "" || tried[u] {
				continue
			}
			tried[u] = true
			resp, err := c.Announce(ctx, u, p)
			if err == nil {
				return resp, nil
			}
			if ctx.Err() != nil {
				return nil, err // cancelled: trying the next tracker is pointless
			}
			errs = append(errs, err)
		}
	}
	switch len(errs) {
	case 0:
		return nil, errors.New("no tracker to announce to: the tiers hold no URL")
	case 1:
		return nil, errs[0]
	}
	return nil, &TiersError{Errs: errs}
}
