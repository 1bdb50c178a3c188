// Package pcm converts interleaved PCM bytes, as stored in WAV and AIFF
// files, to and from planar float32 samples (±1.0 = full scale).
//
// Integer samples of n bits are scaled by 2^-(n-1), the convention of
// ffmpeg, sox and libsndfile, so a 16-bit sample v reads as v/32768 exactly
// and float→int→float round trips are exact for every value on the grid.
// Writing rounds to the nearest integer and clamps to the integer range.
//
// Converters are chosen once per stream (Decoder, Encoder) and run without
// allocating; the common layouts (16/24-bit integer and 32-bit float, mono and
// stereo, little-endian) have their own loops.
//
// It also holds the glue the container packages (wav, aiff, flac) share:
// their FormatError and UnsupportedError, instantiated with each package's
// Codec, the adapters that register them with audio.Register, the checks at
// the start of their Read and Write (codec.go), and for WAV and AIFF the
// chunk reader, the Decoder and the Decode and DecodeConfig around their
// header parsers (chunks.go).
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package pcm

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Kind is the sample coding.
type Kind uint8

const (
	// Signed is two's-complement integer.
	Signed Kind = iota + 1
	// Unsigned is offset-binary integer (8-bit WAV).
	Unsigned
	// Float is IEEE 754 (4 or 8 bytes).
	Float
)

// Layout describes one interleaved frame layout.
type Layout struct {
	Kind      Kind
	Bytes     int  // container bytes per sample: 1, 2, 3, 4 (8 for float64)
	ValidBits int  // significant bits, left-justified in the container; 0 = Bytes*8
	BigEndian bool // AIFF; WAV is little-endian
	Channels  int
}

// FrameBytes is the size of one interleaved frame.
func (l Layout) FrameBytes() int { return l.Bytes * l.Channels }

func (l Layout) valid() int {
	if l.ValidBits == 0 {
		return l.Bytes * 8
	}
	return l.ValidBits
}

// Check reports whether the layout can be converted.
func (l Layout) Check() error {
	if l.Channels < 1 {
		return fmt.Errorf("%d channels", l.Channels)
	}
	switch l.Kind {
	case Signed:
		if l.Bytes < 1 || l.Bytes > 4 {
			return fmt.Errorf("%d-byte integer samples", l.Bytes)
		}
	case Unsigned:
		if l.Bytes != 1 {
			return fmt.Errorf("%d-byte unsigned samples", l.Bytes)
		}
	case Float:
		if l.Bytes != 4 && l.Bytes != 8 {
			return fmt.Errorf("%d-byte float samples", l.Bytes)
		}
		if l.ValidBits != 0 && l.ValidBits != l.Bytes*8 {
			return fmt.Errorf("%d valid bits in %d-byte float samples", l.ValidBits, l.Bytes)
		}
	default:
		return fmt.Errorf("sample kind %d", l.Kind)
	}
	if v := l.valid(); v < 1 || v > l.Bytes*8 {
		return fmt.Errorf("%d valid bits in %d-byte samples", l.ValidBits, l.Bytes)
	}
	return nil
}

// DecodeFunc converts frames interleaved frames from src into
// dst[c][off:off+frames]. src must hold at least frames·FrameBytes bytes.
type DecodeFunc func(dst [][]float32, off int, src []byte, frames int)

// EncodeFunc converts src[c][off:off+frames] into interleaved bytes in dst,
// which must hold at least frames·FrameBytes bytes.
type EncodeFunc func(dst []byte, src [][]float32, off, frames int)

// Scales of n-bit integers, exact powers of two.
const (
	scale8  = 1.0 / (1 << 7)
	scale16 = 1.0 / (1 << 15)
	scale32 = 1.0 / (1 << 31)
)

// fastLayout names a little-endian layout with a specialised converter.
type fastLayout struct {
	kind            Kind
	bytes, channels int
}

// The specialised converters; every other layout takes the generic ones.
var (
	fastDecoders = map[fastLayout]DecodeFunc{
		{Signed, 2, 1}: decodeS16Mono, {Signed, 2, 2}: decodeS16Stereo,
		{Signed, 3, 1}: decodeS24Mono, {Signed, 3, 2}: decodeS24Stereo,
		{Float, 4, 1}: decodeF32Mono, {Float, 4, 2}: decodeF32Stereo,
	}
	fastEncoders = map[fastLayout]EncodeFunc{
		{Signed, 2, 2}: encodeS16Stereo, {Signed, 3, 2}: encodeS24Stereo, {Float, 4, 2}: encodeF32Stereo,
	}
)

// Decoder returns the converter for l. It panics on a layout Check rejects.
func Decoder(l Layout) DecodeFunc {
	if err := l.Check(); err != nil {
		panic("pcm: Decoder: " + err.Error())
	}
	ch := l.Channels
	valid := l.valid()
	masked := l.Kind == Signed && valid < l.Bytes*8
	if f := fastDecoders[fastLayout{l.Kind, l.Bytes, ch}]; f != nil && !l.BigEndian && !masked {
		return f
	}
	return genericDecoder(l)
}

func decodeS16Mono(dst [][]float32, off int, src []byte, frames int) {
	d := dst[0][off : off+frames]
	src = src[:2*len(d)]
	for i := range d {
		d[i] = float32(int16(binary.LittleEndian.Uint16(src[2*i:]))) * scale16
	}
}

func decodeS16Stereo(dst [][]float32, off int, src []byte, frames int) {
	l, r := dst[0][off:off+frames], dst[1][off:off+frames]
	src = src[:4*len(l)]
	for i := range l {
		s := src[4*i : 4*i+4 : 4*i+4]
		l[i] = float32(int16(uint16(s[0])|uint16(s[1])<<8)) * scale16
		r[i] = float32(int16(uint16(s[2])|uint16(s[3])<<8)) * scale16
	}
}

// The 24-bit loops place the sample in the top of an int32, whose conversion
// to float32 is exact (24 significant bits), then scale by 2^-31.
func decodeS24Mono(dst [][]float32, off int, src []byte, frames int) {
	d := dst[0][off : off+frames]
	src = src[:3*len(d)]
	for i := range d {
		s := src[3*i : 3*i+3 : 3*i+3]
		d[i] = float32(int32(uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24)) * scale32
	}
}

func decodeS24Stereo(dst [][]float32, off int, src []byte, frames int) {
	l, r := dst[0][off:off+frames], dst[1][off:off+frames]
	src = src[:6*len(l)]
	done := decodeS24StereoFast(l, r, src)
	decodeS24StereoGo(l[done:], r[done:], src[6*done:])
}

// decodeS24StereoGo is the Go loop of decodeS24Stereo: the frames the
// assembly leaves, and all of them where there is none.
func decodeS24StereoGo(l, r []float32, src []byte) {
	for i := range l {
		s := src[6*i : 6*i+6 : 6*i+6]
		l[i] = float32(int32(uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24)) * scale32
		r[i] = float32(int32(uint32(s[3])<<8|uint32(s[4])<<16|uint32(s[5])<<24)) * scale32
	}
}

func decodeF32Mono(dst [][]float32, off int, src []byte, frames int) {
	d := dst[0][off : off+frames]
	src = src[:4*len(d)]
	for i := range d {
		d[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func decodeF32Stereo(dst [][]float32, off int, src []byte, frames int) {
	l, r := dst[0][off:off+frames], dst[1][off:off+frames]
	src = src[:8*len(l)]
	for i := range l {
		s := src[8*i : 8*i+8 : 8*i+8]
		l[i] = math.Float32frombits(binary.LittleEndian.Uint32(s[0:4]))
		r[i] = math.Float32frombits(binary.LittleEndian.Uint32(s[4:8]))
	}
}

// genericDecoder handles every other layout one channel at a time. The
// per-sample work is a load into the top bits of a uint32/uint64 and one
// conversion; the layout switch happens once per channel, not per sample.
func genericDecoder(l Layout) DecodeFunc {
	fb := l.FrameBytes()
	bytes := l.Bytes
	be := l.BigEndian
	// mask clears bits below the valid ones, so a 20-bit sample in a 24-bit
	// container reads as a 20-bit value whatever the writer left there.
	var mask uint32
	if l.Kind == Signed {
		mask = ^uint32(0) << (32 - l.valid())
	}
	kind := l.Kind
	return func(dst [][]float32, off int, src []byte, frames int) {
		src = src[:frames*fb]
		for c := range dst {
			d := dst[c][off : off+frames]
			p := c * bytes
			switch {
			case kind == Unsigned:
				for i := range d {
					d[i] = float32(int32(src[p+i*fb])-128) * scale8
				}
			case kind == Float && bytes == 4:
				for i := range d {
					d[i] = math.Float32frombits(load32(src[p+i*fb:], 4, be))
				}
			case kind == Float:
				for i := range d {
					q := src[p+i*fb : p+i*fb+8]
					var u uint64
					if be {
						u = binary.BigEndian.Uint64(q)
					} else {
						u = binary.LittleEndian.Uint64(q)
					}
					d[i] = float32(math.Float64frombits(u))
				}
			default:
				decodeInt(d, src[p:], fb, bytes, be, mask)
			}
		}
	}
}

// decodeInt converts one channel of n-byte integers, frames stride bytes
// apart, each placed in the top bits of an int32 and masked to its valid
// bits. The byte layout is chosen once, outside the loop.
func decodeInt(d []float32, src []byte, stride, n int, be bool, mask uint32) {
	switch {
	case n == 1:
		for i := range d {
			d[i] = float32(int32(uint32(src[i*stride])<<24&mask)) * scale32
		}
	case n == 2 && !be:
		for i := range d {
			s := src[i*stride : i*stride+2]
			d[i] = float32(int32((uint32(s[0])<<16|uint32(s[1])<<24)&mask)) * scale32
		}
	case n == 2:
		for i := range d {
			s := src[i*stride : i*stride+2]
			d[i] = float32(int32((uint32(s[1])<<16|uint32(s[0])<<24)&mask)) * scale32
		}
	case n == 3 && !be:
		for i := range d {
			s := src[i*stride : i*stride+3]
			d[i] = float32(int32((uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24)&mask)) * scale32
		}
	case n == 3:
		for i := range d {
			s := src[i*stride : i*stride+3]
			d[i] = float32(int32((uint32(s[2])<<8|uint32(s[1])<<16|uint32(s[0])<<24)&mask)) * scale32
		}
	case !be:
		for i := range d {
			d[i] = float32(int32(binary.LittleEndian.Uint32(src[i*stride:])&mask)) * scale32
		}
	default:
		for i := range d {
			d[i] = float32(int32(binary.BigEndian.Uint32(src[i*stride:])&mask)) * scale32
		}
	}
}

// load32 reads an n-byte sample into the top bits of a uint32.
func load32(s []byte, n int, be bool) uint32 {
	s = s[:n]
	var v uint32
	if be {
		for _, b := range s {
			v = v<<8 | uint32(b)
		}
	} else {
		for i := n - 1; i >= 0; i-- {
			v = v<<8 | uint32(s[i])
		}
	}
	return v << (32 - 8*n)
}

// Encoder returns the converter writing layout l. Integer layouts are
// written at their container size (ValidBits is ignored: a caller writing
// 20-bit audio quantises before). It panics on a layout Check rejects.
func Encoder(l Layout) EncodeFunc {
	if err := l.Check(); err != nil {
		panic("pcm: Encoder: " + err.Error())
	}
	if f := fastEncoders[fastLayout{l.Kind, l.Bytes, l.Channels}]; f != nil && !l.BigEndian {
		return f
	}
	return genericEncoder(l)
}

// Quantize converts a float sample to a bits-wide integer: scale by
// 2^(bits-1), round half away from zero, clamp to the integer range. NaN
// becomes 0.
func Quantize(v float32, bits int) int32 {
	full := float64(int64(1) << (bits - 1))
	return quantize(float64(v)*full, -full, full-1)
}

// QuantizeBlock sets dst[i] = Quantize(src[i], bits) for every sample of
// src (vector instructions where the processor has them). It panics if dst
// is shorter than src.
func QuantizeBlock(dst []int32, src []float32, bits int) {
	dst = dst[:len(src)]
	done := quantizeFast(dst, src, bits)
	for i, v := range src[done:] {
		dst[done+i] = Quantize(v, bits)
	}
}

// quantize rounds x half away from zero to an integer in [lo, hi] (0 for
// NaN). The clamp comes first (lo and hi are integers, so the rounded
// result is the same); its branches are never taken on audio that does not
// clip, and NaN fails both. x is a float32 times a power of two, so x ± ½
// is exact or rounds only below the units, never across an integer.
func quantize(x, lo, hi float64) int32 {
	if x > hi {
		x = hi
	}
	if x < lo {
		x = lo
	}
	if x != x {
		return 0
	}
	return int32(x + math.Copysign(0.5, x))
}

// stereoRest runs a stereo encoder's vector kernel (fast) on frames
// [off, off+frames) of src into dst, fb bytes a frame, and returns what is
// left for the Go loop: the rest of dst and of both channels.
func stereoRest(dst []byte, src [][]float32, off, frames, fb int, fast func(dst []byte, l, r []float32) int) ([]byte, []float32, []float32) {
	l, r := src[0][off:off+frames], src[1][off:off+frames]
	dst = dst[:fb*len(l)]
	done := fast(dst, l, r)
	return dst[fb*done:], l[done:], r[done:]
}

func encodeS16Stereo(dst []byte, src [][]float32, off, frames int) {
	encodeS16StereoGo(stereoRest(dst, src, off, frames, 4, encodeS16StereoFast))
}

// encodeS16StereoGo is the Go loop of encodeS16Stereo.
func encodeS16StereoGo(dst []byte, l, r []float32) {
	const full = 1 << 15
	for i := range l {
		a := uint32(uint16(quantize(float64(l[i])*full, -full, full-1)))
		b := uint32(uint16(quantize(float64(r[i])*full, -full, full-1)))
		binary.LittleEndian.PutUint32(dst[4*i:], a|b<<16)
	}
}

func encodeS24Stereo(dst []byte, src [][]float32, off, frames int) {
	encodeS24StereoGo(stereoRest(dst, src, off, frames, 6, encodeS24StereoFast))
}

// encodeS24StereoGo is the Go loop of encodeS24Stereo.
func encodeS24StereoGo(dst []byte, l, r []float32) {
	const full = 1 << 23
	for i := range l {
		s := dst[6*i : 6*i+6 : 6*i+6]
		a := uint32(quantize(float64(l[i])*full, -full, full-1))
		b := uint32(quantize(float64(r[i])*full, -full, full-1))
		binary.LittleEndian.PutUint32(s, a&0xffffff|b<<24)
		binary.LittleEndian.PutUint16(s[4:], uint16(b>>8))
	}
}

func encodeF32Stereo(dst []byte, src [][]float32, off, frames int) {
	l, r := src[0][off:off+frames], src[1][off:off+frames]
	dst = dst[:8*len(l)]
	for i := range l {
		binary.LittleEndian.PutUint32(dst[8*i:], math.Float32bits(l[i]))
		binary.LittleEndian.PutUint32(dst[8*i+4:], math.Float32bits(r[i]))
	}
}

func genericEncoder(l Layout) EncodeFunc {
	fb := l.FrameBytes()
	bytes := l.Bytes
	be := l.BigEndian
	kind := l.Kind
	bits := 8 * bytes
	return func(dst []byte, src [][]float32, off, frames int) {
		dst = dst[:frames*fb]
		for c := range src {
			s := src[c][off : off+frames]
			p := c * bytes
			switch {
			case kind == Unsigned:
				for i, v := range s {
					dst[p+i*fb] = byte(Quantize(v, 8) + 128)
				}
			case kind == Float && bytes == 4:
				for i, v := range s {
					store(dst[p+i*fb:], uint64(math.Float32bits(v)), 4, be)
				}
			case kind == Float:
				for i, v := range s {
					store(dst[p+i*fb:], math.Float64bits(float64(v)), 8, be)
				}
			default:
				for i, v := range s {
					store(dst[p+i*fb:], uint64(uint32(Quantize(v, bits))), bytes, be)
				}
			}
		}
	}
}

// store writes the low n bytes of v.
func store(d []byte, v uint64, n int, be bool) {
	d = d[:n]
	if be {
		for i := n - 1; i >= 0; i-- {
			d[i] = byte(v)
			v >>= 8
		}
		return
	}
	for i := range d {
		d[i] = byte(v)
		v >>= 8
	}
}
