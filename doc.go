// Package stemmaster holds the domain types shared by every part of
// stemmaster: the session (stems, their roles and processing, the master
// chain, targets, outputs and versions), findings of the stem checks, and the
// reports written as JSON. It imports only the standard library and does no
// I/O.
//
// The repository's docs/ directory describes them for users and newcomers:
// docs/architecture.md (the data flow, the packages and what each may
// import, the decisions), docs/session.md (every session field with its
// unit, default and bounds) and docs/checks.md (every finding code, how it
// is measured and fixed). Tests keep those pages in step with these types.
package stemmaster
