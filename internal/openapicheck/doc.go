// Package openapicheck holds no code, only the tests that keep openapi.yaml usable by
// the tools people point at it: OpenAPI 3.0 forms (no 3.1 type arrays, which
// oapi-codegen cannot read), an operationId on every operation (Redocly lints each
// missing one), and a Go client generated with oapi-codegen that compiles. After adding
// routes, `python3 scripts/openapi-fix.py` adds missing operationIds mechanically.
package openapicheck
