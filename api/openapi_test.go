package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// openAPIDoc parses the embedded OpenAPI document.
func openAPIDoc(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(OpenAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

// asMap returns v as a JSON object, failing the test when it is not one.
func asMap(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: want a JSON object, got %T", what, v)
	}
	return m
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// openAPIOperation is one operation of the document.
type openAPIOperation struct {
	Method, Path string // Method upper-case, as in Routes
	Op           map[string]any
}

func (o openAPIOperation) String() string { return o.Method + " " + o.Path }

func openAPIOperations(t *testing.T, doc map[string]any) []openAPIOperation {
	t.Helper()
	var ops []openAPIOperation
	for path, item := range asMap(t, doc["paths"], "paths") {
		for method, op := range asMap(t, item, "paths."+path) {
			if !slices.Contains(httpMethods, method) {
				continue // parameters, summary, …
			}
			ops = append(ops, openAPIOperation{strings.ToUpper(method), path, asMap(t, op, method+" "+path)})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	return ops
}

// resolveRef returns the component a local $ref points to, or nil.
func resolveRef(doc map[string]any, ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}

// walkJSON calls fn for every object in v, with its JSON-pointer-ish location.
func walkJSON(v any, at string, fn func(at string, m map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		fn(at, v)
		for k, x := range v {
			walkJSON(x, at+"/"+k, fn)
		}
	case []any:
		for i, x := range v {
			walkJSON(x, at+"/"+itoa(int64(i)), fn)
		}
	}
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := openAPIDoc(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info := asMap(t, doc["info"], "info")
	for _, k := range []string{"title", "version", "description"} {
		if s, _ := info[k].(string); s == "" {
			t.Errorf("info.%s is missing", k)
		}
	}
	desc, _ := info["description"].(string)
	for _, code := range []string{"not_found", "invalid", "conflict", "forbidden", "unauthorized", "too_large", "rate_limited", "internal"} {
		if !strings.Contains(desc, code) {
			t.Errorf("info.description does not mention the error code %s", code)
		}
	}
	components := asMap(t, doc["components"], "components")
	schemas := asMap(t, components["schemas"], "components.schemas")
	for _, name := range []string{"Unit", "Staff", "Column", "Theme", "Article", "ArticleContent", "Author", "Revision",
		"Event", "Token", "FieldDiff", "DiffLine", "Problem"} {
		if _, ok := schemas[name]; !ok {
			t.Errorf("components.schemas.%s is missing", name)
		}
	}
	refs := 0
	walkJSON(doc, "#", func(at string, m map[string]any) {
		ref, ok := m["$ref"].(string)
		if !ok {
			return
		}
		refs++
		if !strings.HasPrefix(ref, "#/components/") {
			t.Errorf("%s: $ref %q does not point into components", at, ref)
		} else if resolveRef(doc, ref) == nil {
			t.Errorf("%s: $ref %q does not resolve", at, ref)
		}
	})
	if refs == 0 {
		t.Error("no $ref at all; the document looks empty")
	}
	// Required properties must be declared properties.
	walkJSON(components["schemas"], "#/components/schemas", func(at string, m map[string]any) {
		req, ok := m["required"].([]any)
		if !ok {
			return
		}
		props, _ := m["properties"].(map[string]any)
		for _, r := range req {
			if name, _ := r.(string); props[name] == nil {
				t.Errorf("%s: required property %v is not among its properties", at, r)
			}
		}
	})
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := openAPIDoc(t)
	inDoc := map[string]bool{}
	for _, op := range openAPIOperations(t, doc) {
		inDoc[op.String()] = true
	}
	inRoutes := map[string]bool{}
	for _, rt := range Routes() {
		key := rt.Method + " " + rt.Path
		if inRoutes[key] {
			t.Errorf("Routes lists %s twice", key)
		}
		inRoutes[key] = true
	}
	var missing, extra []string
	for k := range inRoutes {
		if !inDoc[k] {
			missing = append(missing, k)
		}
	}
	for k := range inDoc {
		if !inRoutes[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, k := range missing {
		t.Errorf("route %s is not in openapi.json", k)
	}
	for _, k := range extra {
		t.Errorf("openapi.json has %s, which is not a route", k)
	}
}

func TestOpenAPIOperations(t *testing.T) {
	doc := openAPIDoc(t)
	seen := map[string]string{}
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	for _, op := range openAPIOperations(t, doc) {
		id, _ := op.Op["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", op)
		} else if prev, dup := seen[id]; dup {
			t.Errorf("operationId %q is used by both %s and %s", id, prev, op)
		} else {
			seen[id] = op.String()
		}
		if s, _ := op.Op["summary"].(string); s == "" {
			t.Errorf("%s has no summary", op)
		}
		if tags, _ := op.Op["tags"].([]any); len(tags) == 0 {
			t.Errorf("%s has no tags", op)
		}
		responses := asMap(t, op.Op["responses"], op.String()+" responses")
		ok2xx := false
		for code := range responses {
			if len(code) == 3 && code[0] == '2' {
				ok2xx = true
			}
		}
		if !ok2xx {
			t.Errorf("%s has no 2xx response", op)
		}
		// Every {name} in the path is declared as a required path parameter.
		declared := map[string]bool{}
		params, _ := op.Op["parameters"].([]any)
		for _, p := range params {
			pm, _ := p.(map[string]any)
			if ref, ok := pm["$ref"].(string); ok {
				pm, _ = resolveRef(doc, ref).(map[string]any)
			}
			if pm["in"] == "path" {
				name, _ := pm["name"].(string)
				if pm["required"] != true {
					t.Errorf("%s: path parameter %s is not required", op, name)
				}
				declared[name] = true
			}
		}
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter {%s} is not declared", op, m[1])
			}
			delete(declared, m[1])
		}
		for name := range declared {
			t.Errorf("%s declares path parameter %s, which is not in its path", op, name)
		}
	}
}

func TestOpenAPISecurity(t *testing.T) {
	doc := openAPIDoc(t)
	global, _ := doc["security"].([]any)
	if len(global) == 0 {
		t.Fatal("no global security requirement")
	}
	if _, ok := asMap(t, global[0], "security[0]")["bearerAuth"]; !ok {
		t.Errorf("global security = %v, want bearerAuth", global)
	}
	schemes := asMap(t, resolveRef(doc, "#/components/securitySchemes"), "components.securitySchemes")
	bearer := asMap(t, schemes["bearerAuth"], "securitySchemes.bearerAuth")
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("bearerAuth = %v, want an http bearer scheme", bearer)
	}
	partner := asMap(t, schemes["partnerAuth"], "securitySchemes.partnerAuth")
	if partner["type"] != "http" || partner["scheme"] != "bearer" {
		t.Errorf("partnerAuth = %v, want an http bearer scheme", partner)
	}
	public, optional, partners := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, rt := range Routes() {
		public[rt.Method+" "+rt.Path] = rt.Public
		optional[rt.Method+" "+rt.Path] = rt.Public && rt.OptionalToken
		partners[rt.Method+" "+rt.Path] = rt.PartnerToken
	}
	for _, op := range openAPIOperations(t, doc) {
		sec, has := op.Op["security"]
		switch {
		case partners[op.String()]:
			list, _ := sec.([]any)
			if len(list) != 1 {
				t.Errorf("%s takes a partner token but its security is %v, want [{partnerAuth: []}]", op, sec)
			} else if _, ok := asMap(t, list[0], op.String()+" security[0]")["partnerAuth"]; !ok {
				t.Errorf("%s takes a partner token but its security is %v, want [{partnerAuth: []}]", op, sec)
			}
		case optional[op.String()]:
			// OpenAPI's way to say "a token or none": an empty requirement
			// alongside bearerAuth.
			list, _ := sec.([]any)
			if len(list) != 2 || len(asMap(t, list[0], op.String()+" security[0]")) != 0 {
				t.Errorf("%s takes an optional token but its security is %v, want [{}, {bearerAuth: []}]", op, sec)
			} else if _, ok := asMap(t, list[1], op.String()+" security[1]")["bearerAuth"]; !ok {
				t.Errorf("%s takes an optional token but its security is %v, want [{}, {bearerAuth: []}]", op, sec)
			}
		case public[op.String()]:
			if list, ok := sec.([]any); !has || !ok || len(list) != 0 {
				t.Errorf("%s is public but its security is %v, want []", op, sec)
			}
		case has:
			t.Errorf("%s needs a token but overrides security with %v", op, sec)
		}
	}
}

func TestOpenAPIRequestBodiesAreClosed(t *testing.T) {
	doc := openAPIDoc(t)
	bodies := 0
	for _, op := range openAPIOperations(t, doc) {
		if op.Method != "POST" && op.Method != "PATCH" && op.Method != "PUT" {
			if _, ok := op.Op["requestBody"]; ok {
				t.Errorf("%s has a request body", op)
			}
			continue
		}
		rb, ok := op.Op["requestBody"].(map[string]any)
		if !ok {
			continue
		}
		if ref, ok := rb["$ref"].(string); ok {
			rb = asMap(t, resolveRef(doc, ref), ref)
		}
		content := asMap(t, rb["content"], op.String()+" requestBody.content")
		media, ok := content["application/json"].(map[string]any)
		if !ok {
			t.Errorf("%s: request body is not application/json", op)
			continue
		}
		schema := asMap(t, media["schema"], op.String()+" request schema")
		if ref, ok := schema["$ref"].(string); ok {
			schema = asMap(t, resolveRef(doc, ref), ref)
		}
		if schema["type"] != "object" {
			t.Errorf("%s: request schema type = %v, want object", op, schema["type"])
			continue
		}
		bodies++
		if schema["additionalProperties"] != false {
			t.Errorf("%s: request schema must set additionalProperties: false (unknown fields are refused)", op)
		}
	}
	if bodies == 0 {
		t.Error("no request bodies found")
	}
}

func TestOpenAPIServed(t *testing.T) {
	onDisk, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, OpenAPIDocument) {
		t.Fatal("the embedded document differs from openapi.json")
	}
	// A public route: no Store or Auth is needed.
	srv := httptest.NewServer((&Server{}).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: status %d, want 200; body %.200s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if !bytes.Equal(body, OpenAPIDocument) {
		t.Errorf("served document (%d bytes) differs from openapi.json (%d bytes)", len(body), len(OpenAPIDocument))
	}
}
