package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAzuriteStringToSign(t *testing.T) {
	log := `2026-11-21T03:38:06.280Z 11111111-aaaa info: BlobSharedKeyAuthenticator:validate() [STRING TO SIGN]:"PUT\n\nother"
2026-11-21T03:38:06.284Z 95bcb1ac-cbf4 info: BlobSharedKeyAuthenticator:validate() Start validation against account shared key authentication.
2026-11-21T03:38:06.284Z 95bcb1ac-cbf4 info: BlobSharedKeyAuthenticator:validate() [STRING TO SIGN]:"GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sat, 21 Nov 2026 03:38:06 GMT\nx-ms-version:2025-11-05\n/devstoreaccount1/devstoreaccount1/\ncomp:list\nmaxresults:1"
2026-11-21T03:38:06.285Z 95bcb1ac-cbf4 info: BlobSharedKeyAuthenticator:validate() Validation failed.
`
	sts, ok := AzuriteStringToSign(log, "95bcb1ac-cbf4")
	assert.True(t, ok)
	assert.Equal(t, "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sat, 21 Nov 2026 03:38:06 GMT\nx-ms-version:2025-11-05\n/devstoreaccount1/devstoreaccount1/\ncomp:list\nmaxresults:1", sts)
	_, ok = AzuriteStringToSign(log, "nope")
	assert.False(t, ok)
	_, ok = AzuriteStringToSign(log, "")
	assert.False(t, ok)
}
