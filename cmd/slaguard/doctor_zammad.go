package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// checkZammad checks the helpdesk API: the URL answers, the token is valid, and the
// token's user may read tickets, write tags and notes, and read time accounting. Writes
// are probed on ticket 0, which does not exist: Zammad checks the permission first (403)
// and only then finds no ticket, so nothing is written.
func checkZammad(ctx context.Context, cfg *Config, hc *http.Client) []finding {
	if cfg.ZammadURL == "" {
		return []finding{{"warn", "zammad", "ZAMMAD_URL is not set: a dry run, nothing is written to a helpdesk",
			"set ZAMMAD_URL (https://helpdesk.example.at) and ZAMMAD_TOKEN (README: Setting up Zammad)"}}
	}
	if hc == nil {
		hc = defaultHTTPClient
	}
	call := func(method, path string, body any) (int, http.Header, error) {
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(cctx, method, cfg.ZammadURL+path, r)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Token token="+cfg.ZammadToken)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, nil, err
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		return resp.StatusCode, resp.Header, nil
	}

	status, h, err := call(http.MethodGet, "/api/v1/users/me", nil)
	switch {
	case err != nil:
		return []finding{{"FAIL", "zammad url", "cannot reach " + cfg.ZammadURL + ": " + err.Error(),
			"check ZAMMAD_URL (the instance's root, e.g. https://helpdesk.example.at), DNS and TLS"}}
	case status == http.StatusUnauthorized:
		return []finding{{"FAIL", "zammad token", "Zammad refuses ZAMMAD_TOKEN (401)",
			"create a new access token as the slaguard user (Avatar → Profile → Token Access) with ticket.agent and set ZAMMAD_TOKEN"}}
	case status != http.StatusOK:
		return []finding{{"FAIL", "zammad url", fmt.Sprintf("GET %s/api/v1/users/me answered %d, not Zammad's 200", cfg.ZammadURL, status),
			"check ZAMMAD_URL points at the instance's root, not a page below it"}}
	}
	fs := []finding{{"ok", "zammad", "reachable, the token is valid", ""}}
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		if skew := time.Since(d); skew > 5*time.Second || skew < -5*time.Second {
			fs = append(fs, finding{"warn", "clock", fmt.Sprintf("Zammad's clock is %s off this host's", (-skew).Round(time.Second)),
				"run NTP on both hosts: deadlines are computed here from Zammad's timestamps"})
		}
	}
	probe := func(what, method, path string, body any) {
		status, _, err := call(method, path, body)
		switch {
		case err != nil:
			fs = append(fs, finding{"FAIL", "zammad permission", what + ": " + err.Error(), "check the network to Zammad"})
		case status == http.StatusForbidden || status == http.StatusUnauthorized:
			fs = append(fs, finding{"FAIL", "zammad permission", fmt.Sprintf("the token may not %s (%d)", what, status),
				"give the token the permission ticket.agent, and its user agent access to every group under contract"})
		case status >= 500:
			fs = append(fs, finding{"warn", "zammad permission", fmt.Sprintf("%s: Zammad answered %d", what, status), "look at Zammad's log"})
		default:
			fs = append(fs, finding{"ok", "zammad permission", "may " + what, ""})
		}
	}
	probe("read tickets", http.MethodGet, "/api/v1/tickets?per_page=1", nil)
	probe("write tags", http.MethodPost, "/api/v1/tags/add", map[string]any{"item": "slaguard-doctor", "object": "Ticket", "o_id": 0})
	probe("write notes", http.MethodPost, "/api/v1/ticket_articles", map[string]any{
		"ticket_id": 0, "subject": "slaguard doctor", "body": "-", "type": "note", "internal": true, "content_type": "text/plain"})
	probe("read time accounting", http.MethodGet, "/api/v1/tickets/0/time_accountings", nil)
	return fs
}
