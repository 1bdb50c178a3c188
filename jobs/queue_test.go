package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	"stemmaster/store"
)

// TestOpenErrorsHideThePassword opens the queue and the store on database
// URLs that fail (nothing listens; a malformed port) and checks that no
// error shows the password.
func TestOpenErrorsHideThePassword(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-Pa55"
	for _, url := range []string{
		"postgres://app:" + secret + "@127.0.0.1:1/stemmaster?connect_timeout=2",
		"postgres://app:" + secret + "@127.0.0.1:notaport/stemmaster",
		"postgresql://app:" + secret + "@[::1/x",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, qerr := OpenPostgresQueue(ctx, url, &storeWorker{}, QueueOptions{})
		_, serr := store.OpenSQL(ctx, url)
		cancel()
		for _, err := range []error{qerr, serr} {
			if err == nil {
				t.Errorf("%s: opened", url)
				continue
			}
			t.Log(err)
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the password: %v", err)
			}
		}
	}
}
