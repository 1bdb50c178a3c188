package stemmaster

// StageTiming is one row of a render's timing table (report.json
// "stages"): where the wall time of a render went. Stages overlap — the
// engine runs them side by side on every core — so the rows do not add up
// to the wall time; BusyS adds up the time every goroutine spent in the
// stage (for a stage that one goroutine runs from start to end it equals
// EndS − StartS).
type StageTiming struct {
	// Stage names the work: "check", "decode", "stems", "master bus",
	// "stem-aware chains", "targeting pass N", "targeting model", a
	// deliverable's file name, "encode", "version V", "commit".
	Stage string `json:"stage"`
	// StartS and EndS are seconds since the render began, of the stage's
	// first start and last end.
	StartS Level `json:"start_s"`
	EndS   Level `json:"end_s"`
	// BusyS is the seconds spent in the stage, summed over goroutines.
	BusyS Level `json:"busy_s"`
}
