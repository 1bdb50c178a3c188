package wav

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"stemmaster/audio"
	"stemmaster/audio/internal/pcm"
)

// A FormatError reports that the input is not a valid WAV file: Msg says
// what is wrong, Err (nil or not) is the underlying cause, e.g.
// io.ErrUnexpectedEOF. Its text is "wav: invalid format: " and the two
// ("wav: " and the cause alone for a file cut short: audio.TruncatedError).
type FormatError = pcm.FormatError[codec]

// An UnsupportedError reports a valid WAV file whose encoding stemmaster does
// not decode (ADPCM, µ-law, MP3, …). It wraps audio.ErrUnsupported.
type UnsupportedError = pcm.UnsupportedError[codec]

// Format tags of the fmt chunk (RFC 2361, mmreg.h).
const (
	tagPCM        = 0x0001
	tagFloat      = 0x0003
	tagExtensible = 0xFFFE
)

// unsupportedTags names the encodings found in the wild that are valid WAV
// but not linear PCM.
var unsupportedTags = map[uint16]string{
	0x0002: "Microsoft ADPCM",
	0x0006: "A-law",
	0x0007: "µ-law",
	0x0011: "IMA ADPCM",
	0x0031: "GSM 6.10",
	0x0040: "G.721 ADPCM",
	0x0050: "MPEG audio",
	0x0055: "MP3",
	0x0092: "Dolby AC-3 (S/PDIF)",
	0x00FF: "AAC",
	0x0161: "Windows Media Audio",
	0x1610: "AAC (ADTS)",
	0x2000: "Dolby AC-3",
	0x2001: "DTS",
	0xF1AC: "FLAC",
}

// KSDATAFORMAT_SUBTYPE_* GUIDs share this tail; the first two bytes carry
// the equivalent format tag.
var guidTail = [14]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// unknownSize marks a 32-bit chunk size that means "see ds64" or "until the
// end of the file" (streamed WAV).
const unknownSize = 0xFFFFFFFF

// soxUnknownSize is the data size sox writes when it cannot come back to
// the header (its output a pipe): MS_UNSPEC in its source.
const soxUnknownSize = 0x7ffff000

// MaxChannels is the largest channel count decoded, 256: the bound the
// WAV and AIFF decoders share (pcm.MaxChannels).
const MaxChannels = pcm.MaxChannels

// maxChunksAfterData bounds the scan for a bext chunk behind the audio.
const maxChunksAfterData = 64

// readHeader parses the RIFF header and the chunks up to the first sample.
// With a seekable input it also looks behind the data for a bext chunk and
// checks how much of the declared data the file holds.
func readHeader(c *pcm.Chunks) (*pcm.Header, error) {
	id, typ, err := c.Form("RIFF header")
	if err != nil {
		return nil, err
	}
	h := &pcm.Header{DataLen: -1, Declared: -1}
	switch {
	case typ != "WAVE":
		return nil, &FormatError{Msg: "not a RIFF/WAVE file"}
	case id == "RIFF":
		h.Info.Container = "wav"
	case id == "RF64" || id == "BW64":
		h.Info.Container = "rf64"
	case id == "RIFX":
		return nil, UnsupportedError("big-endian RIFX")
	default:
		return nil, &FormatError{Msg: "not a RIFF/WAVE file"}
	}
	var (
		haveFmt, haveData bool
		ds64Data          = int64(-1)
	)
	for !haveData {
		id, size, err := c.NextOf("fmt", "data", haveFmt)
		if err != nil {
			return nil, err
		}
		switch id {
		case "ds64":
			if h.Info.Container != "rf64" {
				break // a ds64 in a plain RIFF file means nothing; skip it
			}
			if size < 24 {
				return nil, &FormatError{Msg: fmt.Sprintf("ds64 chunk of %d bytes", size)}
			}
			b, err := c.Bytes(24)
			if err != nil {
				return nil, c.EndOf("the ds64 chunk", err)
			}
			v := binary.LittleEndian.Uint64(b[8:16])
			if v > math.MaxInt64 {
				return nil, &FormatError{Msg: fmt.Sprintf("ds64 data size %d", v)}
			}
			ds64Data = int64(v)
			size -= 24
		case "fmt ":
			if haveFmt {
				return nil, &FormatError{Msg: "two fmt chunks"}
			}
			n, err := readFmt(c, h, size)
			if err != nil {
				return nil, err
			}
			haveFmt = true
			size -= n
		case "bext":
			n, err := readBext(c, h, size)
			if err != nil {
				return nil, err
			}
			size -= n
		case "data":
			if !haveFmt {
				return nil, &FormatError{Msg: "data chunk before fmt chunk"}
			}
			haveData = true
			h.DataOff = c.Pos
			switch {
			case size == unknownSize && h.Info.Container == "rf64":
				if ds64Data < 0 {
					return nil, &FormatError{Msg: "RF64 file without ds64 chunk"}
				}
				h.DataLen = ds64Data
			case size == unknownSize, size == soxUnknownSize/int64(h.Layout.FrameBytes())*int64(h.Layout.FrameBytes()) && (c.Size < 0 || c.Size-c.Pos < size):
				// Streamed WAV: until the end of the file; sox writing
				// to a pipe declares soxUnknownSize in whole frames, and
				// reads it so.
				h.DataLen = -1
			default:
				h.DataLen = size
			}
			continue
		}
		if err := c.SkipChunk(id, size); err != nil {
			return nil, err
		}
	}
	if h.DataLen == 0 && (c.S != nil && audioFollows(c, h.DataOff) || c.S == nil && audioOpensStream(c)) {
		// A data size of 0 with samples behind it is a streaming writer's
		// placeholder, never filled in: as 0xFFFFFFFF, until the end.
		h.DataLen = -1
	}
	fb := h.Layout.FrameBytes()
	if h.DataLen >= 0 {
		h.Declared = h.DataLen / int64(fb)
	} else if c.S != nil {
		// Streamed: the audio runs to the end of the file, or to the
		// chunks and tags appended behind it.
		at := c.Pos
		end, reach := audioEnd(c, h.DataOff, fb)
		h.DataLen = end - h.DataOff
		if err := c.SeekPos(at); err != nil {
			return nil, fmt.Errorf("wav: %w", err)
		}
		if scanned := c.Size - tailScan; h.DataOff < scanned {
			h.Guard = newFarChunks(fb, h.DataOff, scanned-h.DataOff, reach).check
		}
	}
	h.Measure(c.Size)
	if c.S != nil && h.DataLen > 0 && !h.Truncate && h.Declared >= 0 && audioFollows(c, h.DataOff+h.DataLen) {
		at := c.Pos
		end, _ := audioEnd(c, h.DataOff+h.DataLen, fb)
		if err := c.SeekPos(at); err != nil {
			return nil, fmt.Errorf("wav: %w", err)
		}
		h.Info.PastFrames = (end - h.DataOff - h.DataLen) / int64(fb)
	}
	if !h.Info.HasTimeReference && c.S != nil && h.DataLen >= 0 && !h.Truncate {
		scanAfterData(c, h)
		if err := c.SeekPos(h.DataOff); err != nil {
			return nil, fmt.Errorf("wav: %w", err)
		}
	}
	return h, nil
}

// audioOpensStream reports whether what follows the data chunk's header
// in a stream is audio: bytes that are neither a chunk header nor a tag
// (the first 9 decide, as audioFollows's do in a file, which also probes
// zeros for padding: a stream cannot look ahead, and a recording that
// opens with silence is audio). They are given back to be read.
func audioOpensStream(c *pcm.Chunks) bool {
	var b [9]byte
	at := c.Pos
	err := c.Read(b[:])
	head := b[:c.Pos-at]
	c.Unread(head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF || len(head) == 0 {
		return false
	}
	return !(len(head) >= 8 && knownChunk(head) || trailer(head))
}

// readFmt parses the fmt chunk and returns the bytes it consumed.
func readFmt(c *pcm.Chunks, h *pcm.Header, size int64) (int64, error) {
	if size < 16 {
		return 0, &FormatError{Msg: fmt.Sprintf("fmt chunk of %d bytes", size)}
	}
	n := min(size, 40)
	b, err := c.Bytes(int(n))
	if err != nil {
		return 0, c.EndOf("the fmt chunk", err)
	}
	le := binary.LittleEndian
	tag := le.Uint16(b[0:2])
	channels := int(le.Uint16(b[2:4]))
	rate := le.Uint32(b[4:8])
	blockAlign := int(le.Uint16(b[12:14]))
	bits := int(le.Uint16(b[14:16]))
	valid := bits
	if tag == tagExtensible {
		if n < 40 || le.Uint16(b[16:18]) < 22 {
			return 0, &FormatError{Msg: "WAVE_FORMAT_EXTENSIBLE fmt chunk too short"}
		}
		valid = int(le.Uint16(b[18:20]))
		if valid == 0 {
			valid = bits // some writers leave it unset
		}
		if [14]byte(b[26:40]) != guidTail {
			return 0, UnsupportedError(fmt.Sprintf("WAVE_FORMAT_EXTENSIBLE sub-format %x", b[24:40]))
		}
		tag = le.Uint16(b[24:26])
	}
	switch {
	case channels == 0:
		return 0, &FormatError{Msg: "zero channels"}
	case channels > MaxChannels:
		return 0, UnsupportedError(fmt.Sprintf("%d channels (at most %d)", channels, MaxChannels))
	case rate == 0:
		return 0, &FormatError{Msg: "zero sample rate"}
	case rate > math.MaxInt32:
		return 0, &FormatError{Msg: fmt.Sprintf("sample rate %d Hz", rate)}
	}
	l := pcm.Layout{Channels: channels, Bytes: (bits + 7) / 8, ValidBits: valid}
	sf := audio.Int
	switch tag {
	case tagPCM:
		l.Kind = pcm.Signed
		if bits <= 8 {
			l.Kind = pcm.Unsigned
		}
		if bits < 1 || bits > 32 || valid < 1 || valid > bits {
			return 0, &FormatError{Msg: fmt.Sprintf("%d-bit integer PCM (%d valid bits)", bits, valid)}
		}
		if l.Kind == pcm.Unsigned {
			l.ValidBits = 0 // 8-bit is always offset binary over the whole byte
		}
	case tagFloat:
		l.Kind, sf = pcm.Float, audio.Float
		if bits != 32 && bits != 64 {
			return 0, &FormatError{Msg: fmt.Sprintf("%d-bit float", bits)}
		}
		// A float sample leaves no bit unused: an EXTENSIBLE valid-bits
		// field that says 24 of 32 is a writer's slip, and the samples
		// are whole floats all the same (ffmpeg and sox refuse the file,
		// sox as "padded samples").
		valid, l.ValidBits = bits, 0
	default:
		if name, ok := unsupportedTags[tag]; ok {
			return 0, UnsupportedError(name)
		}
		return 0, UnsupportedError(fmt.Sprintf("format tag 0x%04X", tag))
	}
	if blockAlign != l.FrameBytes() {
		return 0, &FormatError{Msg: fmt.Sprintf("block align %d for %d channels of %d-bit samples", blockAlign, channels, bits)}
	}
	if err := l.Check(); err != nil {
		return 0, &FormatError{Msg: err.Error()}
	}
	h.Layout = l
	h.Info.Format = audio.Format{SampleRate: int(rate), Channels: channels, BitDepth: valid, SampleFormat: sf}
	return n, nil
}

// bextTimeRef is the offset of TimeReferenceLow in the bext chunk
// (EBU Tech 3285: Description 256, Originator 32, OriginatorReference 32,
// OriginationDate 10, OriginationTime 8).
const bextTimeRef = 338

// readBext reads the BWF time reference and returns the bytes consumed.
func readBext(c *pcm.Chunks, h *pcm.Header, size int64) (int64, error) {
	if size < bextTimeRef+8 {
		return 0, nil // too short to carry a time reference; skipped by the caller
	}
	if err := c.Skip(bextTimeRef); err != nil {
		return 0, c.EndOf("the bext chunk", err)
	}
	b, err := c.Bytes(8)
	if err != nil {
		return 0, c.EndOf("the bext chunk", err)
	}
	t := binary.LittleEndian.Uint64(b)
	// A reference of 2^63 samples or more (three million years at
	// 96 kHz) is a damaged field, not a position: read as none rather than
	// with its top bit dropped (2^63 + 480 is not 480).
	if t <= math.MaxInt64 {
		h.Info.TimeReference = int64(t)
		h.Info.HasTimeReference = true
	}
	return bextTimeRef + 8, nil
}

// container is the WAV format for the decoder glue in package pcm.
var container = &pcm.Container[codec]{Order: binary.LittleEndian, Parse: readHeader}

// DecodeConfig reads only the header of a WAV, RF64 or BW64 stream. When r
// is an io.Seeker the frame count is checked against the file size (a data
// chunk that claims more than the file holds reports the frames present)
// and a bext chunk behind the audio is found too.
func DecodeConfig(r io.Reader) (audio.Info, error) { return container.DecodeInfo(r) }

// Decoder streams the samples of a WAV file as float32 blocks. It
// implements audio.Reader (Info, Read) and audio.FrameSeeker (SeekFrame).
type Decoder = pcm.CodecDecoder[codec]

// Decode reads the header of a WAV, RF64 or BW64 stream and returns a
// Decoder positioned at the first sample.
//
// When the file ends before the data chunk does, Decode reports (in Info)
// and Read returns the whole frames present; if the file is cut in the
// middle of a frame, Read returns those frames and then a *FormatError
// wrapping io.ErrUnexpectedEOF instead of io.EOF.
func Decode(r io.Reader) (*Decoder, error) { return container.Decode(r) }
