package tracker

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"workbook/stage10_piece/torrent"
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

// AnnounceTiers announces to the torrent's trackers until one answers
// (BEP 12): `announce-list`, when present, replaces `announce`; its tiers
// are tried in order and, inside a tier, its trackers in order. The first
// answer wins. With a single tracker its own error is returned; with
// several, a *TiersError holding each.
//
// BEP 12 asks clients to shuffle each tier once; this client keeps the
// file's order so that runs are reproducible, which only matters to a
// tracker's load balancing.
func (c *Client) AnnounceTiers(ctx context.Context, m *torrent.Metainfo, req Request) (*Response, error) {
	urls := trackerURLs(m)
	if len(urls) == 0 {
		return nil, errors.New("torrent names no tracker (no announce or announce-list)")
	}
	var errs []error
	for _, u := range urls {
		resp, err := c.Announce(ctx, u, req)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, err // cancelled: trying the next tracker is pointless
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, &TiersError{Errs: errs}
}

// trackerURLs lists the announce URLs in the order to try them, without
// empty entries or repeats: announce-list's, or announce when the list
// names no URL (the rule torrent.Parse applies too).
func trackerURLs(m *torrent.Metainfo) []string {
	urls := uniqueURLs(m.AnnounceList)
	if len(urls) == 0 {
		urls = uniqueURLs([][]string{{m.Announce}})
	}
	return urls
}

// uniqueURLs flattens tiers in order, without empty entries or repeats.
func uniqueURLs(tiers [][]string) []string {
	var urls []string
	seen := make(map[string]bool)
	for _, tier := range tiers {
		for _, u := range tier {
			if u != "" && !seen[u] {
				seen[u] = true
				urls = append(urls, u)
			}
		}
	}
	return urls
}
