package aadtoken

import "regexp"

// The regexps the hand-written checks in textcheck.go replaced, kept
// verbatim as the reference for the differential tests in
// textcheck_test.go. Tests may import regexp; the package must not.
var (
	refResourceRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._:/-]*$`)
	refTenantRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,127}$`)
	refClientIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	refAADSTSRE   = regexp.MustCompile(`AADSTS\d{1,9}`)
)
