package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A List Blobs string-to-sign as SharedKey builds it.
const listSTS = "GET\n\n\n\n\n\n\n\n\n\n\n\n" +
	"x-ms-date:Fri, 21 Nov 2025 03:30:00 GMT\nx-ms-version:2025-11-05\n" +
	"/devstoreaccount1/devstoreaccount1/session\ncomp:list\nmaxresults:1\nrestype:container"

func TestSplitStringToSign(t *testing.T) {
	lines := SplitStringToSign(listSTS)
	require.Len(t, lines, 18)
	assert.Equal(t, STSLine{N: 1, Label: "VERB", Text: "GET"}, lines[0])
	assert.Equal(t, "Content-Length", lines[3].Label)
	assert.Equal(t, "Range", lines[11].Label)
	assert.Equal(t, "x-ms-date header", lines[12].Label)
	assert.Equal(t, "x-ms-version header", lines[13].Label)
	assert.Equal(t, STSLine{N: 15, Label: "resource", Text: "/devstoreaccount1/devstoreaccount1/session"}, lines[14])
	assert.Equal(t, "query comp", lines[15].Label)
	assert.Equal(t, "query restype", lines[17].Label)
}

func TestVisible(t *testing.T) {
	assert.Equal(t, "a b", Visible("a b"))
	assert.Equal(t, `a\tb\r`, Visible("a\tb\r"))
	assert.Equal(t, `\u00a0`, Visible("\u00a0"))
	assert.Equal(t, `\x ff`[:0]+`\xff`, Visible("\xff"))
	assert.Equal(t, `back\\slash`, Visible(`back\slash`))
	assert.Equal(t, "ünïcode", Visible("ünïcode"))
}

func TestFormatStringToSign(t *testing.T) {
	out := FormatStringToSign(listSTS)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 18)
	assert.Equal(t, `  1  VERB                   GET\n`, lines[0])
	assert.Equal(t, `  2  Content-Encoding       \n`, lines[1])
	assert.Equal(t, ` 18  query restype          restype:container`, lines[17], "last line has no newline")
}

func TestServerStringToSign(t *testing.T) {
	detail := "The MAC signature found in the HTTP request 'abc=' is not the same as any computed signature. " +
		"Server used following string to sign: '" + listSTS + "'."
	got, ok := ServerStringToSign(detail)
	require.True(t, ok)
	assert.Equal(t, listSTS, got)

	escaped := strings.ReplaceAll(detail, "\n", `\n`)
	got, ok = ServerStringToSign(escaped)
	require.True(t, ok)
	assert.Equal(t, listSTS, got)

	_, ok = ServerStringToSign("Server failed to authenticate the request.")
	assert.False(t, ok)
}

func TestParseServerStringToSignFile(t *testing.T) {
	for name, content := range map[string]string{
		"raw":     listSTS + "\n",
		"crlf":    strings.ReplaceAll(listSTS, "\n", "\r\n") + "\r\n",
		"json":    `"` + strings.ReplaceAll(listSTS, "\n", `\n`) + `"`,
		"escaped": strings.ReplaceAll(listSTS, "\n", `\n`),
		"detail":  "Server used following string to sign: '" + listSTS + "'.",
	} {
		got, err := ParseServerStringToSignFile(content)
		require.NoError(t, err, name)
		assert.Equal(t, listSTS, got, name)
	}
	_, err := ParseServerStringToSignFile("\n")
	assert.ErrorContains(t, err, "empty")
	_, err = ParseServerStringToSignFile(`"unterminated`)
	assert.ErrorContains(t, err, "JSON")
}

func TestFirstDifference(t *testing.T) {
	assert.Equal(t, 0, FirstDifference(listSTS, listSTS))
	changed := strings.Replace(listSTS, "x-ms-version:2025-11-05", "x-ms-version:2021-08-06", 1)
	assert.Equal(t, 14, FirstDifference(listSTS, changed))
	assert.Equal(t, 18, FirstDifference(listSTS, strings.TrimSuffix(listSTS, "\nrestype:container")))
	assert.Equal(t, 1, FirstDifference("PUT", "GET"))
}

func TestFormatSTSComparison(t *testing.T) {
	theirs := strings.Replace(listSTS, "\n\n\n\n\n\n\n\n\n\n\n", "\n\n\napplication/xml\n\n\n\n\n\n\n\n", 1)
	out, first := FormatSTSComparison(listSTS, theirs)
	assert.Equal(t, 4, first)
	lines := strings.Split(out, "\n")
	var marked []string
	for _, l := range lines {
		if strings.HasPrefix(l, ">>") {
			marked = append(marked, l)
		}
	}
	require.Len(t, marked, 2, out)
	assert.Contains(t, marked[0], "Content-Length")
	assert.Contains(t, marked[0], `application/xml\n`)
	assert.Equal(t, ">> first difference at line 4", marked[1])

	same, first := FormatSTSComparison(listSTS, listSTS)
	assert.Equal(t, 0, first)
	assert.NotContains(t, same, ">>")
	assert.Contains(t, same, "identical")

	longer, first := FormatSTSComparison(listSTS, listSTS+"\nextra:1")
	assert.Equal(t, 19, first)
	assert.Contains(t, longer, "(missing)")
}

func FuzzServerStringToSign(f *testing.F) {
	f.Add("Server used following string to sign: 'GET\n\n'.")
	f.Add("no marker")
	f.Add("Server used following string to sign: '")
	f.Fuzz(func(t *testing.T, s string) {
		sts, ok := ServerStringToSign(s)
		if ok && len(sts) > len(s) {
			t.Fatalf("extracted more than the input")
		}
		_, _ = ParseServerStringToSignFile(s)
		_, _ = FormatSTSComparison(s, sts)
	})
}

func TestDescribeDifference(t *testing.T) {
	assert.Empty(t, DescribeDifference(listSTS, listSTS))
	added := strings.Replace(listSTS, "x-ms-version:", "x-ms-meta-a:b\nx-ms-version:", 1)
	assert.Equal(t, `the server's string has one extra line, 14: "x-ms-meta-a:b" (added to the request after it was signed?)`, DescribeDifference(listSTS, added))
	assert.Equal(t, `the server's string lacks our line 14: "x-ms-meta-a:b" (removed from the request after it was signed?)`, DescribeDifference(added, listSTS))
	changed := strings.Replace(listSTS, "maxresults:1", "maxresults:1\t", 1)
	assert.Equal(t, `only line 17 differs: ours "maxresults:1", the server's "maxresults:1\\t"`, DescribeDifference(listSTS, changed))
	two := strings.Replace(changed, "GET", "PUT", 1)
	assert.Empty(t, DescribeDifference(listSTS, two))
	assert.Equal(t, `the server's string has one extra line, 2: "x"`, DescribeDifference("a", "a\nx")[:46])
}
