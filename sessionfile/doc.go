// Package sessionfile reads the session file (docs/session.md):
// the YAML or JSON document naming the stems, their channel strips, the
// reference mix, the master chain, the outputs and the versions, with paths
// relative to the file.
//
// It decodes with the gopkg.in/yaml.v3 Node API so that every field keeps its
// line: errors read like
//
//	session.yaml:7: stems[2].eq[0].freq_hz: 30000 is above Nyquist (24000 Hz)
//
// JSON is read as the YAML subset it is, so it gets line numbers too. The
// result is a *stemmaster.Session whose Lines map carries the lines, so the
// root package's Validate and ValidateRate (which import only the standard
// library) can point at them. Errors are *stemmaster.SessionError values.
package sessionfile
