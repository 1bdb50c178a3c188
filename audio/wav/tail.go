package wav

import (
	"bytes"
	"encoding/binary"
	"slices"

	"stemmaster/audio/internal/pcm"
)

// Where the audio ends: what follows a data chunk whose size lies short of the samples (audio, padding, trailing tags and chunks).

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
