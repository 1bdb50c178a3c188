package audio

import "io"

// Reader streams a file's samples block by block.
//
// Read fills dst.Data[c][:n] for every channel c with the next n ≤ dst.Frames()
// frames and returns n. dst must have exactly Info().Format.Channels channels.
// While data remains, n > 0 and err == nil; after the last frame Read returns
// 0, io.EOF. A decoding problem returns a typed error of the codec.
type Reader interface {
	Info() Info
	Read(dst *Buffer) (n int, err error)
}

// Writer takes blocks of samples and encodes them.
//
// Write encodes every frame of src (src.Channels() must match the format).
// Close flushes and finalises the stream (patching headers); it does not
// close an underlying io.Writer it was given.
type Writer interface {
	Write(src *Buffer) error
	Close() error
}

// FrameSeeker is a Reader that can move to any frame (the PCM decoders of a
// seekable input), so that an excerpt can be read without decoding what
// comes before it.
type FrameSeeker interface {
	SeekFrame(frame int64) error
}

// ReadBlocks reads r to the end, blockFrames frames at a time, and hands
// process every block read (the buffer is reused: it is valid until
// process returns). It returns the frames read, and nil at the end of the
// stream or else the error that stopped it.
func ReadBlocks(r Reader, blockFrames int, process func(*Buffer)) (int64, error) {
	buf := NewBuffer(r.Info().Format.Channels, blockFrames)
	var frames int64
	for {
		buf.SetFrames(blockFrames)
		n, err := r.Read(buf)
		if n > 0 {
			buf.SetFrames(n)
			process(buf)
			frames += int64(n)
		}
		if err == io.EOF {
			return frames, nil
		}
		if err != nil {
			return frames, err
		}
	}
}
