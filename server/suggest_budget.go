package server

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"stemmaster/assist"
)

// DefaultSuggestFrames bounds the sample frames (per channel) one
// suggestion decodes across all its tracks: 480 track-seconds at 48 kHz.
// The assistant holds each track, its processed copies and their analyses
// at about 34 bytes a frame, so this keeps one request under about 0.8 GB
// however long and many the uploads are; Server.suggestions lets one
// suggestion run at a time, so requests cannot add up.
const DefaultSuggestFrames = 480 * 48000

// MinSuggestExcerptS is the shortest excerpt worth a proposal: under it
// the request is refused rather than answered from a few seconds.
const MinSuggestExcerptS = 5

// suggestInput is one file a suggestion reads: a stem or the mix (on the
// song's timeline, excerpted together) or a reference (excerpted alone).
type suggestInput struct {
	kind, name, key string
	weight          float64
	onTimeline      bool
}

// suggestExcerpt tells the client which part of the song the proposal
// rests on when it is not the whole.
type suggestExcerpt struct {
	StartS  float64 `json:"start_s"`
	LengthS float64 `json:"length_s"`
	SongS   float64 `json:"song_s"`   // the longest stem's (or mix's) length
	BudgetS float64 `json:"budget_s"` // the server's budget in track-seconds at 48 kHz
	Message string  `json:"message"`
}

type suggestPlan struct {
	tracks  []*assist.Track
	paths   []string // the downloaded files, in the inputs' order
	excerpt *suggestExcerpt
}

// planSuggest downloads the inputs into dir, sizes one excerpt length so
// that all of them fit the frame budget (assist.Plan), and decodes
// each: the stems and mix from the same centred window of the song, each
// reference from its own centre. It writes the error response and
// returns false when it cannot.
func (s *Server) planSuggest(w http.ResponseWriter, r *http.Request, dir string, in []suggestInput) (suggestPlan, bool) {
	budget := float64(s.cfg.SuggestFrames)
	if budget <= 0 {
		budget = DefaultSuggestFrames
	}
	paths := make([]string, len(in))
	spans := make([]assist.Span, len(in))
	for i, f := range in {
		// Each file under its own name: the check, when suggest runs it,
		// names the stems by it. The stems and the mix in the directories
		// of their kind (service.Projects.SuggestCheck stores the check
		// without them), each reference in one of its own (a reference may
		// share a stem's name).
		sub := f.kind
		if !f.onTimeline {
			sub = fmt.Sprintf("%d-%s", i, f.kind)
		}
		paths[i] = filepath.Join(dir, sub, filepath.Base(f.name))
		if err := os.MkdirAll(filepath.Dir(paths[i]), 0o700); err != nil {
			s.internal(w, r, err)
			return suggestPlan{}, false
		}
		if err := s.projects.DownloadSource(r.Context(), f.key, paths[i]); err != nil {
			s.internal(w, r, err)
			return suggestPlan{}, false
		}
		var err error
		if spans[i], err = assist.SpanOf(paths[i], f.onTimeline, s.cfg.Limits.MaxDurationS); err != nil {
			writeError(w, http.StatusUnprocessableEntity, "unreadable", strings.ReplaceAll(err.Error(), paths[i], f.name))
			return suggestPlan{}, false
		}
		if spans[i].DurS > s.cfg.Limits.MaxDurationS {
			writeError(w, http.StatusUnprocessableEntity, "too_long", fmt.Sprintf("%s is longer than this server's %g s", f.name, s.cfg.Limits.MaxDurationS))
			return suggestPlan{}, false
		}
	}
	length, window := assist.Plan(spans, budget)
	budgetS := budget / 48000
	plan := suggestPlan{paths: paths}
	if length < MinSuggestExcerptS {
		writeError(w, http.StatusUnprocessableEntity, "over_budget", fmt.Sprintf(
			"%d tracks at their rates leave %.1f s each of this server's analysis budget (%g track-seconds at 48 kHz), under the %d s a suggestion needs; remove references or stems, or use the CLI's assist",
			len(in), length, budgetS, MinSuggestExcerptS))
		return suggestPlan{}, false
	}
	if window != nil {
		plan.excerpt = &suggestExcerpt{StartS: window.StartS, LengthS: window.LengthS, SongS: window.SongS, BudgetS: budgetS,
			Message: fmt.Sprintf("the suggestion rests on %.1f s from the middle of the song (%.1f s): this server analyses at most %g track-seconds at 48 kHz a request", window.LengthS, window.SongS, budgetS)}
	}
	for i, f := range in {
		t, err := assist.ReadPlanned(paths[i], spans[i], length, window)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "unreadable", strings.ReplaceAll(err.Error(), paths[i], f.name))
			return suggestPlan{}, false
		}
		plan.tracks = append(plan.tracks, t)
	}
	return plan, true
}
