package wav

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"

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
		missing := "fmt"
		if haveFmt {
			missing = "data"
		}
		id, size, err := c.Next(missing)
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
			case size == unknownSize:
				h.DataLen = -1 // streamed WAV: until the end of the file
			default:
				h.DataLen = size
			}
			continue
		}
		if err := c.SkipChunk(id, size); err != nil {
			return nil, err
		}
	}
	if h.DataLen == 0 && c.S != nil && audioFollows(c, h.DataOff) {
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
		h.DataLen = audioEnd(c, h.DataOff, fb) - h.DataOff
		if err := c.SeekPos(at); err != nil {
			return nil, fmt.Errorf("wav: %w", err)
		}
	}
	h.Measure(c.Size)
	if c.S != nil && h.DataLen > 0 && !h.Truncate && h.Declared >= 0 && audioFollows(c, h.DataOff+h.DataLen) {
		at := c.Pos
		end := audioEnd(c, h.DataOff+h.DataLen, fb)
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

// zeroStep is how much of what follows the data audioFollows reads at a
// time once the first bytes are zeros, and tailProbes how many such reads
// it spreads over the rest of the file.
const (
	zeroStep   = 512
	tailProbes = 16
)

// audioFollows reports whether the bytes from pos to the end of the file
// are audio rather than chunks: the data chunk's size lies short of the
// samples (a header written before the export ended, or a recorder that
// stopped updating it). They are audio when they are not a chunk (an id of
// four printable ASCII characters whose size fits the file, at pos or
// behind the pad byte of an odd-sized data chunk), not a tag appended to
// the file (ID3v2, ID3v1, APE, at pos, after zeros or ending the file)
// and not zeros (padding to a sector). The first 8 or 9 bytes decide but
// for zeros: then zeroStep bytes more, and as many at tailProbes places
// spread over the rest, tell padding (zeros to the end) from silence
// before the audio resumes (a drum stem's intro, where a header written
// mid-export may end). A probe that lands past the zeros, in what follows
// them, does not see where it starts: firstNonZero finds that by
// bisection between the last probe that read zeros and this one, and a
// tag or recognised chunk there (an ID3v2 tag without a footer, cover art
// and all, that no probe landed on the header of) is no audio. A header
// read over a network (an object in a store, read by ranges) reads a few
// bytes, at most about 32 KiB (a 4 GiB file). The input is left where it
// was.
func audioFollows(c *pcm.Chunks, pos int64) bool {
	rest := c.Size - pos
	if rest <= 0 {
		return false
	}
	defer c.SeekPos(c.Pos)
	var buf [zeroStep]byte
	// The tags that end the file (ID3v1's 128 bytes, an APE tag, an ID3v2
	// tag with its footer, cover art and all) are no audio: the probes
	// read short of them.
	rest -= tailTags(c, pos)
	if rest <= 0 || c.SeekPos(pos) != nil {
		return false
	}
	head := buf[:min(rest, 9)]
	if c.Read(head) != nil {
		return false
	}
	switch {
	case len(head) >= 8 && chunkAt(head, rest), trailer(head):
		return false
	case len(head) >= 9 && pos&1 == 1 && chunkAt(head[1:], rest-1):
		return false // the pad byte of an odd-sized data chunk, then a chunk
	case head[0] != 0:
		return true
	}
	// resumes reports whether the bytes at t, the first that is not zero
	// after zeros, are audio: not a tag or a recognised chunk (padding,
	// then what a tagger appended, is no audio, nor what follows it).
	resumes := func(t int64) bool {
		h := buf[:min(10, pos+rest-t)]
		if c.SeekPos(t) != nil || c.Read(h) != nil {
			return false
		}
		return !trailer(h) && !(len(h) >= 8 && chunkAt(h, pos+rest-t) && knownChunk(h))
	}
	if i := firstNonZeroIn(head); i > 0 {
		return resumes(pos + int64(i))
	}
	zeros := pos + int64(len(head)) // the bytes up to here read as zeros
	for k := range tailProbes + 1 {
		// The first read follows the head; the others sit at k/(n+1) of
		// the rest, short of its end, where a tag may follow padding.
		at := zeros
		if k > 0 {
			at = max(pos+rest*int64(k)/(tailProbes+1), zeros)
		}
		b := buf[:min(zeroStep, pos+rest-at)]
		if len(b) <= 0 || c.SeekPos(at) != nil || c.Read(b) != nil {
			return false
		}
		i := firstNonZeroIn(b)
		if i < 0 {
			zeros = at + int64(len(b))
			continue
		}
		t := at + int64(i)
		if at > zeros {
			// The probe landed past the zeros' end, maybe inside a tag
			// whose header it did not see.
			var ok bool
			if t, ok = firstNonZero(c, zeros, t, buf[:]); !ok {
				return false
			}
		}
		return resumes(t)
	}
	return false
}

// firstNonZero finds the first byte that is not zero from lo on, given
// that one at hi is not and that a read that ended at lo saw only zeros.
// It bisects with reads of a quarter of the span, at most len(buf), so
// each step takes a quarter off (46 reads for a gap of 256 MB): a block
// of zeros lies before what follows the padding, a block with a byte that
// is not zero at or after its start. That holds for a tag unless its
// frames, ahead of its own padding, hold a run of 128 zeros or more (a
// frame mostly zeros): then the search may settle on a later byte, and
// the tag reads as audio. ok is false when a read fails.
func firstNonZero(c *pcm.Chunks, lo, hi int64, buf []byte) (t int64, ok bool) {
	for hi-lo > int64(len(buf)) {
		mid := lo + (hi-lo)/2
		b := buf[:min(int64(len(buf)), (hi-lo)/4)]
		if c.SeekPos(mid) != nil || c.Read(b) != nil {
			return 0, false
		}
		if i := firstNonZeroIn(b); i >= 0 {
			hi = mid + int64(i)
		} else {
			lo = mid + int64(len(b))
		}
	}
	b := buf[:hi-lo]
	if c.SeekPos(lo) != nil || c.Read(b) != nil {
		return 0, false
	}
	if i := firstNonZeroIn(b); i >= 0 {
		return lo + int64(i), true
	}
	return hi, true
}

// firstNonZeroIn is the index of the first byte of b that is not zero, or -1.
func firstNonZeroIn(b []byte) int { return slices.IndexFunc(b, func(v byte) bool { return v != 0 }) }

// trailer reports whether b opens a tag appended to the file: an ID3v2
// tag, an ID3v1 tag ("TAG") or an APE tag ("APETAGEX").
func trailer(b []byte) bool {
	return bytes.HasPrefix(b, []byte("ID3")) || bytes.HasPrefix(b, []byte("TAG")) || bytes.HasPrefix(b, []byte("APETAGEX"))
}

// id3Size is the length of the ID3v2 tag whose header opens b, its
// footer included: ok is false unless b holds a header (version 2 to 4,
// a syncsafe size).
func id3Size(b []byte) (n int64, ok bool) {
	if len(b) < 10 || string(b[:3]) != "ID3" || b[3] < 2 || b[3] > 4 || b[4] == 0xFF {
		return 0, false
	}
	n, ok = pcm.Syncsafe(b[6:10])
	if b[5]&0x10 != 0 {
		n += 10
	}
	return n + 10, ok
}

// tailTags is the length of the tags that end the file after pos
// (pcm.TrailingTags). The input's position is left moved.
func tailTags(c *pcm.Chunks, pos int64) int64 {
	return pcm.TrailingTags(func(p []byte, off int64) error {
		if err := c.SeekPos(off); err != nil {
			return err
		}
		return c.Read(p)
	}, pos, c.Size)
}

// trailingChunks are the ids of the chunks that writers and taggers put
// after the audio; one of them opens what audioEnd takes for the end of
// audio of unknown length.
var trailingChunks = []string{"LIST", "id3 ", "ID3 ", "bext", "iXML", "axml", "cue ", "smpl", "inst", "acid", "cart", "_PMX", "JUNK", "junk", "PAD ", "fact", "umid", "DISP", "labl", "note", "ltxt", "plst"}

// knownChunk reports whether b opens with an id of trailingChunks.
func knownChunk(b []byte) bool {
	return len(b) >= 4 && slices.Contains(trailingChunks, string(b[:4]))
}

// tailWindow is how much of the end of the file audioEnd searches for
// the chunks and tags behind audio of unknown length: metadata (LIST,
// bext, iXML, an ID3 tag without cover art) and small art; what starts
// further from the end is read as audio.
const tailWindow = 64 << 10

// audioEnd is where audio that starts at from, in frames of fb bytes, and
// runs to the end of the file (a streamed data chunk, or audio past a
// data size that lies short) ends: short of the tags that end the file
// (pcm.TrailingTags) and, within the last tailWindow bytes, of an ID3v2 tag
// without a footer that ends there, and of the chunks from a recognised
// one (at a frame's end, or behind a pad byte; at an even offset, as
// every chunk) whose sizes lead to the end. Audio bytes that happen to look like that are as unlikely as a
// header that names the end of the file exactly. The input's position is
// left moved.
func audioEnd(c *pcm.Chunks, from int64, fb int) int64 {
	end := c.Size - tailTags(c, from)
	lo := max(from, end-tailWindow)
	if end-lo < 8 || c.SeekPos(lo) != nil {
		return end
	}
	b := make([]byte, end-lo)
	if c.Read(b) != nil {
		return end
	}
	for i := range len(b) - 7 {
		p := lo + int64(i)
		if n, ok := id3Size(b[i:]); ok && p+n == end {
			return p
		}
		// Chunks start at even offsets: behind the audio, or behind the
		// pad byte (a zero) of audio of an odd length.
		if p&1 != 0 || !knownChunk(b[i:]) || !chunksReach(b[i:]) {
			continue
		}
		if i > 0 && b[i-1] == 0 && (p-1-from)%int64(fb) == 0 {
			return p - 1
		}
		if (p-from)%int64(fb) == 0 {
			return p
		}
	}
	return end
}

// chunksReach reports whether b is a run of chunks, each padded to an even
// size, that ends where b does (the last one's pad byte may be missing).
func chunksReach(b []byte) bool {
	for i := int64(0); ; {
		rest := int64(len(b)) - i
		if rest < 8 || !chunkAt(b[i:], rest) {
			return false
		}
		n := 8 + int64(binary.LittleEndian.Uint32(b[i+4:]))
		if n == rest || n+n&1 == rest {
			return true
		}
		i += n + n&1
	}
}

// chunkAt reports whether b opens with a chunk header that fits in rest
// bytes.
func chunkAt(b []byte, rest int64) bool {
	for _, v := range b[:4] {
		if v < 0x20 || v > 0x7E {
			return false
		}
	}
	return int64(binary.LittleEndian.Uint32(b[4:8])) <= rest-8
}

// scanAfterData looks for a bext chunk behind the audio. Whatever follows
// the data chunk is optional, so a malformed tail ends the scan silently.
func scanAfterData(c *pcm.Chunks, h *pcm.Header) {
	pos := h.DataOff + h.DataLen + h.DataLen&1
	if c.SeekPos(pos) != nil {
		return
	}
	for range maxChunksAfterData {
		id, size, err := c.Next("bext")
		if err != nil {
			return
		}
		if id == "bext" {
			readBext(c, h, size) // errors here are ignored: the tail is optional
			return
		}
		if c.SkipChunk(id, size) != nil {
			return
		}
	}
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
		if bits != 32 && bits != 64 || valid != bits {
			return 0, &FormatError{Msg: fmt.Sprintf("%d-bit float", bits)}
		}
		l.ValidBits = 0
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
