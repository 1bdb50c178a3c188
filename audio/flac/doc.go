// Package flac reads FLAC files through github.com/mewkiz/flac and writes
// them itself, behind the same API as package wav: Decode, DecodeConfig,
// NewEncoder, typed errors.
//
// Specification: RFC 9639, "Free Lossless Audio Codec (FLAC)" (IETF, 2024);
// https://xiph.org/flac/format.html.
//
// Reading: any bit depth from 4 to 32 and 1 to 8 channels; an n-bit sample v
// reads as v/2^(n-1), as in ffmpeg and sox. Errors from the underlying
// library are returned as a *FormatError (its text stripped of the
// library's Go function names); a stream cut inside a frame, or ending on a
// frame boundary before the STREAMINFO sample count, ends with one wrapping
// an *audio.TruncatedError (and io.ErrUnexpectedEOF) naming both lengths.
// Info.Frames is STREAMINFO's total sample count (-1 when the encoder left
// it unknown), and the stream ends there as a WAV or AIFF file ends at its
// header's length: frames past it are decoded only to be counted (up to
// audio.PastCountSeconds of them), into Info.PastFrames once the declared
// end is read, and never delivered. From a seekable input, the tags
// taggers append (ID3v1, APE, ID3v2 with a footer) are no frames: a
// stream of unknown length ends before them.
//
// Writing: 16- and 24-bit integer samples, 1 to 8 channels, fixed blocks of
// 4096 frames, each channel the smallest of a constant, verbatim or
// fixed-predictor subframe (order 0 to 4, one Rice partition). The frames
// are the package's own (encode.go) and byte for byte those the library's
// encoder writes with its analysis, which this package used before: its
// encoder allocated some 30 times and took about 1 ms per stereo block,
// this one allocates nothing per block and takes a fifth of the time.
// Samples are rounded to the nearest integer and clamped.
//
// Importing the package registers the "flac" codec with package audio.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package flac
