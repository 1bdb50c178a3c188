//go:build !unix

package main

// endBySIGINT does nothing where a process cannot send itself SIGINT: the
// command exits 1 as for any other interruption.
func endBySIGINT() {}
