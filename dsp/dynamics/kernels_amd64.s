//go:build amd64 && !purego

#include "textflag.h"

// Each kernel does the Go code's operations in its order, four lanes at a
// time, so the bits are the same: VMAXPD agrees with the Go code's bitwise
// maximum on the non-negative values it sees (not on a NaN, which it
// drops where the bitwise maximum keeps it; decoders read non-finite
// samples as silence, so none reaches a compressor).

// PEAK(load, step) is the peak kernel's body for four frames a pass: the
// two channels' samples by load (a conversion from float32 or a move),
// their |·|, the larger and the floor; step is the bytes of four samples.
#define PEAK(load, step) \
	VBROADCASTSD floor+72(FP), Y8 \
	VPCMPEQQ Y9, Y9, Y9 \
	VPSRLQ   $1, Y9, Y9 \
	MOVQ lv_base+0(FP), DI \
	MOVQ lv_len+8(FP), CX \
	MOVQ x_base+24(FP), SI \
	MOVQ y_base+48(FP), DX \
loop: \
	load    (SI), Y0 \
	load    (DX), Y1 \
	VANDPD  Y9, Y0, Y0 \
	VANDPD  Y9, Y1, Y1 \
	VMAXPD  Y1, Y0, Y0 \
	VMAXPD  Y8, Y0, Y0 \
	VMOVUPD Y0, (DI) \
	ADDQ    $step, SI \
	ADDQ    $step, DX \
	ADDQ    $32, DI \
	SUBQ    $4, CX \
	JNZ     loop \
	VZEROUPPER \
	RET

// func peakAVX(lv []float64, x, y []float32, floor float64)
TEXT ·peakAVX(SB), NOSPLIT, $0-80
	PEAK(VCVTPS2PD, 16)

// func peak64AVX(lv []float64, x, y []float64, floor float64)
TEXT ·peak64AVX(SB), NOSPLIT, $0-80
	PEAK(VMOVUPD, 32)
