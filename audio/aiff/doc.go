// Package aiff reads AIFF and AIFF-C files: big-endian integer PCM ("NONE",
// "twos", "in24", "in32"), little-endian integer PCM ("sowt"), 32- and 64-bit
// float ("fl32", "fl64") and 8-bit offset binary ("raw "), of any sample size
// from 1 to 32 bits (left-justified in whole bytes) and any channel count.
//
// Specifications: Apple "Audio Interchange File Format: AIFF, A Standard for
// Sampled Sound Files" version 1.3 (1989) and "AIFF-C: Audio Interchange File
// Format Compression Extension" (Apple, 1991). The sample rate is stored as
// an 80-bit IEEE 754 extended float.
//
// Integer samples of n bits read as v/2^(n-1), as in ffmpeg and sox. Chunks
// other than COMM and SSND (FVER, NAME, MARK, INST, COMT, ID3, …) are
// skipped with their pad byte (where a writer left it out, a seekable input
// is read right all the same). The COMM chunk may follow SSND in a seekable
// input. Damaged files are handled like package wav handles them: a sound
// data chunk that claims more than the file holds (or than COMM declares)
// is read as far as it goes and then ends with a *FormatError wrapping an
// *audio.TruncatedError naming both lengths; NaN and infinite float
// samples read as 0 and end the stream with an *audio.NonFiniteError. A
// sound data chunk that holds more frames than COMM declares is read to
// COMM's count, the rest counted in Info.PastFrames. Compressed AIFF-C (µ-law, A-law, IMA4, MACE, …)
// returns an UnsupportedError, which wraps audio.ErrUnsupported.
//
// Importing the package registers the "aiff" codec with package audio. It
// writes AIFF (not AIFF-C) with 16-, 24- or 32-bit integer samples
// (Encoder), the deliverable a session's `format: aiff` asks for.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package aiff
