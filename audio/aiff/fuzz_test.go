package aiff

import (
	"encoding/binary"
	"io"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic,
// DecodeConfig must agree with Decode, errors must be typed, and the frames
// read must be the frames Info reports. (The package has no encoder, so
// there is no round trip.)
func FuzzDecode(f *testing.F) {
	f.Add(form("AIFF", comm(2, 2, 16, 44100, ""), ssnd(0, be16(1, 2, 3, 4))))
	f.Add(form("AIFF", comm(1, 3, 24, 48000, ""), ssnd(4, be24(1, 2, 3))))
	f.Add(form("AIFF", comm(1, 2, 20, 96000, ""), ssnd(0, be24(1, 2))))
	f.Add(form("AIFF", ssnd(0, be16(1, 2)), comm(1, 2, 16, 48000, "")))
	f.Add(form("AIFC", comm(2, 1, 16, 48000, "sowt"), ssnd(0, le16(1, 2))))
	f.Add(form("AIFC", comm(1, 1, 32, 48000, "fl32"), ssnd(0, be32(int64(math.Float32bits(0.5))))))
	f.Add(form("AIFC", comm(1, 1, 64, 48000, "fl64"), ssnd(0, make([]byte, 8))))
	f.Add(form("AIFC", comm(1, 2, 8, 8000, "raw "), ssnd(0, []byte{1, 2})))
	f.Add(form("AIFC", comm(1, 2, 16, 8000, "ulaw"), ssnd(0, []byte{1, 2})))
	f.Add(codectest.Unpadded(binary.BigEndian, form("AIFF", chunk{ID: "NAME", Body: []byte("odd")}, comm(1, 1, 16, 48000, ""), ssnd(0, be16(42))), "NAME"))

	f.Fuzz(func(t *testing.T, file []byte) {
		dec := codectest.DecodeBoth(t, file, DecodeConfig, func(r io.Reader) (audio.Reader, error) { return Decode(r) }, codectest.Typed[*FormatError])
		if dec == nil {
			return
		}
		d, info := dec.(*Decoder), dec.Info()
		buf := audio.NewBuffer(info.Format.Channels, 1024)
		var frames int64
		for {
			n, err := d.Read(buf)
			frames += int64(n)
			if err == io.EOF {
				break
			}
			if err != nil {
				codectest.CheckTyped[*FormatError](t, err)
				return
			}
		}
		if frames != info.Frames {
			t.Fatalf("read %d frames, Info says %d", frames, info.Frames)
		}
	})
}
