package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strings"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// verifier passes through exactly size bytes and fails the read that would
// complete a body of the wrong length or digest, so a store that copies
// from it aborts before it commits anything.
type verifier struct {
	op        string
	r         io.Reader
	remaining int64
	want      string
	hash      hash.Hash
	err       error
}

// Verify wraps r so that reading it fails with an Invalid error unless r
// yields exactly size bytes whose SHA-256 is sha256hex. The error comes
// with the last bytes, before the final io.EOF, so copies stop short.
func Verify(op string, r io.Reader, size int64, sha256hex string) io.Reader {
	return &verifier{op: op, r: r, remaining: size, want: strings.ToLower(sha256hex), hash: sha256.New()}
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	if v.remaining == 0 {
		v.err = v.finish()
		if v.err == nil {
			v.err = io.EOF
		}
		return 0, v.err
	}
	if int64(len(p)) > v.remaining {
		p = p[:v.remaining]
	}
	n, err := v.r.Read(p)
	v.hash.Write(p[:n])
	v.remaining -= int64(n)
	switch {
	case v.remaining == 0:
		// Check now rather than on the next call: a consumer that stops
		// reading at size bytes must still see a bad digest.
		if err := v.finish(); err != nil {
			v.err = err
			return n, err
		}
		v.err = io.EOF
		return n, nil
	case err == io.EOF:
		v.err = errs.E(v.op, errs.Invalid, "body is shorter than the declared size", map[string]string{"size": "mismatch"})
		return n, v.err
	}
	return n, err
}

// finish checks that nothing follows the declared size and that the digest
// matches.
func (v *verifier) finish() error {
	var probe [1]byte
	for range 100 { // a reader may answer (0, nil) a few times; not forever
		n, err := v.r.Read(probe[:])
		if n > 0 {
			return errs.E(v.op, errs.Invalid, "body is longer than the declared size", map[string]string{"size": "mismatch"})
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if got := hex.EncodeToString(v.hash.Sum(nil)); got != v.want {
		return errs.E(v.op, errs.Invalid, "body does not match the declared sha256", map[string]string{"sha256": "mismatch"})
	}
	return nil
}
