//go:build amd64 && !purego

#include "textflag.h"

// Each kernel does the Go code's operations in its order, four lanes at a
// time, so the bits are the same: VMAXPD agrees with the Go code's bitwise
// maximum on the non-negative values it sees (not on a NaN, which it
// drops where the bitwise maximum keeps it; decoders read non-finite
// samples as silence, so none reaches a compressor).

// func peakAVX(lv []float64, x, y []float32, floor float64)
TEXT ·peakAVX(SB), NOSPLIT, $0-80
	VBROADCASTSD floor+72(FP), Y8
	VPCMPEQQ Y9, Y9, Y9
	VPSRLQ   $1, Y9, Y9      // |·| mask
	MOVQ lv_base+0(FP), DI
	MOVQ lv_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), DX

peakloop:
	CMPQ CX, $4
	JLT  peakdone
	VCVTPS2PD (SI), Y0
	VCVTPS2PD (DX), Y1
	VANDPD  Y9, Y0, Y0
	VANDPD  Y9, Y1, Y1
	VMAXPD  Y1, Y0, Y0
	VMAXPD  Y8, Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $16, SI
	ADDQ    $16, DX
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     peakloop

peakdone:
	VZEROUPPER
	RET
