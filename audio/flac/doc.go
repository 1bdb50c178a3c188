// Package flac reads and writes FLAC files through github.com/mewkiz/flac,
// behind the same API as package wav: Decode, DecodeConfig, NewEncoder,
// typed errors.
//
// Specification: RFC 9639, "Free Lossless Audio Codec (FLAC)" (IETF, 2024);
// https://xiph.org/flac/format.html.
//
// Reading: any bit depth from 4 to 32 and 1 to 8 channels; an n-bit sample v
// reads as v/2^(n-1), as in ffmpeg and sox. Errors from the underlying
// library are returned as a *FormatError (its text stripped of the
// library's Go function names); a stream cut inside a frame, or ending on a
// frame boundary before the STREAMINFO sample count, ends with one wrapping
// an *audio.TruncatedError (and io.ErrUnexpectedEOF) naming both lengths. Info.Frames is STREAMINFO's total
// sample count (-1 when the encoder left it unknown); the file is not
// scanned to check it.
//
// Writing: 16- and 24-bit integer samples, 1 to 8 channels, fixed blocks of
// 4096 frames, with the library's fixed-predictor analysis. Samples are
// rounded to the nearest integer and clamped. The library allocates per
// frame; this package adds no allocation of its own per block.
//
// Importing the package registers the "flac" codec with package audio.
package flac
