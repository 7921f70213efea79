package main

import (
	"context"
	"crypto/fips140"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/restapi"
)

// versionOutput is version's -json output.
type versionOutput struct {
	Version        string `json:"version"`
	GoVersion      string `json:"go_version"`
	Platform       string `json:"platform"`
	FIPS140        bool   `json:"fips140"`
	ServiceVersion string `json:"service_version"`
}

// buildVersion is -ldflags -X main.version, else the module version from
// the build info ("(devel)" for a source build).
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// cmdVersion is `azblobmin version`.
func cmdVersion(a *app, ctx context.Context, args []string) error {
	c := commands["version"]
	var o outputFlags
	fs := a.newFlagSet(c)
	o.register(fs)
	if err := a.parseNoArgs(c, fs, args); err != nil {
		return err
	}
	out := versionOutput{
		Version:        buildVersion(),
		GoVersion:      runtime.Version(),
		Platform:       runtime.GOOS + "/" + runtime.GOARCH,
		FIPS140:        fips140.Enabled(),
		ServiceVersion: restapi.DefaultServiceVersion,
	}
	if o.json {
		return cli.WriteJSON(a.out, out)
	}
	fips := "off"
	if out.FIPS140 {
		fips = "on"
	}
	fmt.Fprintf(a.out, "azblobmin %s (%s, %s)\nFIPS 140-3 mode: %s\nBlob service version: %s\n", out.Version, out.GoVersion, out.Platform, fips, out.ServiceVersion)
	return nil
}
