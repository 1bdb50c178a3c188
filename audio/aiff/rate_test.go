package aiff

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// TestNonFiniteRate: a COMM chunk whose rate is the infinite or NaN 80-bit
// float says so; it was refused as "zero sample rate".
func TestNonFiniteRate(t *testing.T) {
	t.Parallel()
	for name, mant := range map[string]uint64{"infinite": 1 << 63, "NaN": 3 << 62} {
		b := binary.BigEndian.AppendUint16(nil, 1)   // channels
		b = binary.BigEndian.AppendUint32(b, 1)      // frames
		b = binary.BigEndian.AppendUint16(b, 16)     // bits
		b = binary.BigEndian.AppendUint16(b, 0x7FFF) // exponent: infinity or NaN
		b = binary.BigEndian.AppendUint64(b, mant)
		_, err := DecodeConfig(bytes.NewReader(form("AIFF", chunk{ID: "COMM", Body: b}, ssnd(0, be16(1)))))
		if err == nil || !strings.Contains(err.Error(), "infinite or not a number") {
			t.Errorf("%s rate: %v", name, err)
		}
	}
}
