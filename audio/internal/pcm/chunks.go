package pcm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"stemmaster/audio"
)

// MaxChannels is the largest channel count the WAV and AIFF decoders
// accept. Callers allocate buffers by the channel count, so a header must
// not be able to ask for 65535 of them; 256 covers every production format
// up to ADM/BW64.
const MaxChannels = 256

// Container is a chunked PCM container format (RIFF/WAVE, IFF/AIFF) of
// codec C as the decoder glue the wav and aiff packages share sees it:
// each package declares one and keeps only its header parser.
type Container[C Codec] struct {
	Order binary.ByteOrder // of the sizes in the chunk headers
	// Parse reads the header from the container's start up to the first
	// sample.
	Parse func(*Chunks) (*Header, error)
}

// DecodeInfo reads only the header of the container at r's position: the
// DecodeConfig of the container packages.
func (k *Container[C]) DecodeInfo(r io.Reader) (audio.Info, error) {
	_, h, err := k.open(r)
	if err != nil {
		return audio.Info{}, err
	}
	return h.Info, nil
}

// CodecDecoder streams the samples of a file of codec C as float32 blocks:
// the Decoder of the container packages. It implements audio.Reader (Info,
// Read) and audio.FrameSeeker (SeekFrame).
type CodecDecoder[C Codec] struct {
	SampleReader
}

// Decode reads the header of the container at r's position and returns a
// CodecDecoder positioned at the first sample: the Decode of the container
// packages. A file cut in the middle of a frame ends with the FormatError
// "truncated".
func (k *Container[C]) Decode(r io.Reader) (*CodecDecoder[C], error) {
	c, h, err := k.open(r)
	if err != nil {
		return nil, err
	}
	cut := func(err error) error { return &FormatError[C]{Msg: "truncated", Err: err} }
	return &CodecDecoder[C]{NewSampleReader(c.name, c.Reader(), *h, c.S, c.Base, cut)}, nil
}

func (k *Container[C]) open(r io.Reader) (*Chunks, *Header, error) {
	formatError := func(msg string, err error) error { return &FormatError[C]{Msg: msg, Err: err} }
	c, err := newChunks(name[C](), k.Order, formatError, r)
	if err != nil {
		return nil, nil, err
	}
	h, err := k.Parse(c)
	return c, h, err
}

// Chunks reads the header of a chunked container from its start. It
// counts the bytes consumed, so chunk offsets are known whether or not the
// input can seek, and skips by seeking when it can.
type Chunks struct {
	name        string           // the codec's, the prefix of its errors
	order       binary.ByteOrder // of the sizes in the chunk headers
	formatError func(msg string, err error) error
	r           io.Reader
	S           io.Seeker // nil when the input cannot seek
	Base        int64     // the container's offset in S
	Pos         int64     // bytes consumed from the container's start
	Size        int64     // bytes from Base to the end of the input; -1 unknown
	tmp         [64]byte
	// odd: the chunk Next read last declares an odd size, so a pad byte
	// follows it. padded: SkipChunk passed over that pad byte, which a
	// careless writer may have left out (Next looks behind it). padByte
	// is that byte as read from an input that cannot seek, where Next
	// cannot go back to it.
	odd, padded bool
	padByte     byte
}

// newChunks returns a Chunks reading r from its current position; when r
// can seek, it also learns the input's size.
func newChunks(name string, order binary.ByteOrder, formatError func(msg string, err error) error, r io.Reader) (*Chunks, error) {
	c := &Chunks{name: name, order: order, formatError: formatError, r: r, Size: -1}
	if s, ok := r.(io.Seeker); ok {
		if cur, err := s.Seek(0, io.SeekCurrent); err == nil {
			end, err := s.Seek(0, io.SeekEnd)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if _, err := s.Seek(cur, io.SeekStart); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			c.S, c.Base, c.Size = s, cur, end-cur
		}
	}
	return c, nil
}

// Read fills p (io.ReadFull).
func (c *Chunks) Read(p []byte) error {
	n, err := io.ReadFull(c.r, p)
	c.Pos += int64(n)
	return err
}

// Bytes reads the next n bytes (at most 64) into a scratch buffer that
// stays valid until the next call.
func (c *Chunks) Bytes(n int) ([]byte, error) {
	b := c.tmp[:n]
	return b, c.Read(b)
}

// Skip passes over n bytes.
func (c *Chunks) Skip(n int64) error {
	if c.S != nil {
		return c.SeekPos(c.Pos + n)
	}
	m, err := io.CopyN(io.Discard, c.r, n)
	c.Pos += m
	return err
}

// SeekPos moves to pos bytes from the container's start; the input must seek.
func (c *Chunks) SeekPos(pos int64) error {
	if _, err := c.S.Seek(c.Base+pos, io.SeekStart); err != nil {
		return err
	}
	c.Pos = pos
	return nil
}

// Form reads the container's 12-byte opening and returns its id and form
// type. what names the opening in errors ("RIFF header"): an input shorter
// than it is a format error.
func (c *Chunks) Form(what string) (id, form string, err error) {
	b, err := c.Bytes(12)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return "", "", c.formatError("shorter than a "+what, nil)
		}
		return "", "", c.EndOf("the "+what, err)
	}
	return string(b[0:4]), string(b[8:12]), nil
}

// Next reads the next chunk header. missing names the chunk the caller
// still looks for: an input that ends before the header is the format
// error "no <missing> chunk".
//
// A writer that leaves out the pad byte after a chunk of odd size puts the
// next header where the pad byte belongs: a header whose id is not four
// printable characters after a pad byte that opens one is read from the
// pad byte instead. An input that can seek goes back to it; from a stream,
// the pad byte SkipChunk kept opens the header, and the header's last
// byte, the first of the chunk's body, is read again by what reads next
// (Reader).
func (c *Chunks) Next(missing string) (id string, size int64, err error) {
	padded := c.padded
	c.padded = false
	start := c.Pos
	b, err := c.Bytes(8)
	if n := c.Pos - start; padded && c.S == nil && n >= 7 && !printable(b[0:4]) && printable([]byte{c.padByte, b[0], b[1], b[2]}) {
		// b holds what the stream gave: all 8 bytes, or 7 at its end.
		h := append([]byte{c.padByte}, b[:n]...)
		c.Unread(h[8:])
		size = int64(c.order.Uint32(h[4:8]))
		c.odd = size&1 == 1
		return string(h[0:4]), size, nil
	}
	if padded && c.S != nil && (err == io.ErrUnexpectedEOF || err == nil && !printable(b[0:4])) {
		if c.SeekPos(start-1) == nil && c.Read(b) == nil && printable(b[0:4]) {
			size = int64(c.order.Uint32(b[4:8]))
			c.odd = size&1 == 1
			return string(b[0:4]), size, nil
		}
		if e := c.SeekPos(start); e != nil {
			return "", 0, c.EndOf("a chunk header", e)
		}
		b, err = c.Bytes(8)
	}
	if err != nil {
		if err == io.EOF {
			return "", 0, c.formatError("no "+missing+" chunk", nil)
		}
		return "", 0, c.EndOf("a chunk header", err)
	}
	size = int64(c.order.Uint32(b[4:8]))
	c.odd = size&1 == 1
	return string(b[0:4]), size, nil
}

// NextOf is Next in a header that needs two chunks, first and second, to
// reach its samples: the one an input that ends is found missing is first
// until it is found (haveFirst), then second.
func (c *Chunks) NextOf(first, second string, haveFirst bool) (id string, size int64, err error) {
	if haveFirst {
		return c.Next(second)
	}
	return c.Next(first)
}

// printable reports whether id is four printable ASCII characters, as
// every chunk id is.
func printable(id []byte) bool {
	for _, v := range id {
		if v < 0x20 || v > 0x7E {
			return false
		}
	}
	return true
}

// SkipChunk passes over the remaining size bytes of chunk id, the one Next
// read last, and the pad byte that follows it when its declared size is
// odd (the caller may have read an odd part of it: a fmt chunk of 17
// bytes, read whole, leaves 0 and its pad byte). A chunk that runs past
// the end of a file of known size is a format error naming it: a seek
// past the end succeeds, and the header would otherwise read as missing
// the chunk it looks for ("no fmt chunk") when its size is what lies.
func (c *Chunks) SkipChunk(id string, size int64) error {
	if c.Size >= 0 && c.Pos+size > c.Size {
		return c.EndOf(fmt.Sprintf("chunk %q, which declares %d bytes where %d remain", id, size, c.Size-c.Pos), io.ErrUnexpectedEOF)
	}
	pad := int64(0)
	if c.odd && c.S != nil {
		pad = 1
	}
	if err := c.Skip(size + pad); err != nil {
		return c.EndOf(fmt.Sprintf("chunk %q", id), err)
	}
	if c.odd && c.S == nil {
		// Kept for Next: it may open the next header. A stream that
		// ends where the pad byte belongs ends after the chunk, as a
		// file does.
		b, err := c.Bytes(1)
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return c.EndOf(fmt.Sprintf("chunk %q", id), err)
		}
		c.padByte = b[0]
	}
	c.padded = c.odd
	return nil
}

// Unread gives b, the bytes read last, back to the input of a stream: the
// next Read, and what reads from Reader, reads them again first.
func (c *Chunks) Unread(b []byte) {
	if len(b) == 0 {
		return
	}
	c.r = io.MultiReader(bytes.NewReader(slices.Clone(b)), c.r)
	c.Pos -= int64(len(b))
}

// Reader is what reads the input from the header's end on: r itself, or,
// after a header read from the pad byte of a stream, the byte read past
// it and then r.
func (c *Chunks) Reader() io.Reader { return c.r }

// EndOf is the error of a header read that fails: an input that ends
// inside what is a format error wrapping io.ErrUnexpectedEOF, any other
// failure is a read error.
func (c *Chunks) EndOf(what string, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return c.formatError("file ends inside "+what, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("%s: read %s: %w", c.name, what, err)
}
