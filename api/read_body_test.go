package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// readBody gives the bytes io.ReadAll gives, whatever length the request
// declares, and the body limit's error when the body is over it.
func TestReadBodyIsReadAll(t *testing.T) {
	body := strings.Repeat(`{"mutations":[]}`, 700) // 11 200 bytes, past io.ReadAll's first buffers
	cases := []struct {
		name     string
		declared int64
		body     string
	}{
		{"declared", int64(len(body)), body},
		{"chunked", -1, body},
		{"empty", 0, ""},
		{"declared but empty", 0, body},
		{"one byte", 1, "x"},
		{"declared above the hint", readBodyHintAtMost + 1, body},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/sync/push", strings.NewReader(tc.body))
			r.ContentLength = tc.declared
			got, err := readBody(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte(tc.body)) {
				t.Fatalf("read %d bytes, want %d", len(got), len(tc.body))
			}
		})
	}
	t.Run("over the limit", func(t *testing.T) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/v1/sync/push", strings.NewReader(body))
		r.Body = http.MaxBytesReader(w, r.Body, 100)
		_, err := readBody(r)
		var tooLarge *http.MaxBytesError
		if !errors.As(err, &tooLarge) || tooLarge.Limit != 100 {
			t.Fatalf("err = %v, want the body limit's", err)
		}
	})
	t.Run("reader fails", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/v1/sync/push", io.MultiReader(strings.NewReader("{"), failing{}))
		r.ContentLength = 2
		if _, err := readBody(r); !errors.Is(err, errFailing) {
			t.Fatalf("err = %v, want the reader's", err)
		}
	})
}

var errFailing = errors.New("the connection broke")

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errFailing }
