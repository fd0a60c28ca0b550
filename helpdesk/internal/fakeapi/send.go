package fakeapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// Go runs f in a goroutine of its own (a webhook, a callback after a write), unless the
// server is closing: f's ctx ends when Close is called, Close waits for f, and WaitIdle
// counts it. It reports whether f was started.
func (s *Server) Go(f func(ctx context.Context)) bool {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return false
	default:
	}
	s.wg.Add(1)
	s.pending++
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer func() { s.mu.Lock(); s.pending--; s.mu.Unlock() }()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-s.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		f(ctx)
	}()
	return true
}

// Post posts body to url with header and returns the receiver's status; the body of
// the answer is read and dropped.
func Post(ctx context.Context, url string, body []byte, header http.Header) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Send posts body to url with header from a goroutine (a webhook, given up after 10s),
// unless the server is closing; Close waits for it.
func (s *Server) Send(url string, body []byte, header http.Header) {
	s.Go(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, _ = Post(ctx, url, body, header)
	})
}

// WaitIdle waits up to timeout (real time) until nothing started with Go or Send is
// running; it reports whether nothing is. Close, by contrast, cancels what still runs.
func (s *Server) WaitIdle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		n := s.pending
		s.mu.Unlock()
		if n == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}
