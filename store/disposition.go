package store

import (
	"fmt"
	"strings"
)

// Attachment is the Content-Disposition of a download named name: a name
// of printable ASCII as it is; any other in filename* (RFC 6266),
// UTF-8 percent-encoded (RFC 8187), which browsers read, with an ASCII
// stand-in in filename (every other character "_") for a client that
// reads only that. Raw UTF-8 in filename is read as Latin-1 by some
// clients ("Ãœberkopf"). A quote, a backslash or a control character in
// name becomes "_" in the stand-in and is encoded in filename*: nothing
// breaks out of the header.
func Attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			return r
		}
		return '_'
	}, name)
	if ascii == name {
		return `attachment; filename="` + name + `"`
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}
