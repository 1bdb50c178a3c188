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
