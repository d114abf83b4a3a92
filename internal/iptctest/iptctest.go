// Package iptctest validates IPTC documents in tests against the official
// schemas kept in iptc/testdata: NINJS 2.1 (JSON Schema) and NewsML-G2 2.35
// (XSD, with xmllint from Debian's libxml2-utils).
package iptctest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/heraldnews/herald/internal/testenv"
)

// NINJSSchemaURI is the $id of the NINJS 2.1 schema.
const NINJSSchemaURI = "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"

// Dir is iptc/testdata, where the schemas are kept.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "iptc", "testdata")
}

// NINJSSchema compiles the NINJS 2.1 schema, with formats asserted.
func NINJSSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join(Dir(), "ninjs-schema_2.1.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(NINJSSchemaURI, doc); err != nil {
		t.Fatal(err)
	}
	// The schema refers to GeoJSON's schema for places[].geojson, which Herald
	// never emits; an empty schema stands in so that compiling needs no network.
	if err := c.AddResource("https://geojson.org/schema/GeoJSON.json", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(NINJSSchemaURI)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// ValidateNINJS fails the test unless doc is a valid NINJS 2.1 document.
func ValidateNINJS(t testing.TB, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	if err := NINJSSchema(t).Validate(inst); err != nil {
		t.Fatalf("NINJS does not validate: %v\n%s", err, doc)
	}
}

// XSD is the NewsML-G2 2.35 schema's path.
func XSD() string { return filepath.Join(Dir(), "NewsML-G2_2.35-spec-All-Power.xsd") }

// ValidateNewsML fails the test unless every file validates against the
// NewsML-G2 schema. Without xmllint it skips (fails under CI=true).
func ValidateNewsML(t testing.TB, files ...string) {
	t.Helper()
	xmllint := testenv.Tool(t, "xmllint", "apt-get install libxml2-utils")
	if out, err := exec.Command(xmllint, append([]string{"--noout", "--nonet", "--schema", XSD()}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

// ValidateNewsMLDoc writes doc to a file and validates it.
func ValidateNewsMLDoc(t testing.TB, doc []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "newsml.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	ValidateNewsML(t, f)
}
