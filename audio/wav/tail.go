package wav

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"stemmaster/audio"
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
// and all, that no probe landed on the header of) is no audio. Zeros in a
// tag's frames can take probes and bisection past its header: what they
// take for audio is none when what tailStarts finds at the end starts
// behind nothing but zeros. A header read over a network (an object in a
// store, read by ranges) reads a few bytes, at most about 32 KiB (a 4 GiB
// file), where zeros run to the end, and up to tailScan bytes more where
// something follows them. The input is left where it was.
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
		if k == 0 {
			return resumes(t) // all read from pos on: t opens what follows the zeros
		}
		if at > zeros {
			// The probe landed past the zeros' end, maybe inside a tag
			// whose header it did not see.
			var ok bool
			if t, ok = firstNonZero(c, zeros, t, buf[:]); !ok {
				return false
			}
		}
		if !resumes(t) {
			return false
		}
		// A probe that read zeros in a tag's frames, past its header, or
		// a bisection that settled there, has t inside the tag: what
		// reaches the end from before t, behind nothing but zeros, is no
		// audio.
		scan := make([]byte, tailBlock+9)
		if s, _ := tailStarts(c, pos, pos+rest, scan); len(s) > 0 && s[0] <= t {
			z, ok := zerosTo(c, pos, s[0], scan)
			return ok && !z
		}
		return true
	}
	return false
}

// zerosTo reports whether the bytes from lo to hi, which holds a byte that
// is not zero, are all zeros: read through when they are at most tailScan
// bytes, found by firstNonZero otherwise. ok is false when a read fails.
func zerosTo(c *pcm.Chunks, lo, hi int64, buf []byte) (zeros, ok bool) {
	if hi-lo > tailScan {
		t, ok := firstNonZero(c, lo, hi, buf[:zeroStep])
		return t == hi, ok
	}
	if c.SeekPos(lo) != nil {
		return false, false
	}
	for lo < hi {
		b := buf[:min(int64(len(buf)), hi-lo)]
		if c.Read(b) != nil {
			return false, false
		}
		if firstNonZeroIn(b) >= 0 {
			return false, true
		}
		lo += int64(len(b))
	}
	return true, true
}

// firstNonZero finds the first byte that is not zero from lo on, given
// that one at hi is not and that a read that ended at lo saw only zeros.
// It bisects with reads of a quarter of the span, at most len(buf), so
// each step takes a quarter off (46 reads for a gap of 256 MB): a block
// of zeros lies before what follows the padding, a block with a byte that
// is not zero at or after its start. That holds for a tag unless its
// frames, ahead of its own padding, hold a run of 128 zeros or more (a
// frame mostly zeros): then the search may settle on a later byte, which
// audioFollows looks behind. ok is false when a read fails.
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

// tailScan is how much of the end of the file tailStarts reads for the
// chunks and tags behind audio of unknown length: metadata (LIST, bext,
// iXML) and cover art (an id3 chunk or ID3v2 tag holding a picture of a
// few megabytes); what starts further from the end is read as audio. It
// bounds what a streamed file's header reads, read from a store by ranges.
const tailScan = 16 << 20

// tailBlock is how much tailStarts reads at a time.
const tailBlock = 64 << 10

// audioEnd is where audio that starts at from, in frames of fb bytes, and
// runs to the end of the file (a streamed data chunk, or audio past a
// data size that lies short) ends: short of the tags that end the file
// (pcm.TrailingTags) and of what tailStarts finds behind it: an ID3v2 tag,
// or chunks from a recognised one at a frame's end or behind a pad byte.
// Audio bytes that happen to look like that are as unlikely as a header
// that names the end of the file exactly. The input's position is left
// moved.
// It returns too where runs of chunks and tags that reach the end start
// (tailStarts), for a farChunks guard.
func audioEnd(c *pcm.Chunks, from int64, fb int) (int64, map[int64]bool) {
	end := c.Size - tailTags(c, from)
	if end-from < 8 {
		return end, map[int64]bool{end: true}
	}
	buf := make([]byte, tailBlock+9)
	starts, reach := tailStarts(c, from, end, buf)
	for _, p := range starts {
		h := buf[:min(11, end-p+1)] // the byte before p, and a header
		if c.SeekPos(p-1) != nil || c.Read(h) != nil {
			return end, reach
		}
		if _, ok := audio.ID3v2Size(h[1:]); ok {
			return p, reach
		}
		// Chunks start at even offsets: behind the audio, or behind the
		// pad byte (a zero) of audio of an odd length.
		if p-1 >= from && h[0] == 0 && (p-1-from)%int64(fb) == 0 {
			return p - 1, reach
		}
		if (p-from)%int64(fb) == 0 {
			return p, reach
		}
	}
	return end, reach
}

// tailStarts lists, in order, where what is appended behind audio may
// start between from and end: an ID3v2 tag, or a chunk of trailingChunks
// at an even offset, that with what follows it (chunks each padded to an
// even size, the last one's pad byte maybe missing, and ID3v2 tags)
// reaches end exactly. It reads the last tailScan bytes from the end
// back, tailBlock bytes at a time into buf (tailBlock+9 bytes, a header
// that starts in a block read whole), and keeps where a run that reaches
// end starts, so each offset is looked at once: a chunk of any size whose
// header lies in those bytes is found. The input's position is left
// moved. reach holds where every such run starts, end included.
func tailStarts(c *pcm.Chunks, from, end int64, buf []byte) (starts []int64, reach map[int64]bool) {
	reach = map[int64]bool{end: true}
	for hi, lo := end, max(from, end-tailScan); hi > lo; {
		blo := max(lo, hi-tailBlock)
		b := buf[:min(end, hi+9)-blo]
		if c.SeekPos(blo) != nil || c.Read(b) != nil {
			break
		}
		left := end - blo - 8 // what is left behind a header at b[0]
		for i := int(hi-blo) - 1; i >= 0; i-- {
			p := blo + int64(i)
			if b[i] == 'I' {
				if n, ok := audio.ID3v2Size(b[i:]); ok && reach[p+n] {
					reach[p] = true
					starts = append(starts, p)
					continue
				}
			}
			// The size first: in audio it rarely fits what is left.
			if p&1 != 0 || i+8 > len(b) {
				continue
			}
			size := int64(binary.LittleEndian.Uint32(b[i+4 : i+8]))
			if size > left-int64(i) || !chunkAt(b[i:], end-p) {
				continue
			}
			if e := p + 8 + size; e == end || reach[e+size&1] {
				reach[p] = true
				if knownChunk(b[i:]) {
					starts = append(starts, p)
				}
			}
		}
		hi = blo
	}
	slices.Reverse(starts)
	return starts, reach
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

// farChunks guards the read of audio of unknown length (a streamed data
// chunk) against chunks the header did not find: audioEnd reads the last
// tailScan bytes for what is appended behind the audio, so a chunk that
// starts further from the end (a LIST or an id3 chunk of more than 16 MiB)
// would read as audio. As the samples pass, check looks at every frame's
// end short of those bytes for a chunk of trailingChunks whose size
// reaches, with what follows it, the end of the file: the audio ends
// there, and the read with a format error naming it, as the frames the
// header counted are not all audio. A header that a block read ends
// inside is checked with the next block, so the frame it opens may have
// been delivered before the error. A size that lands on where a run that
// reaches the end starts (reach) is rare in audio: the map is looked up
// for about one frame in 4 GiB / the bytes that remain, the id compared
// only then.
type farChunks struct {
	fb, dataOff int64
	before      int64          // bytes from the audio's start to where audioEnd read
	reach       map[int64]bool // tailStarts's
	lo, hi      int64          // its least and greatest
	last        [8]byte        // the last bytes checked, up to next
	lastN       int
	next        int64 // where the block checked before ended
}

// found reports the chunk whose header h opens at q, from the audio's
// start, when it is one of trailingChunks and reaches the end of the file
// with what follows it; far is check's.
func (g *farChunks) found(h []byte, q, far int64) error {
	size := int64(binary.LittleEndian.Uint32(h[4:8]))
	e := g.dataOff + q + 8 + size
	if size > far-q || e+size&1 < g.lo || !g.reach[e+size&1] && !g.reach[e] || !knownChunk(h) {
		return nil
	}
	return &FormatError{Msg: fmt.Sprintf("the data chunk's size is unknown (a streamed file) and the audio runs into a %q chunk of %d bytes at byte %d, further from the end than the %d MiB searched for what follows the audio", h[:4], size, g.dataOff+q, tailScan>>20)}
}

// newFarChunks guards audio in frames of fb bytes from dataOff, of which
// audioEnd read from before bytes on, behind which runs of chunks and
// tags reach the end of the file from reach.
func newFarChunks(fb int, dataOff, before int64, reach map[int64]bool) *farChunks {
	g := &farChunks{fb: int64(fb), dataOff: dataOff, before: before, reach: reach, lo: math.MaxInt64, hi: math.MinInt64}
	for p := range reach {
		g.lo, g.hi = min(g.lo, p), max(g.hi, p)
	}
	return g
}

// check looks at b, the audio bytes from off (from the audio's start), and
// returns how many of them are audio: all, or those before a chunk found,
// with the format error that names it.
func (g *farChunks) check(b []byte, off int64) (int, error) {
	if off != g.next {
		g.lastN = 0 // after a seek: no bytes before b are known
	}
	start, stop, bend := off-int64(g.lastN), min(off+int64(len(b)), g.before), off+int64(len(b))
	// A header at q reaches no run's start beyond hi when its size is
	// over far−q: most sizes read from audio are, and are passed over on
	// that one comparison.
	far := g.hi - g.dataOff - 8
	var hdr [8]byte
	l := (start + g.fb - 1) / g.fb * g.fb
	for ; l < stop && l < off; l += g.fb {
		// Behind a frame that ends in the bytes of the block before.
		for q := l; q <= l+l&1 && q+8 <= bend; q++ {
			for k := range hdr {
				if i := q + int64(k); i < off {
					hdr[k] = g.last[int64(g.lastN)-(off-i)]
				} else {
					hdr[k] = b[i-off]
				}
			}
			if err := g.found(hdr[:], q, far); err != nil {
				return 0, err
			}
		}
	}
	for ; l < stop; l += g.fb {
		// The chunk right behind the audio, or behind the pad byte of
		// audio of an odd length; a header that ends in the next block
		// is checked with it.
		for q := l; q <= l+l&1 && q+8 <= bend; q++ {
			h := b[q-off : q-off+8 : q-off+8]
			if int64(binary.LittleEndian.Uint32(h[4:8])) > far-q {
				continue
			}
			if err := g.found(h, q, far); err != nil {
				return int(l - off), err
			}
		}
	}
	g.next = off + int64(len(b))
	// The last 8 bytes read, across blocks shorter than a header.
	keep := min(g.lastN, len(g.last)-min(len(b), len(g.last)))
	copy(g.last[:], g.last[g.lastN-keep:g.lastN])
	g.lastN = keep + copy(g.last[keep:], b[max(len(b)-len(g.last), 0):])
	return len(b), nil
}
