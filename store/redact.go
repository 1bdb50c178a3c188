package store

import (
	"errors"
	"net/url"
	"regexp"
)

// userinfo matches the user:password@ part of URLs in text.
var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@`)

// RedactURL removes the credentials from a database or bucket URL, for
// logs and error messages.
func RedactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	return userinfo.ReplaceAllString(s, "$1")
}

// RedactURLError is err with credentials in URLs removed from its message.
func RedactURLError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := userinfo.ReplaceAllString(msg, "$1")
	if red == msg {
		return err
	}
	return errors.New(red)
}
