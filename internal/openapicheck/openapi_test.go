package openapicheck

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	// The generated client imports these; the blank imports keep them in go.mod.
	_ "github.com/oapi-codegen/runtime"
	_ "github.com/oapi-codegen/runtime/types"

	"github.com/monobunt/slaguard/internal/apitest"
)

const specFile = "../../openapi.yaml"

// Every operation has an operationId, and no two share one.
func TestEveryOperationHasAnOperationID(t *testing.T) {
	spec := apitest.Spec(t)
	seen := map[string]string{}
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId (python3 scripts/openapi-fix.py adds one)", where)
				continue
			}
			if other, dup := seen[op.OperationID]; dup {
				t.Errorf("%s and %s share the operationId %s", where, other, op.OperationID)
			}
			seen[op.OperationID] = where
		}
	}
}

// The spec keeps to OpenAPI 3.0 forms: oapi-codegen (and other 3.0 tools) stop at a
// 3.1 type array like `type: [string, "null"]`.
func TestSpecUsesOpenAPI30Forms(t *testing.T) {
	raw, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^openapi: 3\.0\.\d+$`).Match(raw) {
		t.Error("openapi.yaml does not declare openapi: 3.0.x")
	}
	for i, line := range strings.Split(string(raw), "\n") {
		for _, bad := range []*regexp.Regexp{
			regexp.MustCompile(`\btype: \[`), regexp.MustCompile(`\bconst:`),
			regexp.MustCompile(`\bunevaluatedProperties:`), regexp.MustCompile(`type: "null"`), regexp.MustCompile(`\bpropertyNames:`),
		} {
			if bad.MatchString(line) {
				t.Errorf("openapi.yaml:%d uses a 3.1-only form (%s): %s", i+1, bad, strings.TrimSpace(line))
			}
		}
	}
}

// oapi-codegen (the go.mod tool) generates a client and types from the spec, and they
// compile. Runs offline: the tool and the client's runtime are module dependencies.
func TestSpecGeneratesAGoClientThatCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds oapi-codegen")
	}
	spec, err := filepath.Abs(specFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	client := filepath.Join(dir, "client.go")
	gen := exec.Command("go", "tool", "oapi-codegen", "-generate", "types,client", "-package", "apiclient", "-o", client, spec)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen cannot read openapi.yaml: %v\n%s", err, out)
	}
	// Build the client as a package of this module without writing into the tree.
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{
		filepath.Join(here, "generated", "client.go"): client,
	}})
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o600); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-overlay", ov, "./generated")
	var out bytes.Buffer
	build.Stdout, build.Stderr = &out, &out
	if err := build.Run(); err != nil {
		t.Fatalf("the generated client does not compile: %v\n%s", err, out.String())
	}
	src, _ := os.ReadFile(client)
	for _, want := range []string{"func (c *Client) GetContractHistory(", "func (c *Client) ImportContracts(", "func (c *Client) ComputeDeadline("} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("generated client lacks %s", want)
		}
	}
}
