package cli

import (
	"bufio"
	"encoding/json"
	"strings"
)

// azuriteSTSMarker precedes the JSON-quoted string-to-sign in the debug log
// Azurite writes when started with --debug FILE:
//
//	2025-11-21T03:38:06.284Z <request id> info: BlobSharedKeyAuthenticator:validate() [STRING TO SIGN]:"GET\n..."
const azuriteSTSMarker = "[STRING TO SIGN]:"

// AzuriteStringToSign finds, in the text of an Azurite debug log, the
// string-to-sign Azurite computed for the request with this x-ms-request-id
// (Azurite tags every log line with it). It returns the last match. Azurite
// never puts its string-to-sign in a response, so its log is the only
// place to read the server's side of a failed SharedKey check.
func AzuriteStringToSign(log, requestID string) (string, bool) {
	if requestID == "" {
		return "", false
	}
	var found string
	ok := false
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, requestID) {
			continue
		}
		i := strings.Index(line, azuriteSTSMarker)
		if i < 0 {
			continue
		}
		// The secondary-endpoint variant is logged as [STRING TO SIGN_secondary]
		// and does not match the marker, which is what we want.
		var s string
		if json.Unmarshal([]byte(strings.TrimSpace(line[i+len(azuriteSTSMarker):])), &s) == nil {
			found, ok = s, true
		}
	}
	return found, ok
}
