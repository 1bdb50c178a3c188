package pcm

import "encoding/binary"

// APEFooter is the length of an APE tag's footer (and header):
// "APETAGEX", version, tag size, item count, flags, 8 reserved bytes.
const APEFooter = 32

// TrailingTags is the length of the tags that end a file whose bytes
// from pos to end hold audio and then maybe tags, outermost first: an
// ID3v1 tag ("TAG", the last 128 bytes), an APE tag (its footer,
// "APETAGEX", gives its size and whether a header opens it) and an ID3v2
// tag that carries a footer ("3DI", its header's size and flags), in any
// order, at most four. An ID3v2 tag without a footer says nothing at its
// end: a caller that looks for one finds it at its start. readAt reads
// len(p) bytes at off (a failed read ends the search).
func TrailingTags(readAt func(p []byte, off int64) error, pos, end int64) int64 {
	var b [APEFooter]byte
	size := end
	for range 4 {
		switch {
		case end-pos >= 128 && readAt(b[:3], end-128) == nil && string(b[:3]) == "TAG":
			end -= 128
			continue
		case end-pos >= APEFooter && readAt(b[:], end-APEFooter) == nil && string(b[:8]) == "APETAGEX":
			le := binary.LittleEndian
			n := int64(le.Uint32(b[12:16]))
			if le.Uint32(b[20:24])&(1<<31) != 0 {
				n += APEFooter // the header
			}
			if n >= APEFooter && end-pos >= n {
				end -= n
				continue
			}
		case end-pos >= 20 && readAt(b[:10], end-10) == nil && string(b[:3]) == "3DI":
			if n, ok := Syncsafe(b[6:10]); ok && end-pos >= n+20 {
				end -= n + 20
				continue
			}
		}
		break
	}
	return size - end
}

// Syncsafe decodes an ID3v2 size: four bytes of seven bits each.
func Syncsafe(b []byte) (n int64, ok bool) {
	for _, v := range b {
		if v >= 0x80 {
			return 0, false
		}
		n = n<<7 | int64(v)
	}
	return n, true
}
