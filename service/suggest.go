package service

import (
	"context"

	"stemmaster"
	"stemmaster/store"
)

// SuggestCheck is the check report the assistant's suggestion reads (its
// offsets, polarities, channel swaps and conversions, through
// analysis.Resolve): the project's stored one, or, before the client ran
// a check, a check of the files the suggestion downloaded — the stems
// under dir/stem and the mix under dir/mix, each by its name — which is
// then stored as the project's (store.Metadata.KeepCheck: only while the
// files are still those the project was read with, and only where no
// check landed meanwhile). One check per upload set: the page's
// checklist and the suggestion read the same report.
//
// A report that may be stored is the project's check, so it is the full
// one a check job makes, the stems' true peaks with it: the project's
// check must not differ by who made it. Only a check that cannot be
// stored (the files were replaced since p was read) leaves them out, as
// the CLI's assist and the render's check do: no finding reads them.
func (ps *Projects) SuggestCheck(ctx context.Context, p *store.Project, stems []string, mix, dir string) (*stemmaster.CheckReport, error) {
	if rep := ps.Check(p); rep != nil {
		return rep, nil
	}
	keep := true
	if now, err := ps.Meta.Project(ctx, p.ID); err == nil {
		if now.FilesGen == p.FilesGen && now.CheckGen == p.FilesGen {
			// A check of these files landed since p was read.
			if rep := ps.Check(now); rep != nil {
				return rep, nil
			}
		}
		keep = now.FilesGen == p.FilesGen
	}
	rep, err := StemChecker{NoStemTruePeak: !keep}.Check(ctx, stems, mix)
	if err != nil || !keep {
		return rep, err
	}
	// A report the store could not keep is still this suggestion's: the
	// page's check makes its own.
	if _, err := ps.Meta.KeepCheck(ctx, p.ID, p.FilesGen, encodeCheck(rep, dir)); err != nil {
		ps.log().Warn("the suggestion's check was not stored", "project", p.ID, "err", err)
	}
	return rep, nil
}
