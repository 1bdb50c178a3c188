package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"stemmaster"
	"stemmaster/store"
)

// Error answers: every error is JSON {"error": {"code", "message", "field"}}.

// jsonErrorWriter turns the mux's plain-text error answers into API errors.
type jsonErrorWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *jsonErrorWriter) WriteHeader(status int) {
	if w.wrote {
		return
	}
	w.wrote = true
	code, msg := "not_found", "no such API call"
	if status == http.StatusMethodNotAllowed {
		code, msg = "method_not_allowed", "method not allowed for this API call"
	}
	w.Header().Del("Content-Length")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Del("X-Content-Type-Options")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.ResponseWriter.WriteHeader(status)
	json.NewEncoder(w.ResponseWriter).Encode(apiError{Error: errorBody{Code: code, Message: msg}})
}

func (w *jsonErrorWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusNotFound)
	}
	return len(b), nil
}

type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the request field at fault, when there is one.
	Field string `json:"field,omitempty"`
	// Fields lists every problem of an invalid session.
	Fields []FieldError `json:"fields,omitempty"`
}

// FieldError is one problem of a session: the field, its kind (the
// stemmaster.ErrorKind: invalid, too_many, duplicate, no_file, …) and the
// message.
type FieldError struct {
	Field   string `json:"field"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// writeFieldError answers a problem with one request field.
func writeFieldError(w http.ResponseWriter, status int, code, field, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(apiError{Error: errorBody{Code: code, Message: msg, Field: field}})
}

// writeSessionError answers an invalid session: 422 with every problem,
// each naming its field and kind.
func writeSessionError(w http.ResponseWriter, err error) {
	body := errorBody{Code: "invalid_session", Message: err.Error()}
	for _, se := range stemmaster.SessionErrors(err) {
		body.Fields = append(body.Fields, FieldError{Field: se.Field, Kind: string(se.ErrKind()), Message: se.Error()})
	}
	if len(body.Fields) > 0 {
		body.Field = body.Fields[0].Field
		if body.Field == "" {
			body.Field = "session"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnprocessableEntity)
	json.NewEncoder(w).Encode(apiError{Error: body})
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(apiError{Error: errorBody{Code: code, Message: msg}})
}

// smallBodyBytes bounds the JSON body of the small requests: a project's
// creation, a mode, a title, a reference's weight, a fix to apply, a
// render's confirmations.
const smallBodyBytes = 4096

// decodeSmall decodes a small request's JSON body into v (decodeOne).
func decodeSmall(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeOne(json.NewDecoder(http.MaxBytesReader(w, r.Body, smallBodyBytes)), v)
}

// errTrailingJSON is decodeOne's answer to a body with more after its
// value.
var errTrailingJSON = errors.New("something follows the JSON value: send one value alone")

// decodeOne decodes one JSON value from dec into v and refuses a body
// with anything but white space after it ({"title": "a"} {"title": "b"}):
// such a body is not a request this API defines, and a proxy, a log or
// another client reading it may take another value from it than v.
func decodeOne(dec *json.Decoder, v any) error {
	if err := dec.Decode(v); err != nil {
		return err
	}
	_, err := dec.Token()
	var mbe *http.MaxBytesError
	switch {
	case err == io.EOF:
		return nil
	case errors.As(err, &mbe):
		return err
	}
	return errTrailingJSON
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// internal logs err and answers 500 without details: the client gets the
// request id to quote, the operator the error in the log under that id.
// An error of a store out of reach answers 503 unavailable with
// Retry-After instead.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	rid := requestID(r.Context())
	if store.Unavailable(err) {
		// The database or the blob store is restarting or out of reach:
		// nothing is wrong with the request, and it is worth sending
		// again in a moment.
		s.cfg.Logger.Warn("request failed: store unavailable", "request", rid, "method", r.Method, "path", r.URL.Path, "error", err)
		w.Header().Set("Retry-After", strconv.Itoa(int(unavailableWait/time.Second)))
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the service's storage is briefly out of reach; try again shortly (request "+rid+")")
		return
	}
	if store.DiskFull(err) {
		// The watermark (--min-free-mb) is off, or the disk filled
		// faster than it is looked at: the same answer as the watermark's.
		s.cfg.Logger.Error("request failed: disk full", "request", rid, "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, errSpoolDisk.status, errSpoolDisk.code, errSpoolDisk.message)
		return
	}
	s.cfg.Logger.Error("request failed", "request", rid, "method", r.Method, "path", r.URL.Path, "error", err)
	writeError(w, http.StatusInternalServerError, "internal", "internal error; try again (request "+rid+")")
}

// unavailableWait is the Retry-After of a 503 unavailable: about how long
// a database restart or failover takes.
const unavailableWait = 5 * time.Second

// prunedMessage is the answer for a job the project pruned (410
// job_pruned): where its result is, if it is still the project's.
const prunedMessage = "this job ended and was pruned: a project keeps its newest finished jobs of each kind " +
	"(and any whose check, render or outputs it still shows); GET the project for its current check and render"

// projectDeleted is the 404 of a write that finds its project deleted
// since the request was authorised (service.Projects.wroteUnder).
const projectDeleted = "no such project (it was deleted)"

// failed answers err, when there is one, and reports whether it did: 404
// with notFound for a missing record, 410 for a pruned job, else as
// internal does.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, err error, notFound string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrPruned):
		writeError(w, http.StatusGone, "job_pruned", prunedMessage)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", notFound)
	default:
		s.internal(w, r, err)
	}
	return true
}
