package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/syncer"
)

type pushRequest struct {
	Mutations []syncer.Mutation `json:"mutations"`
}

type pushResponse struct {
	Results    []json.RawMessage `json:"results"`
	ServerTime time.Time         `json:"server_time"`
}

// push applies a batch of mutations. Business outcomes are per-mutation
// results inside a 200; any 5xx means the whole batch may be sent again.
func (s *Server) push(c echo.Context) error {
	mutations, err := decodePush(c)
	if err != nil {
		return err
	}
	results, err := s.deps.Sync.Push(c.Request().Context(), mutations)
	if errs.Is(err, errs.Unauthenticated) { // the session, confirmed in the push's transaction, is no longer good
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="patrolsync", error="invalid_token"`)
	}
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, pushAnswer(results, time.Now().UTC()))
}

// decodePush reads a push's mutations. The body is read in one pass with
// the payloads the push path handles most decoded as they come
// (syncer.DecodePush); a body that pass does not take is decoded as every
// body is, which answers its errors.
func decodePush(c echo.Context) ([]syncer.Mutation, error) {
	body, err := readJSONBody(c)
	if err != nil {
		return nil, err
	}
	mutations, ok := syncer.DecodePush(body)
	if !ok {
		var in pushRequest
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		mutations = in.Mutations
	}
	if mutations == nil {
		return nil, errs.Fields("api.push", map[string]string{"/mutations": "required: an array of mutations"})
	}
	return mutations, nil
}

// pushAnswer is the JSON of pushResponse, written by hand: the results are
// already compact JSON from json.Marshal (stored and replayed byte for
// byte), and encoding them again through encoding/json only scanned and
// copied every byte of them once more (issue 17).
func pushAnswer(results []json.RawMessage, now time.Time) []byte {
	size := 64
	for _, r := range results {
		size += len(r) + 1
	}
	out := make([]byte, 0, size)
	out = append(out, `{"results":[`...)
	for i, r := range results {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, r...)
	}
	out = append(out, `],"server_time":`...)
	stamp, _ := now.MarshalJSON() // a UTC time of this century always encodes
	out = append(out, stamp...)
	return append(out, "}\n"...)
}

func (s *Server) pull(c echo.Context) error {
	limit := 0
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > syncer.MaxPullLimit {
			return errs.Fields("api.pull", map[string]string{"/limit": "must be a whole number from 1 to 1000"})
		}
		limit = n
	}
	page, err := s.deps.Sync.Pull(c.Request().Context(), c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	if _, pretty := c.QueryParams()["pretty"]; pretty { // echo's indented JSON, for people reading a page
		return c.JSON(http.StatusOK, page)
	}
	// The page's JSON is written by hand, its records copied as the log
	// holds them (syncer.Page.AppendJSON), and sent at once with its length:
	// the same bytes c.JSON sent, newline included.
	out := append(page.AppendJSON(make([]byte, 0, page.JSONSize()+1)), '\n')
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(out)))
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, out)
}
