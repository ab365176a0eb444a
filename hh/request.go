package hh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Body size limits: a success body is read whole (the region tree is a couple
// of megabytes); an error body only needs its envelope.
const (
	maxBodySize      = 32 << 20
	maxErrorBodySize = 1 << 20
)

// Retry pacing for GETs. A Retry-After longer than maxRetryWait is not waited
// out: the *Error carries it and the caller reschedules.
const (
	retryBaseDelay = 500 * time.Millisecond
	retryMaxDelay  = 8 * time.Second
	maxRetryWait   = 30 * time.Second
)

// ErrTimeout is wrapped by the error of an attempt that took longer than
// Config.Timeout while the caller's context was still live. It is retryable.
var ErrTimeout = errors.New("hh: request timed out")

// request is one API call before it is sent.
type request struct {
	op         string
	method     string
	base       *url.URL   // apiURL when nil
	path       string     // escaped, relative to base
	query      url.Values // sent as the query string
	form       url.Values // sent as application/x-www-form-urlencoded
	multipart  url.Values // sent as multipart/form-data
	noAuth     bool       // never send the bound token (the token endpoint)
	noRedirect bool       // return 3xx responses instead of following them
	secrets    []string   // extra values (codes, refresh tokens) to keep out of errors
}

// response is a completed HTTP exchange with its body read.
type response struct {
	status int
	header http.Header
	body   []byte
	url    *url.URL
}

// send performs r, retrying GETs on retryable failures, and returns the
// response for any status below 400 (3xx only when r.noRedirect).
func (c *Client) send(ctx context.Context, r *request) (*response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, r, attempt)
		if err == nil {
			return resp, nil
		}
		if r.method != http.MethodGet || attempt > c.maxRetries || !IsRetryable(err) || ctx.Err() != nil {
			return nil, err
		}
		wait := c.backoff(attempt)
		if e, ok := errors.AsType[*Error](err); ok && e.RetryAfter > 0 {
			if e.RetryAfter > maxRetryWait {
				return nil, err
			}
			wait = e.RetryAfter
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("hh: %s: waiting to retry: %w", r.op, serr)
		}
	}
}

// backoff is exponential with jitter: a random delay in [d/2, d) where d
// doubles with every attempt up to retryMaxDelay.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retryBase << (attempt - 1)
	if d <= 0 || d > retryMaxDelay {
		d = retryMaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.sleepFn != nil {
		return c.sleepFn(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) attempt(ctx context.Context, r *request, attempt int) (resp *response, err error) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("hh: %s: rate limiter: %w", r.op, err)
		}
	}
	start := time.Now()
	status := 0
	defer func() {
		if c.observe != nil {
			c.observe(RequestInfo{Op: r.op, Method: r.method, Status: status, Duration: time.Since(start), Attempt: attempt, Err: err})
		}
	}()

	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newHTTPRequest(actx, r)
	if err != nil {
		return nil, err
	}
	hc := c.httpClient
	if r.noRedirect {
		hc = c.noRedirect
	}
	hresp, err := hc.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, actx, r.op, err)
	}
	defer hresp.Body.Close()
	status = hresp.StatusCode
	limit := int64(maxBodySize)
	if status >= 400 {
		limit = maxErrorBodySize
	}
	body, err := io.ReadAll(io.LimitReader(hresp.Body, limit+1))
	if err != nil {
		return nil, c.transportError(ctx, actx, r.op, err)
	}
	if status >= 400 {
		if int64(len(body)) > limit {
			body = body[:limit]
		}
		return nil, c.newError(r, hresp, body)
	}
	if int64(len(body)) > limit {
		return nil, &DecodeError{Op: r.op, Err: fmt.Errorf("response body exceeds %d bytes", limit)}
	}
	return &response{status: status, header: hresp.Header, body: body, url: req.URL}, nil
}

func (c *Client) newHTTPRequest(ctx context.Context, r *request) (*http.Request, error) {
	base := r.base
	if base == nil {
		base = c.apiURL
	}
	query := r.query
	if c.locale != "" && base == c.apiURL {
		query = url.Values{}
		for k, vs := range r.query {
			query[k] = vs
		}
		query.Set("locale", c.locale)
	}
	u, err := resolve(base, r.path, query)
	if err != nil {
		return nil, fmt.Errorf("hh: %s: %w", r.op, err)
	}
	var body io.Reader
	contentType := ""
	switch {
	case r.form != nil:
		body = strings.NewReader(r.form.Encode())
		contentType = "application/x-www-form-urlencoded"
	case r.multipart != nil:
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		keys := make([]string, 0, len(r.multipart))
		for k := range r.multipart {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range r.multipart[k] {
				if err := w.WriteField(k, v); err != nil {
					return nil, fmt.Errorf("hh: %s: %w", r.op, err)
				}
			}
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("hh: %s: %w", r.op, err)
		}
		body = &buf
		contentType = w.FormDataContentType()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("hh: %s: %w", r.op, err)
	}
	req.Header.Set("HH-User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" && !r.noAuth {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// netError is a failure to get a response at all: connection errors, reset
// streams, attempt timeouts. It wraps the cause, so errors.Is finds
// context.Canceled or context.DeadlineExceeded of the caller's context.
type netError struct {
	op  string
	err error
}

func (e *netError) Error() string { return "hh: " + e.op + ": " + e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

func (c *Client) transportError(ctx, actx context.Context, op string, err error) error {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		// Our own per-attempt timeout, not the caller's: retryable.
		return &netError{op: op, err: fmt.Errorf("%w after %s", ErrTimeout, c.timeout)}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		// url.Error repeats the URL; the op names the call well enough.
		err = uerr.Err
	}
	return &netError{op: op, err: err}
}

// parseRetryAfter reads a Retry-After header given in seconds or as an
// HTTP date; it returns 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// get sends a GET and decodes the body into v, checking it against req.
func (c *Client) get(ctx context.Context, op, path string, query url.Values, req *shape, v any) error {
	resp, err := c.send(ctx, &request{op: op, method: http.MethodGet, path: path, query: query})
	if err != nil {
		return err
	}
	return decode(op, resp.body, req, v)
}

// exec sends a body-less request that answers 204 No Content.
func (c *Client) exec(ctx context.Context, op, method, path string) error {
	_, err := c.send(ctx, &request{op: op, method: method, path: path})
	return err
}
