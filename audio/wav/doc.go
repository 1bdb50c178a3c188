// Package wav reads and writes WAV files: RIFF/WAVE linear PCM and IEEE
// float, WAVE_FORMAT_EXTENSIBLE, Broadcast Wave (BWF) and RF64/BW64.
//
// Specifications:
//   - RIFF/WAVE: Microsoft/IBM "Multimedia Programming Interface and Data
//     Specifications 1.0" (1991) and RFC 2361 for format tags;
//     WAVE_FORMAT_EXTENSIBLE: Microsoft "Multiple Channel Audio Data and WAVE
//     Files" (KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUIDs).
//   - Broadcast Wave: EBU Tech 3285 (the bext chunk; TimeReference is the
//     first sample's position on the timeline, in samples since midnight).
//   - RF64: EBU Tech 3306; BW64: ITU-R BS.2088 (same ds64 layout).
//
// Reading: 8-bit (unsigned), 16-, 20-, 24- and 32-bit integer and 32- and
// 64-bit float samples, any channel count and sample rate; for
// WAVE_FORMAT_EXTENSIBLE the sub-format GUID decides integer or float and
// the valid bits are honoured (bits below them are cleared). Chunks other
// than fmt, data, ds64 and bext (LIST, JUNK, iXML, fact, cue, …) are
// skipped, with RIFF's pad byte after odd-sized chunks (where a writer
// left it out, a file or a stream is read right all the same). Integer
// samples of n bits read as v/2^(n-1), exactly what ffmpeg and sox give.
//
// Damaged files: a data chunk that claims more bytes than the file holds is
// read as far as the file goes (DecodeConfig reports the frames present in
// Frames and the claim in DeclaredFrames), and then ends with a
// *FormatError wrapping an *audio.TruncatedError (and io.ErrUnexpectedEOF)
// that names both lengths; so does a file cut in the middle of a frame.
// A data chunk whose size is 0 (with samples behind it) or 0xFFFFFFFF
// (streamed) reads up to what writers and taggers append behind the
// audio: tags (ID3v2, ID3v1, APE) and chunks (LIST, id3, bext, …) that
// start in the file's last 16 MiB; so does Info.PastFrames count audio
// behind a data size that lies short, and zero padding then a tag is no
// audio. A recognised chunk that starts further from the end (a LIST or
// id3 chunk of more than 16 MiB) is not in Info.Frames, which the header
// gives reading no more of the tail, but the read stops at it with a
// *FormatError naming it. From a stream, which cannot look behind the
// audio, both sizes read to the end of the input (a size of 0 when what
// follows it is neither a chunk nor a tag). A 32- or 64-bit float whose EXTENSIBLE valid bits say fewer reads
// as the whole floats it holds.
// NaN and infinite float samples read as 0 and the stream ends with an
// *audio.NonFiniteError. Sizes from the header are never used to allocate.
// Valid files in encodings stemmaster does not decode (ADPCM, µ-law, A-law,
// MP3, …) return an UnsupportedError, which wraps audio.ErrUnsupported.
//
// Writing: NewEncoder streams 8/16/24/32-bit integer or 32/64-bit float
// samples in bounded memory. It reserves a JUNK chunk the size of a ds64
// chunk so that Close can turn a file that passed 4 GiB into RF64 without
// moving the audio. Use audio.Create to write a file atomically.
//
// Importing the package registers the "wav" codec with package audio.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package wav
