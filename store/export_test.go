package store

// RangeRequests returns how many ranged requests readers of b have sent
// (retries included): what reading in place costs, for the tests and the
// benchmark of ObjectReader. Nothing in the program reads it, so it is
// not part of the package's API.
func (b *Blobs) RangeRequests() int64 { return b.ranges.Load() }
