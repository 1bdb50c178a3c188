package aiff

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"stemmaster/audio"
	"stemmaster/audio/internal/pcm"
)

func init() {
	audio.Register(audio.Codec{
		Name:       "aiff",
		Match:      match,
		Decode:     pcm.AdaptDecode(Decode),
		DecodeInfo: pcm.AdaptInfo(DecodeConfig),
		Encode:     pcm.AdaptEncode(NewEncoder),
	})
}

func match(b []byte) bool {
	return len(b) >= 12 && bytes.Equal(b[0:4], []byte("FORM")) &&
		(bytes.Equal(b[8:12], []byte("AIFF")) || bytes.Equal(b[8:12], []byte("AIFC")))
}

// codec names the package to the container glue in package pcm.
type codec struct{}

func (codec) Name() string { return "aiff" }

// A FormatError reports that the input is not a valid AIFF file: Msg says
// what is wrong, Err (nil or not) is the underlying cause, e.g.
// io.ErrUnexpectedEOF. Its text is "aiff: invalid format: " and the two
// ("aiff: " and the cause alone for a file cut short: audio.TruncatedError).
type FormatError = pcm.FormatError[codec]

// An UnsupportedError reports a valid AIFF-C file in a compression
// stemmaster does not decode. It wraps audio.ErrUnsupported.
type UnsupportedError = pcm.UnsupportedError[codec]

// compressionNames names AIFF-C compression types found in the wild that
// are not linear PCM.
var compressionNames = map[string]string{
	"ulaw": "µ-law", "ULAW": "µ-law", "alaw": "A-law", "ALAW": "A-law",
	"ima4": "IMA4 ADPCM", "MAC3": "MACE 3:1", "MAC6": "MACE 6:1",
	"GSM ": "GSM", "Qclp": "QUALCOMM PureVoice", "QDMC": "QDesign", "QDM2": "QDesign 2",
	"G722": "G.722", "G726": "G.726", "G728": "G.728",
}

// MaxChannels is the largest channel count decoded, 256: the bound the
// WAV and AIFF decoders share (pcm.MaxChannels).
const MaxChannels = pcm.MaxChannels

// readHeader parses the FORM header and the chunks up to the first sample.
func readHeader(c *pcm.Chunks) (*pcm.Header, error) {
	id, typ, err := c.Form("FORM header")
	if err != nil {
		return nil, err
	}
	if id != "FORM" || typ != "AIFF" && typ != "AIFC" {
		return nil, &FormatError{Msg: "not a FORM/AIFF file"}
	}
	aifc := typ == "AIFC"
	h := &pcm.Header{DataOff: -1}
	var (
		haveComm    bool
		commFrames  int64
		ssndLen     int64 = -1 // declared bytes of audio in SSND
		ssndDataOff int64 = -1
		// streamedSSND: SSND's size is 0, a placeholder (see below).
		streamedSSND bool
	)
	for !haveComm || ssndDataOff < 0 {
		id, size, err := c.NextOf("COMM", "SSND", haveComm)
		if err != nil {
			return nil, err
		}
		switch id {
		case "COMM":
			if haveComm {
				return nil, &FormatError{Msg: "two COMM chunks"}
			}
			n, frames, err := readComm(c, h, size, aifc)
			if err != nil {
				return nil, err
			}
			haveComm, commFrames = true, frames
			size -= n
		case "SSND":
			if ssndDataOff >= 0 {
				return nil, &FormatError{Msg: "two SSND chunks"}
			}
			// A size of 0 is a writer's placeholder never filled in (ffmpeg
			// writing to a pipe leaves it, and COMM's frame count, at 0):
			// the audio runs to the end of the file, as sox reads it.
			streamed := size == 0
			streamedSSND = streamed
			if size < 8 && !streamed {
				return nil, &FormatError{Msg: fmt.Sprintf("SSND chunk of %d bytes", size)}
			}
			b, err := c.Bytes(8)
			if err != nil {
				return nil, c.EndOf("the SSND chunk", err)
			}
			offset := int64(binary.BigEndian.Uint32(b[0:4]))
			if streamed {
				size = math.MaxInt64 // offset and audio run to the end
				if c.Size >= 0 {
					size = max(c.Size-c.Pos+8, 8)
				}
			}
			if offset > size-8 {
				return nil, &FormatError{Msg: fmt.Sprintf("SSND offset %d beyond its %d bytes", offset, size)}
			}
			ssndDataOff = c.Pos + offset
			ssndLen = size - 8 - offset
			if streamed && !haveComm {
				return nil, &FormatError{Msg: "SSND of size 0 (audio to the end of the file) before COMM"}
			}
			if !haveComm {
				// COMM comes later: look for it, then come back.
				if c.S == nil {
					return nil, &FormatError{Msg: "SSND before COMM in a stream that cannot seek"}
				}
				if err := c.Skip(size - 8 + size&1); err != nil {
					return nil, c.EndOf("the SSND chunk", err)
				}
				continue
			}
			if err := c.Skip(offset); err != nil {
				return nil, c.EndOf("the SSND chunk", err)
			}
			continue
		}
		if err := c.SkipChunk(id, size); err != nil {
			return nil, err
		}
	}
	if c.Pos != ssndDataOff {
		if c.S == nil {
			return nil, &FormatError{Msg: "SSND before COMM in a stream that cannot seek"}
		}
		if err := c.SeekPos(ssndDataOff); err != nil {
			return nil, fmt.Errorf("aiff: %w", err)
		}
	}
	h.DataOff = ssndDataOff
	fb := int64(h.Layout.FrameBytes())
	// The frame count is COMM's, limited by what SSND and the file hold.
	// SSND's audio past COMM's count (or beyond what SSND holds: a
	// truncation) is read by the one rule of every codec: the header's
	// length is the file's, and what follows it is counted, not read.
	h.DataLen = min(ssndLen, commFrames*fb)
	h.Truncate = commFrames > ssndLen/fb
	h.Declared = commFrames
	if sox := soxUnknown / fb; commFrames == sox && ssndLen == sox*fb && (c.Size < 0 || c.Size-ssndDataOff < ssndLen) {
		// sox writing to a pipe declares soxUnknown bytes (COMM: as many
		// whole frames) and cannot come back: its placeholder, which sox
		// reads to the end, and so does a file that holds fewer.
		streamedSSND, commFrames = true, 0
	}
	if streamedSSND && commFrames == 0 {
		// Neither chunk says how long the audio is: to the end.
		h.DataLen, h.Truncate, h.Declared = -1, false, -1
		if c.Size >= 0 {
			h.DataLen = ssndLen
		}
	}
	held := ssndLen
	if c.Size >= 0 {
		held = min(held, max(c.Size-ssndDataOff, 0))
	}
	h.Measure(c.Size)
	if !h.Truncate && h.Declared >= 0 {
		h.Info.PastFrames = max(held/fb-commFrames, 0)
	}
	return h, nil
}

// soxUnknown is the audio's size in bytes that sox declares in a header
// it cannot come back to (its output a pipe), in WAV (MS_UNSPEC) less
// 0xFFF.
const soxUnknown = 0x7f000000

// readComm parses the COMM chunk; it returns the bytes consumed and the
// declared frame count.
func readComm(c *pcm.Chunks, h *pcm.Header, size int64, aifc bool) (int64, int64, error) {
	need := int64(18)
	if aifc {
		need = 22
	}
	if size < need {
		return 0, 0, &FormatError{Msg: fmt.Sprintf("COMM chunk of %d bytes", size)}
	}
	b, err := c.Bytes(int(need))
	if err != nil {
		return 0, 0, c.EndOf("the COMM chunk", err)
	}
	be := binary.BigEndian
	channels := int(int16(be.Uint16(b[0:2])))
	frames := int64(be.Uint32(b[2:6]))
	bits := int(int16(be.Uint16(b[6:8])))
	rate := extended(b[8:18])
	comp := "NONE"
	if aifc {
		comp = string(b[18:22])
	}
	switch {
	case channels <= 0:
		return 0, 0, &FormatError{Msg: fmt.Sprintf("%d channels", channels)}
	case channels > MaxChannels:
		return 0, 0, UnsupportedError(fmt.Sprintf("%d channels (at most %d)", channels, MaxChannels))
	case math.IsNaN(rate):
		// extended's reading of an infinite or NaN 80-bit float.
		return 0, 0, &FormatError{Msg: "the sample rate is infinite or not a number"}
	case rate == 0:
		return 0, 0, &FormatError{Msg: "zero sample rate"}
	case rate < 1 || rate > math.MaxInt32:
		return 0, 0, &FormatError{Msg: fmt.Sprintf("sample rate %g Hz", rate)}
	case rate != math.Round(rate):
		return 0, 0, UnsupportedError(fmt.Sprintf("fractional sample rate %g Hz", rate))
	}
	l := pcm.Layout{Channels: channels, Bytes: (bits + 7) / 8, ValidBits: bits, BigEndian: true, Kind: pcm.Signed}
	sf := audio.Int
	switch comp {
	case "NONE", "twos", "in24", "in32":
	case "sowt":
		l.BigEndian = false
	case "raw ":
		l.Kind = pcm.Unsigned
		l.ValidBits = 0
	case "fl32", "FL32", "fl64", "FL64":
		l.Kind, sf = pcm.Float, audio.Float
		bits = 32
		if comp == "fl64" || comp == "FL64" {
			bits = 64
		}
		l.Bytes, l.ValidBits = bits/8, 0 // the sample size field is often 0 or wrong here
	default:
		if name, ok := compressionNames[comp]; ok {
			return 0, 0, UnsupportedError(name)
		}
		return 0, 0, UnsupportedError(fmt.Sprintf("compression type %q", comp))
	}
	if comp == "in24" && bits != 24 || comp == "in32" && bits != 32 {
		return 0, 0, &FormatError{Msg: fmt.Sprintf("%s with %d-bit samples", comp, bits)}
	}
	if l.Kind == pcm.Signed && (bits < 1 || bits > 32) || l.Kind == pcm.Unsigned && bits != 8 {
		return 0, 0, &FormatError{Msg: fmt.Sprintf("%d-bit samples", bits)}
	}
	if err := l.Check(); err != nil {
		return 0, 0, &FormatError{Msg: err.Error()}
	}
	h.Layout = l
	h.Info.Container = "aiff"
	h.Info.Format = audio.Format{SampleRate: int(rate), Channels: channels, BitDepth: bits, SampleFormat: sf}
	return need, frames, nil
}

// extended converts an 80-bit IEEE 754 extended float (big-endian: sign and
// 15-bit exponent, then a 64-bit mantissa with an explicit integer bit).
func extended(b []byte) float64 {
	se := binary.BigEndian.Uint16(b[0:2])
	mant := binary.BigEndian.Uint64(b[2:10])
	exp := int(se & 0x7FFF)
	if exp == 0x7FFF {
		return math.NaN()
	}
	if mant == 0 {
		return 0
	}
	v := math.Ldexp(float64(mant), exp-16383-63)
	if se&0x8000 != 0 {
		v = -v
	}
	return v
}

// container is the AIFF format for the decoder glue in package pcm.
var container = &pcm.Container[codec]{Order: binary.BigEndian, Parse: readHeader}

// DecodeConfig reads only the header of an AIFF or AIFF-C stream.
func DecodeConfig(r io.Reader) (audio.Info, error) { return container.DecodeInfo(r) }

// Decoder streams the samples of an AIFF file as float32 blocks. It
// implements audio.Reader (Info, Read) and audio.FrameSeeker (SeekFrame).
type Decoder = pcm.CodecDecoder[codec]

// Decode reads the header of an AIFF or AIFF-C stream and returns a Decoder
// positioned at the first sample.
func Decode(r io.Reader) (*Decoder, error) { return container.Decode(r) }
