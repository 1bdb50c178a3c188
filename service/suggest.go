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
// checklist and the suggestion read the same report. The stems' true
// peaks are left out, as the CLI's assist and the render's check leave
// them: no finding reads them.
func (ps *Projects) SuggestCheck(ctx context.Context, p *store.Project, stems []string, mix, dir string) (*stemmaster.CheckReport, error) {
	if rep := ps.Check(p); rep != nil {
		return rep, nil
	}
	rep, err := StemChecker{NoStemTruePeak: true}.Check(ctx, stems, mix)
	if err != nil {
		return nil, err
	}
	// A report the store could not keep is still this suggestion's: the
	// page's check makes its own.
	if _, err := ps.Meta.KeepCheck(ctx, p.ID, p.FilesGen, encodeCheck(rep, dir)); err != nil {
		ps.log().Warn("the suggestion's check was not stored", "project", p.ID, "err", err)
	}
	return rep, nil
}
