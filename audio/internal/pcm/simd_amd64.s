//go:build amd64 && !purego

#include "textflag.h"

// Per 128-bit lane: four packed little-endian 24-bit samples (bytes 0–11)
// into the top three bytes of four 32-bit words (the low byte zero), so
// each word is the sample times 256, as decodeS24Stereo forms it.
DATA s24shuf<>+0(SB)/8, $0x0504038002010080
DATA s24shuf<>+8(SB)/8, $0x0b0a098008070680
DATA s24shuf<>+16(SB)/8, $0x0504038002010080
DATA s24shuf<>+24(SB)/8, $0x0b0a098008070680
GLOBL s24shuf<>(SB), RODATA|NOPTR, $32

// func decodeS24StereoAVX2(l, r *float32, src *byte, groups int)
//
// decodeS24Stereo for groups of 8 frames (48 bytes each): each word is
// converted to float32 (exact: 24 significant bits) and scaled by 2^-31
// (exact), the same bits as the Go loop, then the frames' left and right
// samples are separated. It reads 4 bytes past each half-group's 24, so
// the caller leaves at least that much of src after the last group.
TEXT ·decodeS24StereoAVX2(SB), NOSPLIT, $0-32
	MOVQ         groups+24(FP), CX
	CMPQ         CX, $0
	JLE          s24done
	VMOVDQU      s24shuf<>(SB), Y7
	MOVL         $0x30000000, AX // 2^-31 as a float32
	VMOVD        AX, X6
	VBROADCASTSS X6, Y6
	MOVQ         l+0(FP), DI
	MOVQ         r+8(FP), R8
	MOVQ         src+16(FP), SI

s24loop:
	VMOVDQU     (SI), X0
	VINSERTI128 $1, 12(SI), Y0, Y0 // frames 0–3: L0 R0 L1 R1 | L2 R2 L3 R3
	VMOVDQU     24(SI), X1
	VINSERTI128 $1, 36(SI), Y1, Y1 // frames 4–7
	VPSHUFB     Y7, Y0, Y0
	VPSHUFB     Y7, Y1, Y1
	VCVTDQ2PS   Y0, Y0
	VCVTDQ2PS   Y1, Y1
	VMULPS      Y6, Y0, Y0
	VMULPS      Y6, Y1, Y1
	VSHUFPS     $0x88, Y1, Y0, Y2 // L0 L1 L4 L5 | L2 L3 L6 L7
	VSHUFPS     $0xdd, Y1, Y0, Y3 // the same of R
	VPERMPD     $0xd8, Y2, Y2
	VPERMPD     $0xd8, Y3, Y3
	VMOVUPS     Y2, (DI)
	VMOVUPS     Y3, (R8)
	ADDQ        $48, SI
	ADDQ        $32, DI
	ADDQ        $32, R8
	DECQ        CX
	JNZ         s24loop

s24done:
	VZEROUPPER
	RET

// Per 128-bit lane: the low three bytes of four 32-bit words, packed (12
// bytes), then zeros.
DATA s24pack<>+0(SB)/8, $0x0908060504020100
DATA s24pack<>+8(SB)/8, $0x808080800e0d0c0a
GLOBL s24pack<>(SB), RODATA|NOPTR, $16

// quantize's constants in float64: the sign bit, ½, then scale, lowest
// and highest code for 24 and for 16 bits.
DATA qconst<>+0(SB)/8, $0x8000000000000000
DATA qconst<>+8(SB)/8, $0x3fe0000000000000
DATA qconst<>+16(SB)/8, $0x4160000000000000 // 2^23
DATA qconst<>+24(SB)/8, $0xc160000000000000 // −2^23
DATA qconst<>+32(SB)/8, $0x415fffffc0000000 // 2^23 − 1
DATA qconst<>+40(SB)/8, $0x40e0000000000000 // 2^15
DATA qconst<>+48(SB)/8, $0xc0e0000000000000 // −2^15
DATA qconst<>+56(SB)/8, $0x40dfffc000000000 // 2^15 − 1
GLOBL qconst<>(SB), RODATA|NOPTR, $64

// QSETUP(o) loads the sign mask (Y10), ½ (Y11) and the scale, lowest and
// highest code at byte offset o of qconst (Y12, Y13, Y14).
#define QSETUP(o) \
	VBROADCASTSD qconst<>+0(SB), Y10 \
	VBROADCASTSD qconst<>+8(SB), Y11 \
	VBROADCASTSD qconst<>+o(SB), Y12 \
	VBROADCASTSD qconst<>+8+o(SB), Y13 \
	VBROADCASTSD qconst<>+16+o(SB), Y14

// QUANT(src, y, x, t) is quantize on the four float32s at src, into four
// int32s in x (the X half of y), computed in float64 as quantize does:
// scale, NaN to 0, clamp, add ±½ by the sign, truncate.
#define QUANT(src, y, x, t) \
	VCVTPS2PD   src, y \
	VMULPD      Y12, y, y \
	VCMPPD      $7, y, y, t \
	VANDPD      t, y, y \
	VMINPD      Y14, y, y \
	VMAXPD      Y13, y, y \
	VANDPD      Y10, y, t \
	VORPD       Y11, t, t \
	VADDPD      t, y, y \
	VCVTTPD2DQY y, x

// QFRAMES(l, r) quantizes four frames (element AX of l and r) into X2
// (frames 0 and 1, left then right) and X3 (frames 2 and 3).
#define QFRAMES(l, r) \
	QUANT((l)(AX*4), Y0, X0, Y8) \
	QUANT((r)(AX*4), Y1, X1, Y8) \
	VPUNPCKLDQ X1, X0, X2 \
	VPUNPCKHDQ X1, X0, X3

// QSTART(o, done) loads an encoder's arguments (dst in BX, l in SI, r in
// DI, frames in CX, AX = 0) and QSETUP(o)'s constants; no groups: done.
#define QSTART(o, done) \
	MOVQ groups+24(FP), CX \
	CMPQ CX, $0 \
	JLE  done \
	QSETUP(o) \
	MOVQ dst+0(FP), BX \
	MOVQ l+8(FP), SI \
	MOVQ r+16(FP), DI \
	SHLQ $2, CX \
	XORQ AX, AX

// func encodeS24StereoAVX2(dst *byte, l, r *float32, groups int)
//
// encodeS24Stereo for groups of 4 frames (24 bytes each), the same bytes.
// It writes 4 bytes (zeros) past each group, so the caller leaves room.
TEXT ·encodeS24StereoAVX2(SB), NOSPLIT, $0-32
	QSTART(16, e24done)
	VMOVDQU s24pack<>(SB), X15

e24loop:
	QFRAMES(SI, DI)
	VPSHUFB X15, X2, X2
	VPSHUFB X15, X3, X3
	VMOVDQU X2, (BX)
	VMOVDQU X3, 12(BX)
	ADDQ    $24, BX
	ADDQ    $4, AX
	CMPQ    AX, CX
	JLT     e24loop

e24done:
	VZEROUPPER
	RET

// func encodeS16StereoAVX2(dst *byte, l, r *float32, groups int)
//
// encodeS16Stereo for groups of 4 frames (16 bytes each), the same bytes.
TEXT ·encodeS16StereoAVX2(SB), NOSPLIT, $0-32
	QSTART(40, e16done)

e16loop:
	QFRAMES(SI, DI)
	VPACKSSDW X3, X2, X4
	VMOVDQU   X4, (BX)
	ADDQ      $16, BX
	ADDQ      $4, AX
	CMPQ      AX, CX
	JLT       e16loop

e16done:
	VZEROUPPER
	RET

// func quantizeAVX2(dst *int32, src *float32, groups int, k *[3]float64)
//
// Quantize for groups of 4 samples, k holding the scale, lowest and
// highest code; the same results.
TEXT ·quantizeAVX2(SB), NOSPLIT, $0-32
	MOVQ         groups+16(FP), CX
	CMPQ         CX, $0
	JLE          qdone
	MOVQ         k+24(FP), DX
	VBROADCASTSD qconst<>+0(SB), Y10
	VBROADCASTSD qconst<>+8(SB), Y11
	VBROADCASTSD 0(DX), Y12
	VBROADCASTSD 8(DX), Y13
	VBROADCASTSD 16(DX), Y14
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	SHLQ         $2, CX // samples
	XORQ         AX, AX

qloop:
	QUANT((SI)(AX*4), Y0, X0, Y8)
	VMOVDQU X0, (DI)(AX*4)
	ADDQ    $4, AX
	CMPQ    AX, CX
	JLT     qloop

qdone:
	VZEROUPPER
	RET
