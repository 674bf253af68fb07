// Command akash-vectors runs inputs through the Akash Go code itself (pkg.akt.dev/go/manifest/v2beta3
// and pkg.akt.dev/go/sdl), so that our TypeScript implementation can be checked against Go's own
// decoding, canonical bytes, version hash and validation. It is a test tool; see README.md.
//
//	akash-vectors manifest [FILE]      FILE (or stdin): JSON array of {"name", "wire": <JSON>} or
//	                                   {"name", "wireBase64": "..."} (bodies that are not UTF-8)
//	akash-vectors sdl [-compact] BASE FILE...
//	                                   each FILE is an SDL; its name in the output is its path below
//	                                   BASE; -compact gives SHA-256 sums instead of the JSON texts
//
// Output on stdout: a JSON array, one result per input (fields documented on the result types).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"

	sdk "github.com/cosmos/cosmos-sdk/types"

	manifest "pkg.akt.dev/go/manifest/v2beta3"
	dtypes "pkg.akt.dev/go/node/deployment/v1beta4"
	"pkg.akt.dev/go/sdl"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: akash-vectors manifest [FILE] | sdl BASE FILE..."))
	}
	var out any
	switch os.Args[1] {
	case "manifest":
		out = runManifestVectors(os.Args[2:])
	case "sdl":
		args := os.Args[2:]
		compact := len(args) > 0 && args[0] == "-compact"
		if compact {
			args = args[1:]
		}
		if len(args) < 1 {
			fail(fmt.Errorf("sdl: BASE directory required"))
		}
		results := runSDLs(args[0], args[1:])
		if compact {
			for i := range results {
				results[i].compact()
			}
		}
		out = results
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}

type manifestVector struct {
	Name       string          `json:"name"`
	Wire       json.RawMessage `json:"wire,omitempty"`
	WireBase64 string          `json:"wireBase64,omitempty"`
	// GroupSpecs, when present, are the deployment's group specs the manifest is checked against.
	GroupSpecs json.RawMessage `json:"groupSpecs,omitempty"`
}

// manifestResult is what Go's provider makes of one received body.
type manifestResult struct {
	Name string `json:"name"`
	// Wire is the body when it is UTF-8, WireBase64 otherwise.
	Wire       string `json:"wire,omitempty"`
	WireBase64 string `json:"wireBase64,omitempty"`
	// DecodeError: json.NewDecoder(body).Decode(&manifest) failed (the gateway answers 422).
	DecodeError string `json:"decodeError,omitempty"`
	// Canonical: sdk.SortJSON(json.Marshal(manifest)), the bytes Manifest.Version() hashes.
	Canonical string `json:"canonical,omitempty"`
	// Version: hex of Manifest.Version().
	Version string `json:"version,omitempty"`
	// ValidateError: Manifest.Validate(), "" when valid.
	ValidateError string `json:"validateError"`
	// GroupSpecs and CheckError: Manifest.CheckAgainstGSpecs(groupSpecs), "" when accepted.
	GroupSpecs json.RawMessage `json:"groupSpecs,omitempty"`
	CheckError *string         `json:"checkError,omitempty"`
	Panic      string          `json:"panic,omitempty"`
}

func runManifestVectors(args []string) []manifestResult {
	var in io.Reader = os.Stdin
	if len(args) > 0 {
		f, err := os.Open(args[0])
		if err != nil {
			fail(err)
		}
		defer f.Close()
		in = f
	}
	raw, err := io.ReadAll(in)
	if err != nil {
		fail(err)
	}
	var vectors []manifestVector
	if err := json.Unmarshal(raw, &vectors); err != nil {
		fail(fmt.Errorf("vectors: %w", err))
	}
	results := make([]manifestResult, 0, len(vectors))
	for _, v := range vectors {
		wire := []byte(v.Wire)
		if v.WireBase64 != "" {
			if wire, err = base64.StdEncoding.DecodeString(v.WireBase64); err != nil {
				fail(fmt.Errorf("%s: wireBase64: %w", v.Name, err))
			}
		}
		res := hashManifest(v.Name, wire)
		if len(v.GroupSpecs) > 0 && res.DecodeError == "" && res.Panic == "" {
			res.GroupSpecs = v.GroupSpecs
			res.CheckError = checkAgainst(wire, v.GroupSpecs, &res)
		}
		results = append(results, res)
	}
	return results
}

func hashManifest(name string, wire []byte) (res manifestResult) {
	res.Name = name
	if utf8.Valid(wire) {
		res.Wire = string(wire)
	} else {
		res.WireBase64 = base64.StdEncoding.EncodeToString(wire)
	}
	defer func() {
		if r := recover(); r != nil {
			res.Panic = fmt.Sprint(r)
		}
	}()
	// What the provider gateway does with a PUT /deployment/{dseq}/manifest body.
	var m manifest.Manifest
	if err := json.NewDecoder(bytes.NewReader(wire)).Decode(&m); err != nil {
		res.DecodeError = err.Error()
		return res
	}
	canonical, version := canonicalOf(m)
	res.Canonical = canonical
	res.Version = version
	if err := m.Validate(); err != nil {
		res.ValidateError = err.Error()
	}
	return res
}

func checkAgainst(wire []byte, specsJSON []byte, res *manifestResult) (msg *string) {
	defer func() {
		if r := recover(); r != nil {
			res.Panic = fmt.Sprint(r)
			msg = nil
		}
	}()
	var m manifest.Manifest
	if err := json.NewDecoder(bytes.NewReader(wire)).Decode(&m); err != nil {
		fail(err)
	}
	var specs dtypes.GroupSpecs
	if err := json.Unmarshal(specsJSON, &specs); err != nil {
		fail(fmt.Errorf("%s: groupSpecs: %w", res.Name, err))
	}
	s := ""
	if err := m.CheckAgainstGSpecs(specs); err != nil {
		s = err.Error()
	}
	return &s
}

// canonicalOf returns the two steps of Manifest.Version() (json.Marshal, then sdk.SortJSON) and
// the hash Version() itself computes, after checking that they agree.
func canonicalOf(m manifest.Manifest) (string, string) {
	data, err := json.Marshal(m)
	if err != nil {
		fail(err)
	}
	sorted, err := sdk.SortJSON(data) // nolint: staticcheck
	if err != nil {
		fail(err)
	}
	version, err := m.Version()
	if err != nil {
		fail(err)
	}
	sum := sha256.Sum256(sorted)
	if !bytes.Equal(sum[:], version) {
		fail(fmt.Errorf("Version() disagrees with sha256(SortJSON(Marshal))"))
	}
	return string(sorted), hex.EncodeToString(version)
}

// sdlResult is what Go's SDL package makes of one SDL file.
type sdlResult struct {
	Name string `json:"name"`
	// Error: sdl.Read failed (the tenant's Go CLI refuses the SDL).
	Error string `json:"error,omitempty"`
	// Manifest: canonical manifest bytes; Version: hex of SDL.Version() (the on-chain hash).
	Manifest string `json:"manifest,omitempty"`
	Version  string `json:"version,omitempty"`
	// GroupSpecs: sdk.SortJSON(json.Marshal(DeploymentGroups())).
	GroupSpecs string `json:"groupSpecs,omitempty"`
	// CheckError: the manifest checked against the SDL's own group specs ("" when accepted).
	CheckError string `json:"checkError,omitempty"`
	Panic      string `json:"panic,omitempty"`
	// ManifestSha256 and GroupSpecsSha256 replace the texts in -compact output.
	ManifestSha256   string `json:"manifestSha256,omitempty"`
	GroupSpecsSha256 string `json:"groupSpecsSha256,omitempty"`
}

func (r *sdlResult) compact() {
	if r.Manifest != "" {
		sum := sha256.Sum256([]byte(r.Manifest))
		r.ManifestSha256 = hex.EncodeToString(sum[:])
		r.Manifest = ""
	}
	if r.GroupSpecs != "" {
		sum := sha256.Sum256([]byte(r.GroupSpecs))
		r.GroupSpecsSha256 = hex.EncodeToString(sum[:])
		r.GroupSpecs = ""
	}
}

func runSDLs(base string, files []string) []sdlResult {
	results := make([]sdlResult, 0, len(files))
	for _, file := range files {
		name, err := filepath.Rel(base, file)
		if err != nil {
			fail(err)
		}
		buf, err := os.ReadFile(file)
		if err != nil {
			fail(err)
		}
		results = append(results, readSDL(filepath.ToSlash(name), buf))
	}
	return results
}

func readSDL(name string, buf []byte) (res sdlResult) {
	res.Name = name
	defer func() {
		if r := recover(); r != nil {
			res.Panic = fmt.Sprint(r)
		}
	}()
	obj, err := sdl.Read(buf)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	m, err := obj.Manifest()
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Manifest, res.Version = canonicalOf(m)
	version, err := obj.Version()
	if err != nil {
		fail(err)
	}
	if hex.EncodeToString(version) != res.Version {
		fail(fmt.Errorf("%s: SDL.Version() disagrees with Manifest.Version()", name))
	}
	groups, err := obj.DeploymentGroups()
	if err != nil {
		res.Error = err.Error()
		return res
	}
	data, err := json.Marshal(groups)
	if err != nil {
		fail(err)
	}
	sorted, err := sdk.SortJSON(data) // nolint: staticcheck
	if err != nil {
		fail(err)
	}
	res.GroupSpecs = string(sorted)
	if err := m.CheckAgainstGSpecs(groups); err != nil {
		res.CheckError = err.Error()
	}
	return res
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "akash-vectors:", err)
	os.Exit(1)
}
