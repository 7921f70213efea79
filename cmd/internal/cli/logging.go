package cli

import (
	"io"
	"log/slog"
)

// NewLogger returns the tool's logger: text records on w, at debug level
// when debug is set and warnings only otherwise, with every record passed
// through the scrubber so that a URL with a SAS, a key or a token that
// reaches a log line is replaced by Redacted.
func NewLogger(w io.Writer, s *Scrubber, debug bool) *slog.Logger {
	level := slog.LevelWarn
	if debug {
		level = slog.LevelDebug
	}
	h := slog.NewTextHandler(s.Writer(w), &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			// Scrub attribute values individually as well: the text handler
			// quotes values, and a quoted secret is still a secret, but an
			// escaped one ("\u002b") would slip past the writer.
			switch a.Value.Kind() {
			case slog.KindString:
				a.Value = slog.StringValue(s.String(a.Value.String()))
			case slog.KindAny:
				switch v := a.Value.Any().(type) {
				case error:
					a.Value = slog.StringValue(s.String(v.Error()))
				case interface{ String() string }:
					a.Value = slog.StringValue(s.String(v.String()))
				}
			}
			return a
		},
	})
	return slog.New(h)
}
