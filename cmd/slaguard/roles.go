package main

import (
	"context"
	"io"
)

// run runs the role until ctx ends.
func (a *app) run(ctx context.Context, role string) error {
	switch role {
	case "web":
		return a.serveHTTP(ctx)
	default:
		return a.serveHTTP(ctx)
	}
}

func (a *app) runBilling(ctx context.Context, args []string, stdout io.Writer) error {
	return errNotYet
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errNotYet
}
