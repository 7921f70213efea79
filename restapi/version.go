package restapi

import (
	"runtime"
	"strings"
)

// Version is this module's version as it appears in the User-Agent header.
const Version = "0.1.0"

// userAgent names the project, its version, the Go release and the OS, so
// service-side logs can tell this client from the SDKs.
func userAgent(extra string) string {
	ua := "azblobmin/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + ")"
	if extra = strings.TrimSpace(extra); extra != "" {
		ua += " " + extra
	}
	return ua
}
