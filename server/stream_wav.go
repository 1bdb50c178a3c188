package server

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
)

// The previews' plain WAV: its header, and a source read directly when it is one.

// wavHeader is the 44-byte header of a PCM (or float) WAV.
func wavHeader(rate, channels, bits int, float bool, frames int64) []byte {
	block := channels * bits / 8
	data := uint32(frames * int64(block))
	tag := uint16(1) // PCM
	if float {
		tag = 3 // IEEE float
	}
	b := make([]byte, 0, wavHeaderBytes)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, 36+data)
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, tag)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*block))
	b = binary.LittleEndian.AppendUint16(b, uint16(block))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, data)
	return b
}

// directWAV is where a plain WAV file keeps its samples.
type directWAV struct {
	rate, channels, bits int
	float                bool
	dataOffset, frames   int64
}

// readDirectWAV reads the chunk list at the start of a WAV blob. Only a
// plain RIFF WAV of 16-, 24-bit integer or 32-bit float samples qualifies
// (RF64 and others get a preview).
func (s *Server) readDirectWAV(ctx context.Context, key string) (*directWAV, error) {
	rc, err := s.projects.OpenSourceRange(ctx, key, 0, 1<<16)
	if err != nil {
		return nil, err
	}
	head, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, err
	}
	return parseDirectWAV(head)
}

var errNotDirect = errors.New("not a plain WAV")

func parseDirectWAV(head []byte) (*directWAV, error) {
	if len(head) < 12 || string(head[0:4]) != "RIFF" || string(head[8:12]) != "WAVE" {
		return nil, errNotDirect
	}
	var d directWAV
	haveFmt := false
	for pos := 12; pos+8 <= len(head); {
		id, size := string(head[pos:pos+4]), int64(binary.LittleEndian.Uint32(head[pos+4:]))
		body := pos + 8
		switch id {
		case "fmt ":
			if body+16 > len(head) || size < 16 {
				return nil, errNotDirect
			}
			tag := binary.LittleEndian.Uint16(head[body:])
			d.channels = int(binary.LittleEndian.Uint16(head[body+2:]))
			d.rate = int(binary.LittleEndian.Uint32(head[body+4:]))
			d.bits = int(binary.LittleEndian.Uint16(head[body+14:]))
			if tag == 0xFFFE && size >= 40 && body+26 <= len(head) {
				tag = binary.LittleEndian.Uint16(head[body+24:]) // the sub-format GUID's first field
			}
			d.float = tag == 3
			ok := (tag == 1 && (d.bits == 16 || d.bits == 24)) || (tag == 3 && d.bits == 32)
			if !ok || d.channels < 1 || d.channels > 2 || d.rate <= 0 {
				return nil, errNotDirect
			}
			haveFmt = true
		case "data":
			// 0xFFFFFFFF, and 0 as a streaming writer leaves it, say
			// the samples run to the end of the file (or to what is
			// appended there): wav.Decode finds where, so the preview
			// reads it, not a stream of no frames.
			if !haveFmt || size == 0xFFFFFFFF || size == 0 {
				return nil, errNotDirect
			}
			d.dataOffset = int64(body)
			d.frames = size / int64(d.channels*d.bits/8)
			return &d, nil
		}
		pos = body + int(size) + int(size&1)
	}
	return nil, errNotDirect
}
