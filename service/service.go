// Package service owns a project's lifecycle in the web service — upload
// → check → session → render → publish → expire — in typed values
// (*stemmaster.Session, *stemmaster.Report, *stemmaster.CheckReport),
// shared by the HTTP handlers (package server) and the River workers
// (package jobs):
//
//   - Projects is the side the handlers drive: creating a project (with
//     the shared demo stems), inspecting and recording uploads within the
//     limits, the session (parsed and validated once per request), render
//     preparation and queueing, cancel, deletion.
//   - Runner is the side the workers drive (it implements jobs.Worker):
//     a check or render job fetches the inputs (or reads them in place),
//     runs the Checker or the Renderer (engine.Render, EngineRenderer),
//     writes into its own attempt's key space and publishes with one
//     conditional switch (store.PublishRender); it retries within a bound
//     that survives crashes, sweeps replaced renders and expires projects.
//
// Reliability: a job already done never runs again, an older render never
// replaces a newer one, what is replaced is deleted by the sweeper after
// the switch, never the current render, and a check is stored only if the
// stems it checked are still the project's. Errors shown to clients go
// through jobs.PublicMessage; the details go to the log, one line per
// state change.
//
// The store keeps sessions and reports as JSON; codec.go is the one place
// where typed values become that JSON and back. A worker process needs
// neither the HTTP package nor its handlers.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/check"
	"stemmaster/engine"
	"stemmaster/internal/atomicfile"
	"stemmaster/report"
)

// Sessions checks and fills in sessions with the session schema of the
// root package (sessionfile.Parse and stemmaster.Session.Validate);
// Projects and Runner both use it.
type Sessions struct{}

// Validate parses and validates a session against the uploaded files.
// Every error it returns is a *stemmaster.SessionError (joined), with a Kind.
func (Sessions) Validate(session []byte, stems []string, mix string, sampleRate int) ([]byte, error) {
	s, err := decodeSession(session)
	if err != nil {
		return nil, err
	}
	if err := validate(s, stems, mix, sampleRate); err != nil {
		return nil, err
	}
	return encodeSession(s), nil
}

// validate checks a parsed session against the uploads and the stems'
// rate. Every error it returns is a *stemmaster.SessionError (joined).
func validate(s *stemmaster.Session, stems []string, mix string, sampleRate int) error {
	// Files live in the blob store, not on this disk: the names are
	// checked against the uploads (Validate itself does no I/O).
	uploaded := make(map[string]bool, len(stems))
	for _, n := range stems {
		uploaded[n] = true
	}
	var errs []error
	for i, st := range s.Stems {
		if st.File != "" && !uploaded[st.File] && !StereoSession(s, mix) {
			errs = append(errs, &stemmaster.SessionError{Field: fmt.Sprintf("stems[%d].file", i), Value: strconv.Quote(st.File), Problem: "is not an uploaded stem", Kind: stemmaster.ErrNoFile})
		}
	}
	if s.Mix != "" && s.Mix != mix {
		errs = append(errs, &stemmaster.SessionError{Field: "mix", Value: strconv.Quote(s.Mix), Problem: "is not the uploaded mix", Kind: stemmaster.ErrNoFile})
	}
	errs = append(errs, s.Validate())
	if sampleRate > 0 {
		errs = append(errs, s.ValidateRate(sampleRate))
	}
	if err := errors.Join(errs...); err != nil {
		return trimSessionName(err)
	}
	return nil
}

// trimSessionName removes the "session: " label the parser puts before
// each problem: over the API there is no file.
func trimSessionName(err error) error {
	for _, se := range stemmaster.SessionErrors(err) {
		if se.File == "session" {
			se.File = ""
		}
	}
	return err
}

// ReconcileSession brings a session (JSON, nil for none) in line with the
// uploaded files: stems no longer uploaded are dropped, new ones are added
// at unity with their role from the file name, and the mix is set; a mix
// alone makes it the stereo master of the mix. The render takes it as it
// is: it is parsed here once.
func (Sessions) ReconcileSession(session []byte, stems []string, mix string) *stemmaster.Session {
	s := &stemmaster.Session{}
	if session != nil {
		if parsed, err := decodeSession(session); err == nil {
			s = parsed
		}
	} else if mix != "" && len(stems) == 0 {
		// A new project's mix alone is mastered with the chain
		// `stemmaster master --stereo` runs, so the page and the CLI
		// master the same mix alike.
		s.Master = engine.StereoMaster()
	} else {
		// A new project's stems start from the chain `stemmaster master`
		// runs on stems given with no session, for the same reason.
		s.Master = engine.DefaultMaster()
	}
	return Sessions{}.ReconcileWith(s, stems, mix)
}

// ReconcileWith brings a parsed session in line with the uploaded files,
// as ReconcileSession does, in place, and returns it.
func (Sessions) ReconcileWith(s *stemmaster.Session, stems []string, mix string) *stemmaster.Session {
	if mix != "" && (len(stems) == 0 || StereoSession(s, mix)) {
		ToStereo(s, mix)
		stems, mix = []string{mix}, ""
	}
	var kept []stemmaster.StemSpec
	have := map[string]bool{}
	uploaded := make(map[string]bool, len(stems))
	for _, n := range stems {
		uploaded[n] = true
	}
	for _, st := range s.Stems {
		if uploaded[st.File] && !have[st.File] {
			kept = append(kept, st)
			have[st.File] = true
		}
	}
	for _, name := range stems {
		if !have[name] {
			kept = append(kept, stemmaster.StemSpec{File: name})
		}
	}
	s.Stems = kept
	s.Mix = mix
	filled := s.WithDefaults()
	// Fill in roles and polarity for the mixer; keep outputs and versions
	// as the client left them (WithDefaults would add the defaults).
	s.Stems = filled.Stems
	if s.Stems == nil {
		s.Stems = []stemmaster.StemSpec{}
	}
	return s
}

// EngineRenderer is the Renderer of the service: engine.Render, and the
// report's pictures and HTML page beside the outputs.
type EngineRenderer struct {
	// Workers bounds the stems processed at once (0: every core).
	Workers int
	// MaxDurationS bounds a song's length, offsets included (0: the
	// service default, MaxSongS): a worker holds the whole master bus in
	// memory, and a session is a stranger's input.
	MaxDurationS float64
}

var _ Renderer = EngineRenderer{}

// MaxSongS is the longest song the service renders by default: 20 minutes,
// about 1.5 GB of master bus at 96 kHz.
const MaxSongS = 20 * 60

// Render masters in.Session, its files in in.Dir, into in.OutDir;
// engine.Render validates it.
func (e EngineRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	s := *in.Session
	s.Dir = in.Dir
	s.Name = ""
	rep, err := engine.Render(ctx, &s, engine.Options{OutDir: in.OutDir, OpenInput: in.Open, Progress: in.Progress, PlainSum: in.PlainSum, Workers: e.Workers, MaxDurationS: cmp.Or(e.MaxDurationS, MaxSongS)})
	if err != nil {
		return nil, err
	}
	if in.Finished != nil {
		// The deliverables are final; the report and its pictures follow.
		for _, o := range rep.Outputs {
			in.Finished(o.File)
		}
	}
	if len(in.Confirmed) > 0 {
		if err := recordConfirmed(in.OutDir, rep, in.Confirmed); err != nil {
			return nil, err
		}
	}
	if err := report.Write(in.OutDir, rep); err != nil {
		return nil, err
	}
	// engine.Render has written report.json (atomically, last).
	return rep, nil
}

// QuoteView is the quote as the API shows it: amounts in major units.
type QuoteView struct {
	Currency string          `json:"currency"`
	Service  string          `json:"service"`
	Lines    []QuoteLineView `json:"lines"`
	Total    float64         `json:"total"`
	Text     string          `json:"text"` // "120.00 EUR"
}

// QuoteLineView is one line of a quote.
type QuoteLineView struct {
	Item     string  `json:"item"`
	Quantity int     `json:"quantity"`
	Amount   float64 `json:"amount"`
}

// QuoteRequest describes what a client asks for.
type QuoteRequest struct {
	Stems        int    `json:"stems"`
	Deliverables int    `json:"deliverables"`
	Versions     int    `json:"versions"`
	Service      string `json:"service"` // the advice's service, "" before a check
}

// PriceQuoter prices projects with analysis.Quote and a price list.
func PriceQuoter(prices analysis.PriceList) func(QuoteRequest) any {
	return func(r QuoteRequest) any {
		service := stemmaster.Service(r.Service)
		if service == "" {
			service = stemmaster.ServiceStemMastering
		}
		q := analysis.Quote(prices, analysis.QuoteRequest{Service: service, Stems: r.Stems, Deliverables: r.Deliverables, Versions: r.Versions})
		v := QuoteView{Currency: q.Currency, Service: string(service), Total: float64(q.Total) / 100, Text: q.String(), Lines: []QuoteLineView{}}
		for _, l := range q.Lines {
			v.Lines = append(v.Lines, QuoteLineView{Item: l.Item, Quantity: l.Quantity, Amount: float64(l.Amount) / 100})
		}
		return v
	}
}

// recordConfirmed adds the check errors mastered anyway to the report and
// rewrites report.json (atomically, as the engine wrote it).
func recordConfirmed(dir string, rep *stemmaster.Report, confirmed []string) error {
	rep.MasteredAnyway = confirmed
	rep.Warnings = append(rep.Warnings, fmt.Sprintf("mastered anyway, with %d check error(s) not corrected: %s", len(confirmed), strings.Join(confirmed, "; ")))
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, engine.ReportFile), append(js, '\n'))
}

// StereoSession reports whether s masters the mix alone.
func StereoSession(s *stemmaster.Session, mix string) bool {
	return mix != "" && len(s.Stems) == 1 && s.Stems[0].File == mix
}

// ToStereo turns s into the stereo master of mix, keeping the master
// chain, the target and the deliverables. Versions other than main need
// stems, so they go.
func ToStereo(s *stemmaster.Session, mix string) {
	keep := stemmaster.StemSpec{File: mix, Role: stemmaster.RoleOther}
	if StereoSession(s, mix) {
		keep = s.Stems[0]
	}
	s.Stems = []stemmaster.StemSpec{keep}
	s.Mix = ""
	s.Versions = nil
}

// StemChecker is the Checker of the service: the stem checks of package
// check. NoStemTruePeak leaves out the stems' true peaks
// (check.Options.NoStemTruePeak): no finding reads them, so a caller that
// keeps only the findings (the suggestion) saves oversampling every stem.
type StemChecker struct{ NoStemTruePeak bool }

var _ Checker = StemChecker{}

// Check checks the delivery with package check; see Checker.
func (c StemChecker) Check(ctx context.Context, stems []string, mix string) (*stemmaster.CheckReport, error) {
	return c.CheckFrom(ctx, stems, mix, nil)
}

// CheckFrom checks the delivery reading the files through open; see
// OpenChecker.
func (c StemChecker) CheckFrom(ctx context.Context, stems []string, mix string, open func(string) (io.ReadSeekCloser, error)) (*stemmaster.CheckReport, error) {
	return check.Run(ctx, check.FileSourcesFrom(stems, open), check.MixSourceFrom(mix, open), check.Options{NoStemTruePeak: c.NoStemTruePeak})
}
