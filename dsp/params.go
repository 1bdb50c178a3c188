package dsp

import "fmt"

// ParamError reports a processor parameter that cannot be used, e.g. from a
// session file or an API request: which processor, which parameter (named as
// in the session schema, e.g. "freq_hz"), its value and why it is refused.
type ParamError struct {
	Processor string  // "biquad", "compressor", "gain", …
	Param     string  // session-schema name, e.g. "freq_hz"
	Value     float64 // the refused value
	Reason    string  // e.g. "above the Nyquist frequency 24000 Hz"
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("%s: %s = %g: %s", e.Processor, e.Param, e.Value, e.Reason)
}

// NewParamError returns the ParamError refusing processor's param at value
// v (NaN for a parameter that is not a number), with the reason formatted
// from format and args.
func NewParamError(processor, param string, v float64, format string, args ...any) *ParamError {
	return &ParamError{Processor: processor, Param: param, Value: v, Reason: fmt.Sprintf(format, args...)}
}
