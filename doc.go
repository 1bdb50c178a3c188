// Package stemmaster holds the domain types shared by every part of
// stemmaster: the session (stems, their roles and processing, the master
// chain, targets, outputs and versions), findings of the stem checks, and the
// reports written as JSON. It imports only the standard library.
package stemmaster
