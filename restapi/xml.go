package restapi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on what is read from the network. A server (or anything in the
// path) sending more gets an error instead of our memory.
const (
	errorBodyLimit     = 64 << 10 // error answers are a few hundred bytes
	listBodyLimit      = 32 << 20 // 5,000 blobs with metadata fit easily
	blockListBodyLimit = 32 << 20 // 50,000 committed + 100,000 uncommitted ids
	udkBodyLimit       = 64 << 10
	batchBodyLimit     = 16 << 20 // 256 sub-responses with error bodies
	drainLimit         = 64 << 10 // read from a failed try so the connection can be reused
)

// BodyTooLargeError reports a response body over the package's limit.
type BodyTooLargeError struct {
	Operation string
	Limit     int64
}

// Error says which operation hit which limit.
func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("restapi: %s: response body exceeds the %d-byte limit; refusing to read more (a misbehaving server or proxy?)", e.Operation, e.Limit)
}

// readLimited reads all of r, failing with *BodyTooLargeError past limit.
func readLimited(op string, r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return nil, &BodyTooLargeError{Operation: op, Limit: limit}
	}
	return b, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeXML unmarshals an XML response body. Azure prefixes some bodies
// with a UTF-8 byte order mark, which encoding/xml does not accept.
// encoding/xml never expands entities beyond the five predefined ones (an
// "XML bomb" is a syntax error) and bounds nesting depth.
func decodeXML(op string, body []byte, v any) error {
	body = bytes.TrimPrefix(body, utf8BOM)
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("restapi: %s: response body is empty; expected XML", op)
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("restapi: %s: malformed XML in response: %w", op, err)
	}
	return nil
}

// errorXML is the <Error> body of a failed request.
type errorXML struct {
	Code                      string
	Message                   string
	AuthenticationErrorDetail string
	Details                   map[string]string
}

const (
	maxErrorDetails     = 16
	maxErrorDetailBytes = 2048
)

// secretHeaderNames are headers whose values an InvalidHeaderValue error
// body must not echo back into our error.
var secretHeaderNames = map[string]bool{
	"authorization":                  true,
	"x-ms-copy-source-authorization": true,
}

// parseErrorXML reads <Error><Code/><Message/>...</Error>. Unknown child
// elements are kept (bounded) in Details.
func parseErrorXML(body []byte) (*errorXML, error) {
	body = bytes.TrimPrefix(body, utf8BOM)
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	var out errorXML
	depth := 0
	inError := false
	var field string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				if t.Name.Local != "Error" {
					return nil, fmt.Errorf("root element is <%s>, not <Error>", t.Name.Local)
				}
				inError = true
			case depth == 2:
				field = t.Name.Local
				text.Reset()
			}
		case xml.CharData:
			if depth == 2 && text.Len() < maxErrorDetailBytes {
				text.Write(t)
			}
		case xml.EndElement:
			if depth == 2 {
				v := text.String()
				if len(v) > maxErrorDetailBytes {
					v = v[:maxErrorDetailBytes]
				}
				switch field {
				case "Code":
					out.Code = strings.TrimSpace(v)
				case "Message":
					out.Message = v
				case "AuthenticationErrorDetail":
					out.AuthenticationErrorDetail = v
				default:
					if out.Details == nil {
						out.Details = make(map[string]string)
					}
					if len(out.Details) < maxErrorDetails {
						out.Details[field] = strings.TrimSpace(v)
					}
				}
			}
			depth--
		}
	}
	if !inError {
		return nil, errors.New("no <Error> element")
	}
	if hv, ok := out.Details["HeaderValue"]; ok {
		switch hn := strings.ToLower(out.Details["HeaderName"]); {
		case secretHeaderNames[hn]:
			out.Details["HeaderValue"] = redacted
		case hn == "x-ms-copy-source":
			// The source URL may carry a SAS: keep it readable, minus sig.
			out.Details["HeaderValue"] = RedactURL(hv)
		}
	}
	for k, v := range out.Details {
		out.Details[k] = RedactText(v)
	}
	return &out, nil
}
