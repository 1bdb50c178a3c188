package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func newWorkerCmd() *cobra.Command {
	var o serviceOptions
	cmd := newCommand("worker", cobra.NoArgs, func(cmd *cobra.Command, args []string) error {
		if !isPostgres(o.db) {
			return usageError(errors.New("worker needs --db postgres://…; with SQLite, `stemmaster serve` works the jobs itself"))
		}
		if o.blobs == "" {
			return usageError(errors.New("worker needs --blobs, the store the web front end uses"))
		}
		if err := o.check(); err != nil {
			return usageError(err)
		}
		ctx, stop, logger, err := o.signalled(cmd)
		if err != nil {
			return err
		}
		defer stop()
		svc, err := openService(ctx, o, true, logger)
		if err != nil {
			return err
		}
		defer svc.Close()
		if err := serveInternalOps(ctx, &o.ops, svc, true, cmd.ErrOrStderr(), logger); err != nil {
			return err
		}
		if err := svc.queue.Start(ctx); err != nil {
			return inputError(err)
		}
		fmt.Fprintln(cmd.ErrOrStderr(), "stemmaster: worker started")
		<-ctx.Done()
		return stopQueue(svc.queue, o.stopWait)
	})
	o.addFlags(cmd)
	cmd.Flags().Lookup("data").Usage = "directory for temporary work"
	return cmd
}
