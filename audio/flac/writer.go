package flac

import (
	"bufio"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"hash"
	"io"

	"stemmaster/audio"
	"stemmaster/audio/internal/pcm"
)

// BlockSize is the number of frames per FLAC block the encoder writes
// (libFLAC's default for levels 3 to 8).
const BlockSize = 4096

// Encoder writes a FLAC stream block by block. STREAMINFO (sample count,
// MD5) is completed on Close, so w must be seekable. It implements
// audio.Writer and allocates nothing per block.
type Encoder struct {
	w        *seekBuffer
	fe       *frameEncoder
	format   audio.Format
	md5      hash.Hash
	block    [][]int32 // per channel, BlockSize samples, blk.Pending of them filled
	blk      pcm.Blocks
	views    [][]int32
	frame    []byte
	pcm      []byte // the block's samples as MD5 hashes them
	nsamples uint64
}

var _ audio.Writer = (*Encoder)(nil)

// NewEncoder writes the FLAC signature and STREAMINFO for f to w and returns
// an Encoder. It writes 16- and 24-bit integer samples, 1 to 8 channels.
func NewEncoder(w io.WriteSeeker, f audio.Format) (*Encoder, error) {
	depthOK := f.SampleFormat == audio.Int && (f.BitDepth == 16 || f.BitDepth == 24)
	if err := pcm.Writable("flac", f, depthOK, 8, 655350); err != nil {
		return nil, err
	}
	start, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("flac: %w", err)
	}
	sb := &seekBuffer{w: w, base: start, b: bufio.NewWriterSize(w, 1<<16)}
	e := &Encoder{w: sb, fe: newFrameEncoder(f.SampleRate, f.BitDepth), format: f, md5: md5.New(),
		blk: pcm.Blocks{Codec: "flac", Channels: f.Channels, Size: BlockSize}}
	e.block = make([][]int32, f.Channels)
	e.views = make([][]int32, f.Channels)
	for c := range e.block {
		e.block[c] = make([]int32, BlockSize)
	}
	e.pcm = make([]byte, 0, BlockSize*f.Channels*f.BitDepth/8)
	if _, err := sb.Write([]byte("fLaC")); err != nil {
		return nil, fmt.Errorf("flac: write header: %w", err)
	}
	if _, err := sb.Write(e.streamInfo(0)); err != nil {
		return nil, fmt.Errorf("flac: write header: %w", err)
	}
	return e, nil
}

// streamInfo is the STREAMINFO block (the last metadata block, RFC 9639
// §8.2) with the given block size (0 while the stream is written), the
// samples written so far and md5.
func (e *Encoder) streamInfo(blockSize int) []byte {
	var b [4 + 34]byte
	b[0], b[3] = 0x80, 34 // last block, type 0, length 34
	binary.BigEndian.PutUint16(b[4:], uint16(blockSize))
	binary.BigEndian.PutUint16(b[6:], uint16(blockSize))
	// Frame sizes unknown (0). Then 20 bits rate, 3 bits channels − 1,
	// 5 bits depth − 1, 36 bits samples.
	f := e.format
	v := uint64(f.SampleRate)<<44 | uint64(f.Channels-1)<<41 | uint64(f.BitDepth-1)<<36 | e.nsamples&(1<<36-1)
	binary.BigEndian.PutUint64(b[14:], v)
	return b[:]
}

// Write encodes every frame of src.
func (e *Encoder) Write(src *audio.Buffer) error {
	return e.blk.Write(src, func(off, k int) {
		n := e.blk.Pending
		for c, ch := range src.Data {
			pcm.QuantizeBlock(e.block[c][n:n+k], ch[off:off+k], e.format.BitDepth)
		}
	}, e.encodeBlock)
}

// encodeBlock encodes the pending frames as one FLAC frame.
func (e *Encoder) encodeBlock() error {
	n := e.blk.Pending
	for c := range e.views {
		e.views[c] = e.block[c][:n]
	}
	// MD5 of the samples, interleaved, little-endian, whole bytes.
	p := e.pcm[:0]
	for i := range n {
		for _, ch := range e.views {
			v := ch[i]
			if e.format.BitDepth == 16 {
				p = append(p, byte(v), byte(v>>8))
			} else {
				p = append(p, byte(v), byte(v>>8), byte(v>>16))
			}
		}
	}
	e.pcm = p
	e.md5.Write(p)
	e.nsamples += uint64(n)
	e.frame = e.fe.encode(e.frame[:0], e.views)
	if _, err := e.w.Write(e.frame); err != nil {
		return fmt.Errorf("flac: write frame: %w", err)
	}
	return nil
}

// frameRate is the sample rate to put in frame headers: the rate when a
// frame header can code it (RFC 9639 §9.1.2), else 0, "see STREAMINFO".
func frameRate(rate int) uint32 {
	switch {
	case rate <= 255000 && rate%1000 == 0, rate <= 65535, rate <= 655350 && rate%10 == 0:
		return uint32(rate)
	}
	return 0
}

// Close encodes the last (short) block and completes STREAMINFO: the block
// size (the nominal size as minimum too: RFC 9639 excludes the last block,
// and readers reject a minimum under 16), the sample count and the MD5. It
// does not close the underlying writer.
func (e *Encoder) Close() error {
	if done, err := e.blk.Close(e.encodeBlock); done || err != nil {
		return err
	}
	info := e.streamInfo(BlockSize)
	copy(info[4+18:], e.md5.Sum(nil))
	if err := e.w.writeAt(4, info); err != nil {
		e.blk.Err = fmt.Errorf("flac: finalise STREAMINFO: %w", err)
		return e.blk.Err
	}
	if err := e.w.b.Flush(); err != nil {
		e.blk.Err = fmt.Errorf("flac: %w", err)
		return e.blk.Err
	}
	if _, err := e.w.w.Seek(0, io.SeekEnd); err != nil {
		e.blk.Err = fmt.Errorf("flac: %w", err)
	}
	return e.blk.Err
}

// seekBuffer buffers writes to an io.WriteSeeker, flushing before a seek,
// and makes offsets relative to where the stream started.
type seekBuffer struct {
	w    io.WriteSeeker
	base int64
	b    *bufio.Writer
}

func (s *seekBuffer) Write(p []byte) (int, error) { return s.b.Write(p) }

func (s *seekBuffer) Seek(off int64, whence int) (int64, error) {
	if err := s.b.Flush(); err != nil {
		return 0, err
	}
	if whence == io.SeekStart {
		off += s.base
	}
	pos, err := s.w.Seek(off, whence)
	return pos - s.base, err
}

func (s *seekBuffer) writeAt(off int64, p []byte) error {
	if _, err := s.Seek(off, io.SeekStart); err != nil {
		return err
	}
	_, err := s.b.Write(p)
	return err
}
