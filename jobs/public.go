package jobs

import (
	"regexp"
	"strings"
)

var (
	// dbURL matches a database URL, credentials included.
	dbURL = regexp.MustCompile(`\b(?:postgres(?:ql)?|sqlite|mysql|file|s3|gs|azblob|mem)://\S*`)
	// absPath matches an absolute path (Unix or Windows) of two or more
	// components.
	absPath = regexp.MustCompile(`(?:[A-Za-z]:)?[/\\](?:[^\s/\\:"']+[/\\])+([^\s/\\:"']*)`)
	// blobKey matches a storage key of the blob store.
	blobKey = regexp.MustCompile(`\bprojects/[0-9a-f]{32}/(?:[^\s:"']+/)*([^\s/:"']*)`)
)

// PublicMessage makes an error message fit to show a client: database URLs
// become "(database)", storage keys and server paths their last element
// (the file name the client knows). The full error goes to the log.
func PublicMessage(msg string) string {
	msg = dbURL.ReplaceAllString(msg, "(database)")
	msg = blobKey.ReplaceAllString(msg, "$1")
	msg = absPath.ReplaceAllString(msg, "$1")
	return strings.TrimSpace(msg)
}
